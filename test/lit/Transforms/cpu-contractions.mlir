// asg-cpu-contractions: f32 contractions on buffers become a packed GEMM
// (B packed into zero-padded panels in parallel, then row blocks in parallel
// with A packed on the stack and an mr x nr register tile per micro-kernel);
// what does not fit the scheme stays a linalg op for the loops.
// RUN: asg-opt %s --asg-cpu-contractions="vector-width=4 tile-rows=2 tile-vectors=2 block-rows=4 block-depth=8" --canonicalize | FileCheck %s
// RUN: not asg-opt %s --asg-cpu-contractions="tile-rows=4 block-rows=6" 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: asg-cpu-contractions: block-rows must be a positive multiple of tile-rows, and every size positive

// B's columns are contiguous: its panels are packed with masked vector loads.
// A's k is contiguous: A is read in place through a flat view (its row
// stride, step 1, the rows left from the tile's first one: the kernel clamps
// the rows past the end). Each register tile is copied from C into a stack
// buffer (masked), updated by the module's micro-kernel for that layout and
// copied back.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: memref<?x8xf32>, %[[B:.*]]: memref<8x16xf32>, %[[C:.*]]: memref<?x16xf32>)
// CHECK: %[[PACKED:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128xf32>
// CHECK: scf.parallel
// CHECK: vector.maskedload %[[B]]
// CHECK: vector.store {{.*}}, %[[PACKED]]
// CHECK: %[[BASE:.*]], %{{.*}}, %{{.*}}:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[A]]
// CHECK: %[[FLAT:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%{{.*}}], strides: [1]
// CHECK: scf.parallel
// CHECK: %[[STACK:.*]] = llvm.intr.stacksave
// CHECK: %[[TILE:.*]] = memref.alloca() {alignment = 64 : i64} : memref<16xf32>
// CHECK-NOT: memref.load %[[A]]
// CHECK-COUNT-2: vector.maskedload %[[C]]
// CHECK: vector.store {{.*}}, %[[TILE]]
// CHECK: call @asg_gemm_tile_2x8_rows(%[[FLAT]], %{{.*}}, %c8, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[TILE]])
// CHECK-COUNT-2: vector.maskedstore %[[C]]
// CHECK: llvm.intr.stackrestore %[[STACK]]
// CHECK: memref.dealloc %[[PACKED]]
// CHECK-NOT: linalg.
// CHECK: return

func.func @matmul(%a: memref<?x8xf32>, %b: memref<8x16xf32>, %c: memref<?x16xf32>) {
  linalg.matmul ins(%a, %b : memref<?x8xf32>, memref<8x16xf32>) outs(%c : memref<?x16xf32>)
  return
}

