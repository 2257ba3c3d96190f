// The kernels of linalg ops that need more than one thread per output:
// asg-gpu-tiled-contractions (matmul & co., operand tiles in workgroup memory)
// and asg-gpu-workgroup-reductions (long reductions, a tree in workgroup memory).
// RUN: asg-opt %s --pass-pipeline='builtin.module(func.func(asg-gpu-tiled-contractions,asg-gpu-workgroup-reductions),canonicalize,cse)' | FileCheck %s
// RUN: not asg-opt %s --pass-pipeline='builtin.module(func.func(asg-gpu-tiled-contractions{tile-size=64}))' -o /dev/null 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: not asg-opt %s --pass-pipeline='builtin.module(func.func(asg-gpu-workgroup-reductions{workgroup-size=96}))' -o /dev/null 2>&1 | FileCheck %s --check-prefix=WG
// TILE: error: tile-size must be in [1, 32]
// WG: error: workgroup-size must be a power of two in [2, 1024]

// A [?x40] x [40x16] matmul: 16x16 threads per 32x32 output tile, each
// thread 2x2 elements in registers, k in steps of 16 through workgroup memory.
// CHECK-LABEL: func.func @matmul(
// CHECK-SAME:      %[[A:.*]]: memref<?x40xf32>, %[[B:.*]]: memref<40x16xf32>, %[[C:.*]]: memref<?x16xf32>)
// CHECK:         %[[M:.*]] = memref.dim %[[A]], %c0
// CHECK:         %[[TILES:.*]] = arith.ceildivsi %[[M]], %c32
// CHECK:         %[[GRID:.*]] = arith.minsi %[[TILES]], %c65535
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%[[GX:.*]] = %[[GRID]], {{.*}} threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256,
// CHECK-DAG:       %[[SA:.*]] = memref.alloc() : memref<32x16xf32, 3>
// CHECK-DAG:       %[[SB:.*]] = memref.alloc() : memref<16x32xf32, 3>
// CHECK-DAG:       %[[TX:.*]] = arith.remsi %[[T]], %c16
// CHECK-DAG:       %[[TY:.*]] = arith.divsi %[[T]], %c16
// CHECK:           scf.for %{{.*}} = %[[BX]] to %[[TILES]] step %[[GX]]
// The sums start from the output elements (the CPU's order of additions).
// CHECK-COUNT-4:     memref.load %[[C]]
// CHECK:             scf.for %[[K0:.*]] = %c0 to %c40 step %c16 iter_args({{.*}}) -> (f32, f32, f32, f32)
// CHECK:               memref.load %[[A]]
// CHECK:               memref.load %[[B]]
// CHECK:               memref.store %{{.*}}, %[[SA]][%[[TY]], %[[TX]]]
// CHECK:               memref.store %{{.*}}, %[[SB]][%[[TY]], %[[TX]]]
// CHECK:               gpu.barrier
// CHECK:               scf.for %[[KK:.*]] = %c0 to %{{.*}} step %c1 iter_args(%[[ACC:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (f32, f32, f32, f32)
// CHECK-NEXT:            %[[X:.*]] = memref.load %[[SA]][%[[TY]], %[[KK]]]
// CHECK-NEXT:            %[[Y:.*]] = memref.load %[[SB]][%[[KK]], %[[TX]]]
// CHECK-NEXT:            memref.load %[[SA]]
// CHECK-NEXT:            memref.load %[[SB]]
// CHECK-NEXT:            %[[P:.*]] = arith.mulf %[[X]], %[[Y]]
// CHECK-NEXT:            %[[S:.*]] = arith.addf %[[ACC]], %[[P]]
// CHECK-COUNT-3:         arith.addf
// CHECK-NEXT:            scf.yield %[[S]],
// CHECK:               gpu.barrier
// CHECK-COUNT-4:     scf.if
func.func @matmul(%a: memref<?x40xf32>, %b: memref<40x16xf32>, %c: memref<?x16xf32>) {
  linalg.matmul ins(%a, %b : memref<?x40xf32>, memref<40x16xf32>) outs(%c : memref<?x16xf32>)
  return
}

// A long row reduction: one workgroup per row, strided partials from the
// neutral element (-0.0 for addf), a tree, thread 0 folds into the output.
// CHECK-LABEL: func.func @row_sums(
// CHECK-SAME:      %[[X:.*]]: memref<?x256xf32>, %[[S:.*]]: memref<?xf32>)
// CHECK-DAG:     %[[NEUTRAL:.*]] = arith.constant -0.000000e+00 : f32
// CHECK:         gpu.launch {{.*}} threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c128,
// CHECK:           %[[SH:.*]] = memref.alloc() : memref<128xf32, 3>
// CHECK:           scf.for %[[ROW:.*]] =
// CHECK:             %[[PART:.*]] = scf.for %[[COL:.*]] = %[[T]] to %c256 step %c128 iter_args(%[[ACC:.*]] = %[[NEUTRAL]]) -> (f32)
// CHECK-NEXT:          %[[V:.*]] = memref.load %[[X]][%[[ROW]], %[[COL]]]
// CHECK-NEXT:          %[[E:.*]] = math.exp %[[V]]
// CHECK-NEXT:          %[[N:.*]] = arith.addf %[[ACC]], %[[E]]
// CHECK-NEXT:          scf.yield %[[N]]
// CHECK:             memref.store %{{.*}}, %[[SH]][%[[T]]]
// CHECK-NEXT:        gpu.barrier
// CHECK-COUNT-7:     gpu.barrier
// CHECK:             scf.if
// CHECK:               %[[OLD:.*]] = memref.load %[[S]][%[[ROW]]]
// CHECK:               %[[NEW:.*]] = arith.addf %[[OLD]], %{{.*}}
// CHECK:               memref.store %[[NEW]], %[[S]][%[[ROW]]]
// CHECK:             gpu.barrier
func.func @row_sums(%x: memref<?x256xf32>, %s: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x256xf32>) outs(%s : memref<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %e = math.exp %v : f32
    %r = arith.addf %acc, %e : f32
    linalg.yield %r : f32
  }
  return
}

// Short reductions: one thread per output element, carried in a register
// from the value of the fill just before (which goes) and stored once.
// CHECK-LABEL: func.func @short_rows(
// CHECK-SAME:      %[[X:.*]]: memref<?x4xf32>, %[[S:.*]]: memref<?xf32>)
// CHECK-DAG:     %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NOT:     linalg.fill
// CHECK:         gpu.launch {{.*}} threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c64,
// CHECK:           scf.for %[[ROW:.*]] =
// CHECK:             %[[MAX:.*]] = scf.for %[[COL:.*]] = %c0 to %c4 step %c1 iter_args(%[[ACC:.*]] = %[[NEG_INF]]) -> (f32)
// CHECK-NEXT:          %[[V:.*]] = memref.load %[[X]][%[[ROW]], %[[COL]]]
// CHECK-NEXT:          %[[M:.*]] = arith.maximumf %[[ACC]], %[[V]]
// CHECK-NEXT:          scf.yield %[[M]]
// CHECK:             memref.store %[[MAX]], %[[S]][%[[ROW]]]
// CHECK-NOT:     linalg.generic
func.func @short_rows(%x: memref<?x4xf32>, %s: memref<?xf32>) {
  %neg_inf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%neg_inf : f32) outs(%s : memref<?xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x4xf32>) outs(%s : memref<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.maximumf %acc, %v : f32
    linalg.yield %r : f32
  }
  return
}
