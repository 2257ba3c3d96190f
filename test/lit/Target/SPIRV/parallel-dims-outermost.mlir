// asg-parallel-dims-outermost: reductions move inside every parallel loop, so
// loops become one scf.parallel (a GPU kernel) over all output elements.
// RUN: asg-opt %s --asg-parallel-dims-outermost | FileCheck %s
// RUN: asg-opt %s --asg-parallel-dims-outermost --convert-linalg-to-parallel-loops | FileCheck %s --check-prefix=LOOPS

// Column sums: (reduction, parallel) -> (parallel, reduction).
// CHECK-DAG:   #[[IN:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG:   #[[OUT:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @column_sums
// CHECK:         linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "reduction"]}
// LOOPS-LABEL: func.func @column_sums
// LOOPS:         scf.parallel (%[[J:.*]]) =
// LOOPS-NEXT:      scf.for %[[I:.*]] =
// LOOPS:             memref.load %{{.*}}[%[[I]], %[[J]]]
#rows = affine_map<(i, j) -> (i, j)>
#cols = affine_map<(i, j) -> (j)>
func.func @column_sums(%in: memref<8x16xf32>, %out: memref<16xf32>) {
  linalg.generic {indexing_maps = [#rows, #cols], iterator_types = ["reduction", "parallel"]}
      ins(%in : memref<8x16xf32>) outs(%out : memref<16xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  }
  return
}

// Named ops are generalized first: matmul keeps (i, j, k).
// CHECK-LABEL: func.func @matmul
// CHECK:         linalg.matmul
// LOOPS-LABEL: func.func @matmul
// LOOPS:         scf.parallel (%{{.*}}, %{{.*}}) =
// LOOPS-NEXT:      scf.for
func.func @matmul(%a: memref<4x8xf32>, %b: memref<8x2xf32>, %c: memref<4x2xf32>) {
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x2xf32>) outs(%c : memref<4x2xf32>)
  return
}