// B stored transposed (its columns are strided): packed element by element,
// clamped and zero padded.
// CHECK-LABEL: func.func @rhs_transposed
// CHECK-SAME: (%[[A:.*]]: memref<4x8xf32>, %[[B:.*]]: memref<24x8xf32>, %[[C:.*]]: memref<4x24xf32>)
// CHECK: scf.parallel
// CHECK: memref.load %[[B]]
// CHECK: arith.select
// CHECK: call @asg_gemm_tile_2x8_
// CHECK-NOT: linalg.
// CHECK: return
#a = affine_map<(i, j, k) -> (i, k)>
#bt = affine_map<(i, j, k) -> (j, k)>
#c = affine_map<(i, j, k) -> (i, j)>
func.func @rhs_transposed(%a: memref<4x8xf32>, %b: memref<24x8xf32>, %c: memref<4x24xf32>) {
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<24x8xf32>) outs(%c : memref<4x24xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// The output's contiguous dim comes from the first operand (C = (A B)^T):
// the operands swap roles, so A is packed into the vector panels, and B,
// whose k is not contiguous, is packed per row block into stack panels of 2
// rows (clamped, zero padded) for the packed-layout micro-kernel.
// CHECK-LABEL: func.func @output_transposed
// CHECK-SAME: (%[[A:.*]]: memref<24x8xf32>, %[[B:.*]]: memref<8x6xf32>, %[[C:.*]]: memref<6x24xf32>)
// CHECK: scf.parallel
// CHECK: memref.load %[[A]]
// CHECK: scf.parallel
// CHECK: %[[PANEL:.*]] = memref.alloca() {alignment = 64 : i64} : memref<32xf32>
// CHECK: %[[VIEW:.*]] = memref.cast %[[PANEL]]
// CHECK: memref.load %[[B]]
// CHECK: arith.select
// CHECK: memref.store {{.*}}, %[[PANEL]]
// CHECK: vector.maskedload %[[C]]
// CHECK: call @asg_gemm_tile_2x8_packed(%[[VIEW]], %{{.*}}, %c1, %c2,
// CHECK-NOT: linalg.
// CHECK: return
#ct = affine_map<(i, j, k) -> (j, i)>
#b = affine_map<(i, j, k) -> (k, j)>
func.func @output_transposed(%a: memref<24x8xf32>, %b: memref<8x6xf32>, %c: memref<6x24xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #ct], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<24x8xf32>, memref<8x6xf32>) outs(%c : memref<6x24xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// x[b, s, k] @ w[k, n]: b and s are both rows (flattened, then split again
// for the addresses); w is packed once for all of them.
// CHECK-LABEL: func.func @rows_flattened
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<128xf32>
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: arith.remsi
// CHECK: arith.divsi
// CHECK: call @asg_gemm_tile_2x8_
// CHECK-NOT: linalg.
// CHECK: return
#x3 = affine_map<(b, s, n, k) -> (b, s, k)>
#w2 = affine_map<(b, s, n, k) -> (k, n)>
#y3 = affine_map<(b, s, n, k) -> (b, s, n)>
func.func @rows_flattened(%x: memref<3x5x8xf32>, %w: memref<8x16xf32>, %y: memref<3x5x16xf32>) {
  linalg.generic {indexing_maps = [#x3, #w2, #y3], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<3x5x8xf32>, memref<8x16xf32>) outs(%y : memref<3x5x16xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// A batch dim every operand uses: B is packed per batch, the row blocks of
// every batch run in one parallel loop (here one block per batch).
// CHECK-LABEL: func.func @batch_matmul
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<512xf32>
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = (%c0, %c0) to (%c4, %c2)
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c4)
// CHECK: call @asg_gemm_tile_2x8_
// CHECK-NOT: linalg.
// CHECK: return
func.func @batch_matmul(%a: memref<4x3x8xf32>, %b: memref<4x8x16xf32>, %c: memref<4x3x16xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<4x3x8xf32>, memref<4x8x16xf32>) outs(%c : memref<4x3x16xf32>)
  return
}

// Left to the loops: integer contractions, tensors, an output whose
// innermost dim is strided, a matrix-vector product (no row dim).
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.matmul ins({{.*}} : memref<4x8xi32>, memref<8x16xi32>)
// CHECK: linalg.matmul ins({{.*}} : tensor<4x8xf32>, tensor<8x16xf32>)
// CHECK: linalg.matmul ins({{.*}} : memref<4x8xf32>, memref<8x16xf32>) outs({{.*}} : memref<4x16xf32, strided<[1, 4]>>)
// CHECK: linalg.vecmat
// CHECK-NOT: call
// CHECK: return
func.func @left_alone(%ai: memref<4x8xi32>, %bi: memref<8x16xi32>, %ci: memref<4x16xi32>,
                      %at: tensor<4x8xf32>, %bt: tensor<8x16xf32>, %ct: tensor<4x16xf32>,
                      %a: memref<4x8xf32>, %b: memref<8x16xf32>, %cs: memref<4x16xf32, strided<[1, 4]>>,
                      %v: memref<8xf32>, %r: memref<16xf32>) -> tensor<4x16xf32> {
  linalg.matmul ins(%ai, %bi : memref<4x8xi32>, memref<8x16xi32>) outs(%ci : memref<4x16xi32>)
  %t = linalg.matmul ins(%at, %bt : tensor<4x8xf32>, tensor<8x16xf32>) outs(%ct : tensor<4x16xf32>) -> tensor<4x16xf32>
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%cs : memref<4x16xf32, strided<[1, 4]>>)
  linalg.vecmat ins(%v, %b : memref<8xf32>, memref<8x16xf32>) outs(%r : memref<16xf32>)
  return %t : tensor<4x16xf32>
}

// The micro-kernels: the tile in 2 x 2 vector registers across the k steps,
// each step one broadcast of an A element per row and one fma per (row,
// vector). A packed panel is read at offset + 2 * step + row (the row
// stride and count arguments are not used); A in place at offset +
// min(row, count - 1) * stride + step.
// CHECK-LABEL: func.func private @asg_gemm_tile_2x8_packed
// CHECK-SAME: (%[[LHS:.*]]: memref<?xf32>, %[[LOFF:.*]]: index, %{{.*}}: index, %{{.*}}: index, %[[RHS:.*]]: memref<?xf32>, %[[ROFF:.*]]: index, %[[STEPS:.*]]: index, %[[TILE:.*]]: memref<16xf32>)
// CHECK-COUNT-4: vector.load %[[TILE]]
// CHECK: scf.for {{.*}} to %[[STEPS]] {{.*}} iter_args
// CHECK-COUNT-2: vector.load %[[RHS]]
// CHECK: memref.load %[[LHS]]
// CHECK: vector.broadcast
// CHECK-COUNT-2: vector.fma
// CHECK: memref.load %[[LHS]]
// CHECK: vector.broadcast
// CHECK-COUNT-2: vector.fma
// CHECK: scf.yield
// CHECK-COUNT-4: vector.store {{.*}}, %[[TILE]]
// CHECK-LABEL: func.func private @asg_gemm_tile_2x8_rows
// CHECK-SAME: (%[[LHS:[a-z0-9]+]]: memref<?xf32>, %[[LOFF:[a-z0-9]+]]: index, %[[STRIDE:[a-z0-9]+]]: index, %[[COUNT:[a-z0-9]+]]: index,
// CHECK: %[[LAST:.*]] = arith.subi %[[COUNT]], %c1
// CHECK: %[[R1:.*]] = arith.minsi %[[LAST]], %c1
// CHECK: %[[O1:.*]] = arith.muli %[[STRIDE]], %[[R1]]
// CHECK: %[[ROW1:.*]] = arith.addi %[[LOFF]], %[[O1]] : index
// CHECK: scf.for %[[STEP:.*]] = {{.*}} iter_args
// CHECK: arith.addi %{{.*}}, %[[STEP]]
// CHECK: arith.addi %[[ROW1]], %[[STEP]]
// CHECK-NOT: func.func private @asg_gemm_tile
