// RUN: asg-opt %s --asg-to-linalg | FileCheck %s

// matmul: rank 2 x rank 2 is linalg.matmul; a matrix rhs folds the lhs batch
// dims into M (linalg.matmul); one batch dim on both sides is
// linalg.batch_matmul; several or broadcast batch dims use a contraction
// linalg.generic (one loop per batch dim, nothing collapsed).
// Every form accumulates into a linalg.fill'ed zero init.

// CHECK-DAG: #[[BA:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[BB:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[BC:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[SA:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[SB:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
// CHECK-DAG: #[[MA:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[MB:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[MC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: module attributes
// CHECK-SAME: asg.checks.dynamic_k = ["'matmul' node 'mm': the contracting or batch dims of input 2 do not match input 1 at run time"]
// CHECK-SAME: asg.checks.named_k = []
// CHECK-SAME: asg.checks.same_batch = []
// CHECK-SAME: asg.checks.unnamed_batch = ["'matmul': the contracting or batch dims of input 2 do not match input 1 at run time"]

// CHECK-LABEL: func.func @matrix(
// CHECK-SAME: %[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<4x2xf32>) -> (tensor<3x2xf32>, i32)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<3x2xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<3x2xf32>)
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<3x4xf32>, tensor<4x2xf32>) outs(%[[INIT]] : tensor<3x2xf32>)
// CHECK: return %[[R]]
func.func @matrix(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>) -> tensor<3x2xf32> {
  %0 = asg.matmul %a, %b : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK-LABEL: func.func @batched_x_matrix(
// CHECK-SAME: %[[A:.*]]: tensor<?x3x4xf32>, %[[B:.*]]: tensor<4x2xf32>) -> (tensor<?x3x2xf32>, i32)
// CHECK: %[[BATCH:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x3x4xf32>
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<?x3x4xf32> into tensor<?x4xf32>
// CHECK: %[[INIT:.*]] = linalg.fill {{.*}} -> tensor<?x2xf32>
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[FLAT]], %[[B]] : tensor<?x4xf32>, tensor<4x2xf32>) outs(%[[INIT]] : tensor<?x2xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2]] output_shape [%[[BATCH]], 3, 2] : tensor<?x2xf32> into tensor<?x3x2xf32>
// CHECK: return %[[R]]
func.func @batched_x_matrix(%a: tensor<?x3x4xf32, ["batch", "", ""]>, %b: tensor<4x2xf32>) -> tensor<?x3x2xf32, ["batch", "", ""]> {
  %0 = asg.matmul %a, %b : (tensor<?x3x4xf32, ["batch", "", ""]>, tensor<4x2xf32>) -> tensor<?x3x2xf32, ["batch", "", ""]>
  return %0 : tensor<?x3x2xf32, ["batch", "", ""]>
}

// A dynamic K is checked: on a mismatch the rhs is replaced by an in-bounds
// stand-in with the lhs K and the status names the node.
// CHECK-LABEL: func.func @dynamic_k(
// CHECK-SAME: %[[A:.*]]: tensor<?x?xf32>, %[[B:.*]]: tensor<?x3xf32>)
// CHECK: %[[K:.*]] = tensor.dim %[[A]], %c1 : tensor<?x?xf32>
// CHECK: %[[KB:.*]] = tensor.dim %[[B]], %{{.*}} : tensor<?x3xf32>
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %[[KB]], %[[K]] : index
// CHECK: %[[STANDIN:.*]] = tensor.empty(%[[K]]) : tensor<?x3xf32>
// CHECK: %[[SAFE:.*]] = arith.select %[[BAD]], %[[STANDIN]], %[[B]] : tensor<?x3xf32>
// CHECK: linalg.matmul ins(%[[A]], %[[SAFE]] : tensor<?x?xf32>, tensor<?x3xf32>)
// CHECK: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK: %[[STATUS:.*]] = arith.select %[[BAD]], %[[ONE]], %{{.*}} : i32
// CHECK: return %{{.*}}, %[[STATUS]]
func.func @dynamic_k(%a: tensor<?x?xf32>, %b: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = asg.matmul %a, %b : (tensor<?x?xf32>, tensor<?x3xf32>) -> tensor<?x3xf32> loc("mm")
  return %0 : tensor<?x3xf32>
}

