// RUN: asg-opt %s --asg-to-linalg | FileCheck %s

// layer_norm, embedding, mse_loss and cross_entropy.

// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[OUTER2:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[LAST3:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[FIRST3:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[TRAIL3:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ALL2:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[COL2:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ROW2:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ALL1:.*]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[NOLOOPS:.*]] = affine_map<() -> ()>
// CHECK-LABEL: module attributes
// CHECK-SAME: asg.checks.cross_entropy = ["'cross_entropy' node 'ce': a target is outside [0, 5)"]
// CHECK-SAME: asg.checks.cross_entropy_scalar = ["'cross_entropy': a target is outside [0, 7)"]
// CHECK-SAME: asg.checks.cross_entropy_unnamed = ["'cross_entropy' node 'ce2': the target dims do not match the logits at run time", "'cross_entropy' node 'ce2': a target is outside [0, 5)"]
// CHECK-SAME: asg.checks.embedding = ["'embedding' node 'e': an id is outside [0, 10)"]
// CHECK-SAME: asg.checks.layer_norm = []
// CHECK-SAME: asg.checks.mse_loss = []

// layer_norm over the last dim: the mean, the biased variance of the
// deviations from it (two passes), 1 / sqrt(var + eps), then a generic that
// reads mean and rstd per row and gamma/beta per normalized position.
// CHECK-LABEL: func.func @layer_norm(
// CHECK-SAME: %[[X:.*]]: tensor<?x5x4xf32>, %[[G:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>) -> (tensor<?x5x4xf32>, i32)
// CHECK: %[[N:.*]] = arith.constant 4.000000e+00 : f32
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[OUTER2]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]] : tensor<?x5x4xf32>)
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<?x5xf32>)
// CHECK: arith.divf %{{.*}}, %[[N]] : f32
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[OUTER2]], #[[OUTER2]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[MEAN]] :
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: %[[EPS:.*]] = arith.constant 1.000000e-03 : f32
// CHECK: %[[RSTD:.*]] = linalg.generic {{.*}} ins(%[[SQ]] : tensor<?x5xf32>)
// CHECK: %[[VAR:.*]] = arith.divf %{{.*}}, %[[N]] : f32
// CHECK: %[[VE:.*]] = arith.addf %[[VAR]], %[[EPS]] : f32
// CHECK: math.sqrt %[[VE]] : f32
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[OUTER2]], #[[OUTER2]], #[[LAST3]], #[[LAST3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[MEAN]], %[[RSTD]], %[[G]], %[[B]] :
// CHECK: ^bb0(%[[V:.*]]: f32, %[[M:.*]]: f32, %[[RS:.*]]: f32, %[[GV:.*]]: f32, %[[BV:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[C:.*]] = arith.subf %[[V]], %[[M]] : f32
// CHECK: %[[NV:.*]] = arith.mulf %[[C]], %[[RS]] : f32
// CHECK: %[[S:.*]] = arith.mulf %[[NV]], %[[GV]] : f32
// CHECK: arith.addf %[[S]], %[[BV]] : f32
// CHECK: return %[[R]]
func.func @layer_norm(%x: tensor<?x5x4xf32, ["batch", "", ""]>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<?x5x4xf32, ["batch", "", ""]> {
  %0 = asg.layer_norm %x, %g, %b {eps = 1.0e-3 : f64} : (tensor<?x5x4xf32, ["batch", "", ""]>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x5x4xf32, ["batch", "", ""]>
  return %0 : tensor<?x5x4xf32, ["batch", "", ""]>
}

// Over the two trailing dims (axis 1): N = 20.
// CHECK-LABEL: func.func @layer_norm2(
// CHECK: arith.constant 2.000000e+01 : f32
// CHECK: linalg.generic {indexing_maps = [#[[ID3]], #[[FIRST3]]], iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK: linalg.generic {indexing_maps = [#[[ID3]], #[[FIRST3]], #[[FIRST3]], #[[TRAIL3]], #[[TRAIL3]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]}
func.func @layer_norm2(%x: tensor<?x5x4xf32>, %g: tensor<5x4xf32>, %b: tensor<5x4xf32>) -> tensor<?x5x4xf32> {
  %0 = asg.layer_norm %x, %g, %b {axis = 1 : i64} : (tensor<?x5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>) -> tensor<?x5x4xf32>
  return %0 : tensor<?x5x4xf32>
}

// embedding: an any-reduction flags ids outside [0, V); the gather clamps the
// row to [0, V - 1] so it stays in bounds.
// CHECK-LABEL: func.func @embedding(
// CHECK-SAME: %[[T:.*]]: tensor<10x3xf32>, %[[IDS:.*]]: tensor<?x4xi64>) -> (tensor<?x4x3xf32>, i32)
// CHECK: %[[V:.*]] = arith.constant 10 : index
// CHECK: %[[VI:.*]] = arith.index_cast %[[V]] : index to i64
// CHECK: %[[ANY:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ALL2]]], iterator_types = ["reduction", "reduction"]} ins(%[[IDS]] : tensor<?x4xi64>)
// CHECK: %[[LOW:.*]] = arith.cmpi slt, %{{.*}}, %{{.*}} : i64
// CHECK: %[[HIGH:.*]] = arith.cmpi sge, %{{.*}}, %[[VI]] : i64
// CHECK: arith.ori %[[LOW]], %[[HIGH]] : i1
// CHECK: %[[BAD:.*]] = tensor.extract %[[ANY]][] : tensor<i1>
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x4x3xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[OUTER2]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[IDS]] : tensor<?x4xi64>) outs(%[[E]] : tensor<?x4x3xf32>)
// CHECK: ^bb0(%[[ID:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[I:.*]] = arith.index_cast %[[ID]] : i64 to index
// CHECK: %[[HI:.*]] = arith.minsi %[[I]], %{{.*}} : index
// CHECK: %[[ROW:.*]] = arith.maxsi %[[HI]], %{{.*}} : index
// CHECK: %[[COL:.*]] = linalg.index 2 : index
// CHECK: %[[VAL:.*]] = tensor.extract %[[T]][%[[ROW]], %[[COL]]] : tensor<10x3xf32>
// CHECK: linalg.yield %[[VAL]] : f32
// CHECK: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK: %[[STATUS:.*]] = arith.select %[[BAD]], %[[ONE]], %{{.*}} : i32
// CHECK: return %[[R]], %[[STATUS]]
func.func @embedding(%t: tensor<10x3xf32>, %ids: tensor<?x4xi64, ["batch", ""]>) -> tensor<?x4x3xf32, ["batch", "", ""]> {
  %0 = asg.embedding %t, %ids : (tensor<10x3xf32>, tensor<?x4xi64, ["batch", ""]>) -> tensor<?x4x3xf32, ["batch", "", ""]> loc("e")
  return %0 : tensor<?x4x3xf32, ["batch", "", ""]>
}

