// asg-map-parallel-loops-to-gpu: scf.parallel -> a 1-D grid walking the
// linearized iteration space (last dim fastest) with a grid-stride loop; host
// code that touches buffers -> a launch of one thread.
// RUN: asg-opt %s --pass-pipeline='builtin.module(func.func(asg-map-parallel-loops-to-gpu{workgroup-size=32}),canonicalize)' | FileCheck %s
// RUN: not asg-opt %s --pass-pipeline='builtin.module(func.func(asg-map-parallel-loops-to-gpu{workgroup-size=0}))' -o /dev/null 2>&1 | FileCheck %s --check-prefix=SIZE

// CHECK-LABEL: func.func @kernels(
// CHECK-SAME:      %[[A:.*]]: memref<?x4xf32>, %[[B:.*]]: memref<?x4xf32>, %[[S:.*]]: memref<f32>, %[[N:.*]]: index)
// The grid: ceil(n*4 / 32) workgroups, at most 65535.
// CHECK:         %[[ROWS:.*]] = arith.maxsi %[[N]], %c0
// CHECK:         %[[TOTAL:.*]] = arith.muli %[[ROWS]], %c4
// CHECK:         %[[GROUPS:.*]] = arith.ceildivsi %[[TOTAL]], %c32
// CHECK:         %[[GRID:.*]] = arith.minsi %[[GROUPS]], %c65535
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%[[GX:.*]] = %[[GRID]], %{{.*}} = %c1, %{{.*}} = %c1) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c32, %{{.*}} = %c1, %{{.*}} = %c1)
// CHECK:           %[[FIRST0:.*]] = arith.muli %[[BX]], %c32
// CHECK:           %[[FIRST:.*]] = arith.addi %[[FIRST0]], %[[TX]]
// CHECK:           %[[STRIDE:.*]] = arith.muli %[[GX]], %c32
// CHECK:           scf.for %[[L:.*]] = %[[FIRST]] to %[[TOTAL]] step %[[STRIDE]]
// CHECK:             %[[J:.*]] = arith.remsi %[[L]], %c4
// CHECK:             %[[I:.*]] = arith.divsi %[[L]], %c4
// CHECK:             %[[X:.*]] = memref.load %[[A]][%[[I]], %[[J]]]
// CHECK:             memref.store %[[X]], %[[B]][%[[I]], %[[J]]]
// CHECK:           gpu.terminator
// The scalar reduction (host code over buffers) runs on one device thread.
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1)
// CHECK-NEXT:      memref.store %cst, %[[S]][]
// CHECK-NEXT:      scf.for
// CHECK-NOT:         scf.parallel
// CHECK:           gpu.terminator
// CHECK:         return
func.func @kernels(%a: memref<?x4xf32>, %b: memref<?x4xf32>, %s: memref<f32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c4) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<?x4xf32>
    memref.store %x, %b[%i, %j] : memref<?x4xf32>
    scf.reduce
  }
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %s[] : memref<f32>
  scf.for %i = %c0 to %n step %c1 {
    scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
      %x = memref.load %a[%i, %j] : memref<?x4xf32>
      %acc = memref.load %s[] : memref<f32>
      %y = arith.addf %acc, %x : f32
      memref.store %y, %s[] : memref<f32>
      scf.reduce
    }
  }
  return
}
// SIZE: error: workgroup-size must be in [1, 1024]