// Dims of the same name are checked by the runtime, not here.
// CHECK-LABEL: func.func @named_k(
// CHECK-NOT: arith.cmpi
// CHECK: linalg.matmul
func.func @named_k(%a: tensor<2x?xf32, ["", "k"]>, %b: tensor<?x3xf32, ["k", ""]>) -> tensor<2x3xf32> {
  %0 = asg.matmul %a, %b : (tensor<2x?xf32, ["", "k"]>, tensor<?x3xf32, ["k", ""]>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @same_batch(
// CHECK-SAME: %[[A:.*]]: tensor<?x2x2x3xf32>, %[[B:.*]]: tensor<?x2x3x2xf32>)
// CHECK-NOT: arith.cmpi
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.generic {indexing_maps = [#[[SA]], #[[SB]], #[[BC]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[A]], %[[B]] : tensor<?x2x2x3xf32>, tensor<?x2x3x2xf32>)
func.func @same_batch(%a: tensor<?x2x2x3xf32, ["batch", "", "", ""]>, %b: tensor<?x2x3x2xf32, ["batch", "", "", ""]>) -> tensor<?x2x2x2xf32, ["batch", "", "", ""]> {
  %0 = asg.matmul %a, %b : (tensor<?x2x2x3xf32, ["batch", "", "", ""]>, tensor<?x2x3x2xf32, ["batch", "", "", ""]>) -> tensor<?x2x2x2xf32, ["batch", "", "", ""]>
  return %0 : tensor<?x2x2x2xf32, ["batch", "", "", ""]>
}

// Anonymous dynamic batch dims must agree at run time.
// CHECK-LABEL: func.func @unnamed_batch(
// CHECK-SAME: %[[A:.*]]: tensor<?x2x3xf32>, %[[B:.*]]: tensor<?x3x2xf32>)
// CHECK: %[[DA:.*]] = tensor.dim %[[A]]
// CHECK: %[[DB:.*]] = tensor.dim %[[B]]
// CHECK: arith.cmpi ne, %[[DB]], %[[DA]] : index
// CHECK: linalg.batch_matmul
func.func @unnamed_batch(%a: tensor<?x2x3xf32>, %b: tensor<?x3x2xf32>) -> tensor<?x2x2xf32> {
  %0 = asg.matmul %a, %b : (tensor<?x2x3xf32>, tensor<?x3x2xf32>) -> tensor<?x2x2xf32>
  return %0 : tensor<?x2x2xf32>
}

// [2,1,3,4] x [5,4,2]: the size-1 batch dim of the lhs is read at index 0 and
// the missing leading dim of the rhs is dropped from its map.
// CHECK-LABEL: func.func @broadcast_batch(
// CHECK: %[[INIT:.*]] = linalg.fill {{.*}} -> tensor<2x5x3x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[BA]], #[[BB]], #[[BC]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: outs(%[[INIT]] : tensor<2x5x3x2xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[P:.*]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK: arith.addf %[[ACC]], %[[P]] : f32
func.func @broadcast_batch(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x2xf32>) -> tensor<2x5x3x2xf32> {
  %0 = asg.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x2xf32>) -> tensor<2x5x3x2xf32>
  return %0 : tensor<2x5x3x2xf32>
}

// CHECK-LABEL: func.func @matrix_x_batched(
// CHECK-SAME: %[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<?x4x2xf32>)
// CHECK: %[[D:.*]] = tensor.dim %[[B]]
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x3x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[MA]], #[[MB]], #[[MC]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[A]], %[[B]] : tensor<3x4xf32>, tensor<?x4x2xf32>)
func.func @matrix_x_batched(%a: tensor<3x4xf32>, %b: tensor<?x4x2xf32, ["batch", "", ""]>) -> tensor<?x3x2xf32, ["batch", "", ""]> {
  %0 = asg.matmul %a, %b : (tensor<3x4xf32>, tensor<?x4x2xf32, ["batch", "", ""]>) -> tensor<?x3x2xf32, ["batch", "", ""]>
  return %0 : tensor<?x3x2xf32, ["batch", "", ""]>
}