// mse_loss: squared differences over the broadcast shape, summed to a
// scalar, divided by the run-time element count.
// CHECK-LABEL: func.func @mse_loss(
// CHECK-SAME: %[[P:.*]]: tensor<?x3xf32>, %[[T:.*]]: tensor<3xf32>) -> (tensor<f32>, i32)
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[COL2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[P]], %[[T]] :
// CHECK: %[[D:.*]] = arith.subf
// CHECK: arith.mulf %[[D]], %[[D]] : f32
// CHECK: %[[NF:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ALL2]]], iterator_types = ["reduction", "reduction"]} ins(%[[SQ]] : tensor<?x3xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<f32>)
// CHECK: arith.divf %{{.*}}, %[[NF]] : f32
// CHECK: return %[[R]], %{{.*}} : tensor<f32>, i32
func.func @mse_loss(%p: tensor<?x3xf32, ["batch", ""]>, %t: tensor<3xf32>) -> tensor<f32> {
  %0 = asg.mse_loss %p, %t : (tensor<?x3xf32, ["batch", ""]>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// cross_entropy: per row max and sum(exp(x - max)); the mean over rows of
// max + log(sum) - logits[row, clamp(target)]. Targets outside [0, C) fail
// a check; the target's batch dim shares the logits' name (no dim check).
// CHECK-LABEL: func.func @cross_entropy(
// CHECK-SAME: %[[L:.*]]: tensor<?x5xf32>, %[[T:.*]]: tensor<?xi32>) -> (tensor<f32>, i32)
// CHECK-NOT: arith.cmpi ne
// CHECK: %[[ANY:.*]] = linalg.generic {{.*}} ins(%[[T]] : tensor<?xi32>)
// CHECK: %[[BAD:.*]] = tensor.extract %[[ANY]][]
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW2]]], iterator_types = ["parallel", "reduction"]} ins(%[[L]] : tensor<?x5xf32>)
// CHECK: arith.maximumf
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW2]], #[[ROW2]]], iterator_types = ["parallel", "reduction"]} ins(%[[L]], %[[MAX]] :
// CHECK: math.exp
// CHECK: %[[TOT:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]], #[[ID1]], #[[ALL1]]], iterator_types = ["reduction"]} ins(%[[MAX]], %[[SUM]], %[[T]] : tensor<?xf32>, tensor<?xf32>, tensor<?xi32>) outs(%{{.*}} : tensor<f32>)
// CHECK: ^bb0(%[[M:.*]]: f32, %[[S:.*]]: f32, %[[TV:.*]]: i32, %[[ACC:.*]]: f32):
// CHECK: %[[ROW:.*]] = linalg.index 0 : index
// CHECK: %[[TI:.*]] = arith.index_cast %[[TV]] : i32 to index
// CHECK: %[[LO:.*]] = arith.minsi %[[TI]], %{{.*}} : index
// CHECK: %[[CLS:.*]] = arith.maxsi %[[LO]], %{{.*}} : index
// CHECK: %[[PICK:.*]] = tensor.extract %[[L]][%[[ROW]], %[[CLS]]] : tensor<?x5xf32>
// CHECK: %[[LOG:.*]] = math.log %[[S]] : f32
// CHECK: %[[LSE:.*]] = arith.addf %[[M]], %[[LOG]] : f32
// CHECK: %[[LOSS:.*]] = arith.subf %[[LSE]], %[[PICK]] : f32
// CHECK: arith.addf %[[ACC]], %[[LOSS]] : f32
// CHECK: %[[NF:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[TOT]] : tensor<f32>)
// CHECK: arith.divf %{{.*}}, %[[NF]] : f32
// CHECK: arith.select %[[BAD]]
// CHECK: return %[[R]]
func.func @cross_entropy(%l: tensor<?x5xf32, ["batch", ""]>, %t: tensor<?xi32, ["batch"]>) -> tensor<f32> {
  %0 = asg.cross_entropy %l, %t : (tensor<?x5xf32, ["batch", ""]>, tensor<?xi32, ["batch"]>) -> tensor<f32> loc("ce")
  return %0 : tensor<f32>
}

