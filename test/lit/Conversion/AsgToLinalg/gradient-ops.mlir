// RUN: asg-opt %s --asg-to-linalg | FileCheck %s
// RUN: asg-opt %s --asg-cpu-pipeline | FileCheck %s --check-prefix=CPU

// The internal ops of asg-autodiff: broadcast_in_dim and one_hot are
// linalg.generic ops, scatter_slice a tensor.insert_slice into zeros,
// reshape_like a flatten + expand_shape (tensor.reshape for several dynamic
// dims). Dims that may differ at run time are checked, with in-bounds
// stand-ins; dynamic dims of the same name are not (the runtime checks them).

// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW0:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[NONE2:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[NONE1:.*]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: module attributes
// CHECK-SAME: asg.checks.bid_dyn = ["'broadcast_in_dim' node 'b': the input's dims do not match the result's at run time"]
// CHECK-SAME: asg.checks.bid_named = []
// CHECK-SAME: asg.checks.bid_scalar = []
// CHECK-SAME: asg.checks.bid_static = []
// CHECK-SAME: asg.checks.bid_static_into_dyn = ["'broadcast_in_dim': the input's dims do not match the result's at run time"]
// CHECK-SAME: asg.checks.one_hot = []
// CHECK-SAME: asg.checks.one_hot_scalar = []
// CHECK-SAME: asg.checks.rl_dyn = ["'reshape_like': the input's element count does not match `like` at run time"]
// CHECK-SAME: asg.checks.rl_named = []
// CHECK-SAME: asg.checks.rl_scalar = ["'reshape_like': the input's element count does not match `like` at run time"]
// CHECK-SAME: asg.checks.rl_static = []
// CHECK-SAME: asg.checks.rl_static_to_dyn = ["'reshape_like': the input's element count does not match `like` at run time"]
// CHECK-SAME: asg.checks.scatter_dyn = ["'scatter_slice' node 's': the update's dims do not match the slice at run time"]
// CHECK-SAME: asg.checks.scatter_dyn_step = ["'scatter_slice': the update's dims do not match the slice at run time"]
// CHECK-SAME: asg.checks.scatter_named = []
// CHECK-SAME: asg.checks.scatter_static = []

