// asg-flatten-kernel-memrefs: kernels see each buffer as memref<?xT> from its
// base and index it with offset + sum(index * stride); dims come from the
// host; constants are sunk into the launch.
// RUN: asg-opt %s --asg-flatten-kernel-memrefs | FileCheck %s

// CHECK-LABEL: func.func @flatten(
// CHECK-SAME:      %[[A:.*]]: memref<?x4xf32, strided<[?, 1], offset: ?>>, %[[S:.*]]: memref<f32>)
// CHECK:         %[[BASE:.*]], %[[OFF:.*]], %[[SIZES:.*]]:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[A]]
// CHECK:         %[[FLAT:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%{{.*}}], strides: [1] : memref<f32> to memref<?xf32>
// CHECK:         %[[SBASE:.*]], %{{.*}} = memref.extract_strided_metadata %[[S]]
// CHECK:         %[[SFLAT:.*]] = memref.reinterpret_cast %[[SBASE]] to offset: [0], sizes: [%{{.*}}], strides: [1] : memref<f32> to memref<?xf32>
// CHECK:         gpu.launch
// CHECK-DAG:       %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:       %[[C1:.*]] = arith.constant 1 : index
// CHECK:           scf.for %[[I:.*]] = %[[C0]] to %[[SIZES]]#0 step %[[C1]]
// CHECK:             %[[ROW:.*]] = arith.muli %[[I]], %[[STRIDES]]#0
// CHECK:             %[[AT:.*]] = arith.addi %[[OFF]], %[[ROW]]
// CHECK:             %[[COL:.*]] = arith.muli %[[C1]], %{{.*}}
// CHECK:             %[[IDX:.*]] = arith.addi %[[AT]], %[[COL]]
// CHECK:             memref.load %[[FLAT]][%[[IDX]]] : memref<?xf32>
// CHECK:             memref.store %{{.*}}, %[[SFLAT]][%{{.*}}] : memref<?xf32>
// CHECK-NOT:       memref.dim
// CHECK:           gpu.terminator
func.func @flatten(%a: memref<?x4xf32, strided<[?, 1], offset: ?>>, %s: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %n = memref.dim %a, %c0 : memref<?x4xf32, strided<[?, 1], offset: ?>>
    scf.for %i = %c0 to %n step %c1 {
      %x = memref.load %a[%i, %c1] : memref<?x4xf32, strided<[?, 1], offset: ?>>
      memref.store %x, %s[] : memref<f32>
    }
    gpu.terminator
  }
  return
}