// Anonymous dims: the target's dims are checked against the logits first.
// CHECK-LABEL: func.func @cross_entropy_unnamed(
// CHECK-SAME: %[[L:.*]]: tensor<?x5xf32>, %[[T:.*]]: tensor<?xi64>)
// CHECK: %[[DL:.*]] = tensor.dim %[[L]]
// CHECK: %[[DT:.*]] = tensor.dim %[[T]]
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %[[DT]], %[[DL]] : index
// CHECK: %[[SAFE:.*]] = arith.select %[[BAD]], %{{.*}}, %[[T]] : tensor<?xi64>
// CHECK: linalg.generic {{.*}} ins(%[[SAFE]] : tensor<?xi64>)
func.func @cross_entropy_unnamed(%l: tensor<?x5xf32>, %t: tensor<?xi64>) -> tensor<f32> {
  %0 = asg.cross_entropy %l, %t : (tensor<?x5xf32>, tensor<?xi64>) -> tensor<f32> loc("ce2")
  return %0 : tensor<f32>
}

// Rank-1 logits with a rank-0 target: one position, no loops.
// CHECK-LABEL: func.func @cross_entropy_scalar(
// CHECK-SAME: %[[L:.*]]: tensor<7xf32>, %[[T:.*]]: tensor<i64>)
// CHECK: linalg.generic {indexing_maps = [#[[NOLOOPS]], #[[NOLOOPS]], #[[NOLOOPS]], #[[NOLOOPS]]], iterator_types = []} ins(%{{.*}}, %{{.*}}, %[[T]] : tensor<f32>, tensor<f32>, tensor<i64>)
// CHECK: tensor.extract %[[L]][%{{.*}}] : tensor<7xf32>
func.func @cross_entropy_scalar(%l: tensor<7xf32>, %t: tensor<i64>) -> tensor<f32> {
  %0 = asg.cross_entropy %l, %t : (tensor<7xf32>, tensor<i64>) -> tensor<f32>
  return %0 : tensor<f32>
}