// Every function compiles to LLVM through the whole CPU pipeline.
// CPU-DAG: llvm.func internal @bid_static(
// CPU-DAG: llvm.func internal @bid_named(
// CPU-DAG: llvm.func internal @bid_dyn(
// CPU-DAG: llvm.func internal @bid_scalar(
// CPU-DAG: llvm.func internal @bid_static_into_dyn(
// CPU-DAG: llvm.func internal @one_hot(
// CPU-DAG: llvm.func internal @one_hot_scalar(
// CPU-DAG: llvm.func internal @scatter_static(
// CPU-DAG: llvm.func internal @scatter_dyn(
// CPU-DAG: llvm.func internal @scatter_dyn_step(
// CPU-DAG: llvm.func internal @scatter_named(
// CPU-DAG: llvm.func internal @rl_named(
// CPU-DAG: llvm.func internal @rl_dyn(
// CPU-DAG: llvm.func internal @rl_scalar(
// CPU-DAG: llvm.func internal @rl_static_to_dyn(
// CPU-DAG: llvm.func internal @rl_static(
module attributes {asg.model_name = "gradient_ops", asg.entries = []} {

// broadcast_in_dim: x's dim 0 becomes result dim 1; `like` only gives the shape.
// CHECK-LABEL: func.func @bid_static(
// CHECK-SAME: %[[X:.*]]: tensor<3xf32>, %[[LIKE:.*]]: tensor<2x3xf32>) -> (tensor<2x3xf32>, i32)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<3xf32>) outs(%[[E]] : tensor<2x3xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// CHECK: return %[[R]], %{{.*}} : tensor<2x3xf32>, i32
func.func @bid_static(%x: tensor<3xf32>, %like: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = asg.broadcast_in_dim %x, %like {dims = array<i64: 1>} : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// A static-1 input dim reads index 0; the same-named batch dims need no check.
// CHECK-LABEL: func.func @bid_named(
// CHECK-SAME: %[[X:.*]]: tensor<?x1xf32>, %[[LIKE:.*]]: tensor<?x4xf32>) -> (tensor<?x4xf32>, i32)
// CHECK: %[[D:.*]] = tensor.dim %[[LIKE]], %{{.*}} : tensor<?x4xf32>
// CHECK-NOT: arith.cmpi
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x4xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ROW0]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<?x1xf32>) outs(%[[E]] : tensor<?x4xf32>)
// CHECK: return %[[R]], %{{.*}} : tensor<?x4xf32>, i32
func.func @bid_named(%x: tensor<?x1xf32, ["batch", ""]>, %like: tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32, ["batch", ""]> {
  %0 = asg.broadcast_in_dim %x, %like {dims = array<i64: 0, 1>} : (tensor<?x1xf32, ["batch", ""]>, tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32, ["batch", ""]>
  return %0 : tensor<?x4xf32, ["batch", ""]>
}

// An unnamed dynamic input dim is checked against like's; the stand-in has like's dim.
// CHECK-LABEL: func.func @bid_dyn(
// CHECK-SAME: %[[X:.*]]: tensor<?xf32>, %[[LIKE:.*]]: tensor<4x?xf32>) -> (tensor<4x?xf32>, i32)
// CHECK: %[[D:.*]] = tensor.dim %[[LIKE]], %{{.*}} : tensor<4x?xf32>
// CHECK: %[[DX:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?xf32>
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %[[DX]], %[[D]] : index
// CHECK: %[[STANDIN:.*]] = tensor.empty(%[[D]]) : tensor<?xf32>
// CHECK: %[[G:.*]] = arith.select %[[BAD]], %[[STANDIN]], %[[X]] : tensor<?xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<4x?xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[G]] : tensor<?xf32>) outs(%[[E]] : tensor<4x?xf32>)
// CHECK: %[[S:.*]] = arith.select %[[BAD]], %{{.*}}, %{{.*}} : i32
// CHECK: return %[[R]], %[[S]] : tensor<4x?xf32>, i32
func.func @bid_dyn(%x: tensor<?xf32>, %like: tensor<4x?xf32>) -> tensor<4x?xf32> {
  %0 = asg.broadcast_in_dim %x, %like {dims = array<i64: 1>} : (tensor<?xf32>, tensor<4x?xf32>) -> tensor<4x?xf32> loc("b")
  return %0 : tensor<4x?xf32>
}

// A rank-0 input; the result keeps x's dtype, not like's.
// CHECK-LABEL: func.func @bid_scalar(
// CHECK-SAME: %[[X:.*]]: tensor<i32>, %[[LIKE:.*]]: tensor<?x3xf32>) -> (tensor<?x3xi32>, i32)
// CHECK: %[[D:.*]] = tensor.dim %[[LIKE]]
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x3xi32>
// CHECK: linalg.generic {indexing_maps = [#[[NONE2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<i32>) outs(%[[E]] : tensor<?x3xi32>)
func.func @bid_scalar(%x: tensor<i32>, %like: tensor<?x3xf32>) -> tensor<?x3xi32> {
  %0 = asg.broadcast_in_dim %x, %like {dims = array<i64>} : (tensor<i32>, tensor<?x3xf32>) -> tensor<?x3xi32>
  return %0 : tensor<?x3xi32>
}

// A static input dim under a dynamic result dim: the loop uses the static
// size (in bounds), and like's dim is checked against it.
// CHECK-LABEL: func.func @bid_static_into_dyn(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>, %[[LIKE:.*]]: tensor<2x?xf32>) -> (tensor<2x?xf32>, i32)
// CHECK: %[[D:.*]] = tensor.dim %[[LIKE]], %{{.*}} : tensor<2x?xf32>
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %[[D]], %[[C4]] : index
// CHECK: %[[E:.*]] = tensor.empty(%[[C4]]) : tensor<2x?xf32>
// CHECK: linalg.generic {{.*}} ins(%[[X]] : tensor<4xf32>) outs(%[[E]] : tensor<2x?xf32>)
// CHECK: arith.select %[[BAD]]
func.func @bid_static_into_dyn(%x: tensor<4xf32>, %like: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %0 = asg.broadcast_in_dim %x, %like {dims = array<i64: 1>} : (tensor<4xf32>, tensor<2x?xf32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// one_hot: linalg.index of the last dim compared to the id as an index
// (negative or too large ids match nothing); no check.
// CHECK-LABEL: func.func @one_hot(
// CHECK-SAME: %[[IDS:.*]]: tensor<?xi32>) -> (tensor<?x5xf32>, i32)
// CHECK: %[[D:.*]] = tensor.dim %[[IDS]], %{{.*}} : tensor<?xi32>
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x5xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ROW]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[IDS]] : tensor<?xi32>) outs(%[[E]] : tensor<?x5xf32>)
// CHECK: ^bb0(%[[ID:.*]]: i32, %{{.*}}: f32):
// CHECK: %[[I:.*]] = linalg.index 1 : index
// CHECK: %[[IDX:.*]] = arith.index_cast %[[ID]] : i32 to index
// CHECK: %[[HIT:.*]] = arith.cmpi eq, %[[I]], %[[IDX]] : index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[V:.*]] = arith.select %[[HIT]], %[[ONE]], %[[ZERO]] : f32
// CHECK: linalg.yield %[[V]] : f32
// CHECK: return %[[R]], %{{.*}} : tensor<?x5xf32>, i32
func.func @one_hot(%ids: tensor<?xi32>) -> tensor<?x5xf32> {
  %0 = asg.one_hot %ids {depth = 5} : (tensor<?xi32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// CHECK-LABEL: func.func @one_hot_scalar(
// CHECK-SAME: %[[IDS:.*]]: tensor<i64>) -> (tensor<3xf32>, i32)
// CHECK: linalg.generic {indexing_maps = [#[[NONE1]], #[[ID1]]], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%[[IDS]] : tensor<i64>) outs(%{{.*}} : tensor<3xf32>)
// CHECK: linalg.index 0 : index
// CHECK: arith.index_cast %{{.*}} : i64 to index
func.func @one_hot_scalar(%ids: tensor<i64>) -> tensor<3xf32> {
  %0 = asg.one_hot %ids {depth = 3} : (tensor<i64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// scatter_slice on a static dim: offset 1, 2 rows, stride 2, into zeros.
// CHECK-LABEL: func.func @scatter_static(
// CHECK-SAME: %[[U:.*]]: tensor<2x4xf32>, %[[LIKE:.*]]: tensor<6x4xf32>) -> (tensor<6x4xf32>, i32)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<6x4xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<6x4xf32>)
// CHECK: %[[R:.*]] = tensor.insert_slice %[[U]] into %[[Z]][1, 0] [2, 4] [2, 1] : tensor<2x4xf32> into tensor<6x4xf32>
// CHECK: return %[[R]], %{{.*}} : tensor<6x4xf32>, i32
func.func @scatter_static(%u: tensor<2x4xf32>, %like: tensor<6x4xf32>) -> tensor<6x4xf32> {
  %0 = asg.scatter_slice %u, %like {axis = 0, start = 1, end = 5, step = 2} : (tensor<2x4xf32>, tensor<6x4xf32>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// A dynamic axis: start -3 is clamped at run time (max(d - 3, 0)), the count
// is max(d - start, 0), and the update's rows are checked against it.
// CHECK-LABEL: func.func @scatter_dyn(
// CHECK-SAME: %[[U:.*]]: tensor<?x4xf32>, %[[LIKE:.*]]: tensor<?x4xf32>) -> (tensor<?x4xf32>, i32)
// CHECK: %[[D:.*]] = tensor.dim %[[LIKE]], %{{.*}} : tensor<?x4xf32>
// CHECK: %[[DL:.*]] = tensor.dim %[[LIKE]], %{{.*}} : tensor<?x4xf32>
// CHECK: %[[M3:.*]] = arith.constant -3 : index
// CHECK: %[[NEG:.*]] = arith.addi %[[M3]], %[[DL]] : index
// CHECK: %[[START:.*]] = arith.maxsi %[[NEG]], %{{.*}} : index
// CHECK: %[[SPAN:.*]] = arith.subi %[[DL]], %[[START]] : index
// CHECK: %[[N:.*]] = arith.maxsi %[[SPAN]], %{{.*}} : index
// CHECK: %[[DU:.*]] = tensor.dim %[[U]], %{{.*}} : tensor<?x4xf32>
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %[[DU]], %[[N]] : index
// CHECK: %[[STANDIN:.*]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK: %[[G:.*]] = arith.select %[[BAD]], %[[STANDIN]], %[[U]] : tensor<?x4xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x4xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x4xf32>)
// CHECK: %[[R:.*]] = tensor.insert_slice %[[G]] into %[[Z]][%[[START]], 0] [%[[N]], 4] [1, 1] : tensor<?x4xf32> into tensor<?x4xf32>
// CHECK: return %[[R]]
func.func @scatter_dyn(%u: tensor<?x4xf32>, %like: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = asg.scatter_slice %u, %like {axis = 0, start = -3} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32> loc("s")
  return %0 : tensor<?x4xf32>
}

// A step on a dynamic axis: count = (span + step - 1) / step, unsigned.
// CHECK-LABEL: func.func @scatter_dyn_step(
// CHECK: %[[N:.*]] = arith.divui %{{.*}}, %{{.*}} : index
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[%{{.*}}, 0] [%[[N]], 2] [2, 1] : tensor<?x2xf32> into tensor<?x2xf32>
func.func @scatter_dyn_step(%u: tensor<?x2xf32>, %like: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %0 = asg.scatter_slice %u, %like {axis = 0, start = 1, end = -1, step = 2} : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// Slicing the last axis (negative) of an i64 tensor; the batch dims are named
// alike, so no check; the zeros are i64.
// CHECK-LABEL: func.func @scatter_named(
// CHECK-SAME: %[[U:.*]]: tensor<?x2xi64>, %[[LIKE:.*]]: tensor<?x6xi64>) -> (tensor<?x6xi64>, i32)
// CHECK-NOT: arith.cmpi
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK: linalg.fill ins(%[[ZERO]] : i64)
// CHECK: %[[DU:.*]] = tensor.dim %[[U]], %{{.*}} : tensor<?x2xi64>
// CHECK: tensor.insert_slice %[[U]] into %{{.*}}[0, 2] [%[[DU]], 2] [1, 1] : tensor<?x2xi64> into tensor<?x6xi64>
func.func @scatter_named(%u: tensor<?x2xi64, ["batch", ""]>, %like: tensor<?x6xi64, ["batch", ""]>) -> tensor<?x6xi64, ["batch", ""]> {
  %0 = asg.scatter_slice %u, %like {axis = -1, start = 2, end = 4} : (tensor<?x2xi64, ["batch", ""]>, tensor<?x6xi64, ["batch", ""]>) -> tensor<?x6xi64, ["batch", ""]>
  return %0 : tensor<?x6xi64, ["batch", ""]>
}

// reshape_like with dynamic dims of the same name: no count check.
// CHECK-LABEL: func.func @rl_named(
// CHECK-SAME: %[[X:.*]]: tensor<?x12xf32>, %[[LIKE:.*]]: tensor<?x3x4xf32>) -> (tensor<?x3x4xf32>, i32)
// CHECK: %[[D:.*]] = tensor.dim %[[LIKE]], %{{.*}} : tensor<?x3x4xf32>
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<?x12xf32> into tensor<?xf32>
// CHECK-NOT: arith.cmpi
// CHECK: %[[R:.*]] = tensor.expand_shape %[[F]] {{\[}}[0, 1, 2]] output_shape [%[[D]], 3, 4] : tensor<?xf32> into tensor<?x3x4xf32>
// CHECK: return %[[R]]
func.func @rl_named(%x: tensor<?x12xf32, ["b", ""]>, %like: tensor<?x3x4xf32, ["b", "", ""]>) -> tensor<?x3x4xf32, ["b", "", ""]> {
  %0 = asg.reshape_like %x, %like : (tensor<?x12xf32, ["b", ""]>, tensor<?x3x4xf32, ["b", "", ""]>) -> tensor<?x3x4xf32, ["b", "", ""]>
  return %0 : tensor<?x3x4xf32, ["b", "", ""]>
}

// Several dynamic result dims: the count (d0 * d1) is checked, and
// tensor.reshape takes a shape tensor (expand_shape could not be bufferized).
// CHECK-LABEL: func.func @rl_dyn(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>, %[[LIKE:.*]]: tensor<?x?xf32>) -> (tensor<?x?xf32>, i32)
// CHECK: %[[D0:.*]] = tensor.dim %[[LIKE]], %{{.*}} : tensor<?x?xf32>
// CHECK: %[[D1:.*]] = tensor.dim %[[LIKE]], %{{.*}} : tensor<?x?xf32>
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<?x4xf32> into tensor<?xf32>
// CHECK: %[[N:.*]] = arith.muli %[[D0]], %[[D1]] : index
// CHECK: %[[DF:.*]] = tensor.dim %[[F]], %{{.*}} : tensor<?xf32>
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %[[DF]], %[[N]] : index
// CHECK: %[[STANDIN:.*]] = tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK: %[[G:.*]] = arith.select %[[BAD]], %[[STANDIN]], %[[F]] : tensor<?xf32>
// CHECK: %[[SHAPE:.*]] = tensor.from_elements %[[D0]], %[[D1]] : tensor<2xindex>
// CHECK: %[[R:.*]] = tensor.reshape %[[G]](%[[SHAPE]]) : (tensor<?xf32>, tensor<2xindex>) -> tensor<?x?xf32>
// CHECK: return %[[R]]
func.func @rl_dyn(%x: tensor<?x4xf32>, %like: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = asg.reshape_like %x, %like : (tensor<?x4xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// To rank 0: the count must be 1.
// CHECK-LABEL: func.func @rl_scalar(
// CHECK-SAME: %[[X:.*]]: tensor<?xf32>, %[[LIKE:.*]]: tensor<f32>) -> (tensor<f32>, i32)
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK: %[[D:.*]] = tensor.dim %[[X]]
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %[[D]], %[[C1]] : index
// CHECK: %[[G:.*]] = arith.select %[[BAD]], %{{.*}}, %[[X]] : tensor<?xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[G]] : tensor<?xf32> to tensor<1xf32>
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[C]] [] : tensor<1xf32> into tensor<f32>
// CHECK: return %[[R]]
func.func @rl_scalar(%x: tensor<?xf32>, %like: tensor<f32>) -> tensor<f32> {
  %0 = asg.reshape_like %x, %like : (tensor<?xf32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// A static input into a dynamic like: the flat input is made dynamic so
// that the stand-in can have like's count.
// CHECK-LABEL: func.func @rl_static_to_dyn(
// CHECK-SAME: %[[X:.*]]: tensor<2x6xf32>, %[[LIKE:.*]]: tensor<?x4xf32>) -> (tensor<?x4xf32>, i32)
// CHECK: %[[D:.*]] = tensor.dim %[[LIKE]]
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<2x6xf32> into tensor<12xf32>
// CHECK: %[[N:.*]] = arith.muli %{{.*}}, %[[D]] : index
// CHECK: %[[FD:.*]] = tensor.cast %[[F]] : tensor<12xf32> to tensor<?xf32>
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %{{.*}}, %[[N]] : index
// CHECK: %[[G:.*]] = arith.select %[[BAD]], %{{.*}}, %[[FD]] : tensor<?xf32>
// CHECK: tensor.expand_shape %[[G]] {{\[}}[0, 1]] output_shape [%[[D]], 4] : tensor<?xf32> into tensor<?x4xf32>
func.func @rl_static_to_dyn(%x: tensor<2x6xf32>, %like: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = asg.reshape_like %x, %like : (tensor<2x6xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @rl_static(
// CHECK-SAME: %[[X:.*]]: tensor<6xf32>, %[[LIKE:.*]]: tensor<2x3xf32>) -> (tensor<2x3xf32>, i32)
// CHECK-NOT: arith.cmpi
// CHECK: %[[R:.*]] = tensor.expand_shape %[[X]] {{\[}}[0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
// CHECK: return %[[R]]
func.func @rl_static(%x: tensor<6xf32>, %like: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = asg.reshape_like %x, %like : (tensor<6xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

}
