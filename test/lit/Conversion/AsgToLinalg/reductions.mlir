// RUN: asg-opt %s --asg-to-linalg | FileCheck %s

// Reductions are linalg.generic ops with reduction iterators on the reduced
// axes, writing a linalg.fill'ed init of the other dims; keepdims re-inserts
// size-1 dims with tensor.expand_shape.

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[COLS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ALL2:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[MID:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[NOLOOPS:.*]] = affine_map<() -> ()>
// CHECK-LABEL: module attributes
// No reduction needs a run-time check.
// CHECK-NOT: asg.checks.{{[a-z_]*}} = ["

// CHECK-LABEL: func.func @sum_axis(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>) -> (tensor<?xf32>, i32)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[D:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x4xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]] : tensor<?x4xf32>) outs(%[[INIT]] : tensor<?xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[S:.*]] = arith.addf %[[IN]], %[[ACC]] : f32
// CHECK: linalg.yield %[[S]]
// CHECK: return %[[R]], %{{.*}} : tensor<?xf32>, i32
func.func @sum_axis(%x: tensor<?x4xf32, ["batch", ""]>) -> tensor<?xf32, ["batch"]> {
  %0 = asg.sum %x {axes = array<i64: 1>} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?xf32, ["batch"]>
  return %0 : tensor<?xf32, ["batch"]>
}

// mean over a dynamic dim divides by the run-time count; all axes with
// keepdims expands the rank-0 sum to 1x1.
// CHECK-LABEL: func.func @mean_all_keepdims(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>) -> (tensor<1x1xf32>, i32)
// CHECK: %[[D:.*]] = tensor.dim %[[X]]
// CHECK: %[[N:.*]] = arith.muli %[[D]], %{{.*}} : index
// CHECK: %[[NI:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[NF:.*]] = arith.sitofp %[[NI]] : i64 to f32
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ALL2]]], iterator_types = ["reduction", "reduction"]}
// CHECK: arith.addf
// CHECK: %[[MEAN:.*]] = linalg.generic {indexing_maps = [#[[NOLOOPS]], #[[NOLOOPS]]], iterator_types = []} ins(%[[SUM]] : tensor<f32>)
// CHECK: arith.divf %{{.*}}, %[[NF]] : f32
// CHECK: %[[K:.*]] = tensor.expand_shape %[[MEAN]] [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
// CHECK: return %[[K]]
func.func @mean_all_keepdims(%x: tensor<?x4xf32>) -> tensor<1x1xf32> {
  %0 = asg.mean %x {keepdims = true} : (tensor<?x4xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// max starts at -inf and uses the NaN-propagating arith.maximumf; negative
// axes count from the end; keepdims keeps the dynamic middle dim.
// CHECK-LABEL: func.func @max_keep(
// CHECK-SAME: %[[X:.*]]: tensor<2x?x3xf32>) -> (tensor<1x?x1xf32>, i32)
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[D:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<2x?x3xf32>
// CHECK: linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[MID]]], iterator_types = ["reduction", "parallel", "reduction"]}
// CHECK: arith.maximumf
// CHECK: %[[D2:.*]] = tensor.dim %[[R]], %{{.*}} : tensor<?xf32>
// CHECK: tensor.expand_shape %[[R]] {{\[}}[0, 1, 2]] output_shape [1, %[[D2]], 1] : tensor<?xf32> into tensor<1x?x1xf32>
func.func @max_keep(%x: tensor<2x?x3xf32>) -> tensor<1x?x1xf32> {
  %0 = asg.max %x {axes = array<i64: 0, -1>, keepdims = true} : (tensor<2x?x3xf32>) -> tensor<1x?x1xf32>
  return %0 : tensor<1x?x1xf32>
}

// CHECK-LABEL: func.func @min_col(
// CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: linalg.fill ins(%[[INF]] : f32)
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[COLS]]], iterator_types = ["reduction", "parallel"]}
// CHECK: arith.minimumf
func.func @min_col(%x: tensor<?x3xf32>) -> tensor<3xf32> {
  %0 = asg.min %x {axes = array<i64: 0>} : (tensor<?x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// axes = [] reduces nothing: the identity. A rank-0 input has no axes to reduce.
// CHECK-LABEL: func.func @min_none(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[X]]
func.func @min_none(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = asg.min %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
// CHECK-LABEL: func.func @scalar(
// CHECK-SAME: %[[X:.*]]: tensor<f32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[X]]
func.func @scalar(%x: tensor<f32>) -> tensor<f32> {
  %0 = asg.sum %x : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// variance is two-pass: the mean, then the sum of squared deviations from it,
// divided by N - correction.
// CHECK-LABEL: func.func @variance(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>)
// CHECK: %[[N:.*]] = arith.constant 4.000000e+00 : f32
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]}
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<?xf32>)
// CHECK: arith.divf %{{.*}}, %[[N]] : f32
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROWS]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MEAN]] : tensor<?x4xf32>, tensor<?xf32>)
// CHECK: ^bb0(%[[V:.*]]: f32, %[[M:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[DEV:.*]] = arith.subf %[[V]], %[[M]] : f32
// CHECK: %[[DEV2:.*]] = arith.mulf %[[DEV]], %[[DEV]] : f32
// CHECK: arith.addf %[[ACC]], %[[DEV2]] : f32
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[DIVISOR:.*]] = arith.subf %[[N]], %[[ONE]] : f32
// CHECK: linalg.generic {{.*}} ins(%[[SQ]] : tensor<?xf32>)
// CHECK: arith.divf %{{.*}}, %[[DIVISOR]] : f32
func.func @variance(%x: tensor<?x4xf32>) -> tensor<?xf32> {
  %0 = asg.variance %x {axes = array<i64: 1>, correction = 1 : i64} : (tensor<?x4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// variance over no axes: one-element groups, (x - x) / (1 - correction).
// CHECK-LABEL: func.func @variance_none(
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: return
func.func @variance_none(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = asg.variance %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// softmax subtracts the max before exp: max, sum of exp(x - max), then
// exp(x - max) / sum.
// CHECK-LABEL: func.func @softmax(
// CHECK-SAME: %[[X:.*]]: tensor<?x5xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<?x5xf32>)
// CHECK: arith.maximumf
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROWS]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MAX]] : tensor<?x5xf32>, tensor<?xf32>)
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROWS]], #[[ROWS]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAX]], %[[SUM]] :
// CHECK: ^bb0(%[[V:.*]]: f32, %[[M:.*]]: f32, %[[S:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[SH:.*]] = arith.subf %[[V]], %[[M]] : f32
// CHECK: %[[EX:.*]] = math.exp %[[SH]] : f32
// CHECK: arith.divf %[[EX]], %[[S]] : f32
// CHECK: return %[[R]]
func.func @softmax(%x: tensor<?x5xf32>) -> tensor<?x5xf32> {
  %0 = asg.softmax %x : (tensor<?x5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// log_softmax along axis 0: x - max - log(sum(exp(x - max))).
// CHECK-LABEL: func.func @log_softmax(
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[COLS]]], iterator_types = ["reduction", "parallel"]}
// CHECK: arith.maximumf
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[COLS]], #[[COLS]]], iterator_types = ["reduction", "parallel"]}
// CHECK: math.exp
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[COLS]], #[[COLS]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK: ^bb0(%[[V:.*]]: f32, %[[M:.*]]: f32, %[[S:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[SH:.*]] = arith.subf %[[V]], %[[M]] : f32
// CHECK: %[[L:.*]] = math.log %[[S]] : f32
// CHECK: arith.subf %[[SH]], %[[L]] : f32
func.func @log_softmax(%x: tensor<3x?xf32>) -> tensor<3x?xf32> {
  %0 = asg.log_softmax %x {axis = 0 : i64} : (tensor<3x?xf32>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}
