// RUN: asg-opt %s --asg-to-linalg | FileCheck %s

// Shape ops: reshape (collapse to 1-D, expand), transpose (linalg.transpose),
// slice (tensor.extract_slice), concat (tensor.insert_slice into an empty
// tensor), broadcast_to (a broadcasting linalg.generic).

// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[LAST:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: module attributes
// CHECK-SAME: asg.checks.broadcast_to = ["'broadcast_to' node 'bt': a dynamic input dim does not match the target shape at run time"]
// CHECK-SAME: asg.checks.concat = ["'concat': the dims of input 3 do not match input 1 at run time"]
// CHECK-SAME: asg.checks.concat_dynamic_axis = []
// CHECK-SAME: asg.checks.reshape_inferred = ["'reshape': the input's element count does not fit the target shape at run time"]
// CHECK-SAME: asg.checks.reshape_named = []
// CHECK-SAME: asg.checks.reshape_to_static = ["'reshape': the input's element count does not fit the target shape at run time"]
// CHECK-SAME: asg.checks.slice_dynamic = []

// A static reshape collapses to 1-D and expands to the target.
// CHECK-LABEL: func.func @reshape_static(
// CHECK-SAME: %[[X:.*]]: tensor<4x6xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<4x6xf32> into tensor<24xf32>
// CHECK: %[[R:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [3, 8] : tensor<24xf32> into tensor<3x8xf32>
// CHECK: return %[[R]]
func.func @reshape_static(%x: tensor<4x6xf32>) -> tensor<3x8xf32> {
  %0 = asg.reshape %x {shape = array<i64: 3, 8>} : (tensor<4x6xf32>) -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// The -1 is exactly the dynamic input dim: its size is known, no check.
// CHECK-LABEL: func.func @reshape_named(
// CHECK-SAME: %[[X:.*]]: tensor<?x6xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<?x6xf32> into tensor<?xf32>
// CHECK: %[[B:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x6xf32>
// CHECK-NOT: arith.cmpi
// CHECK: tensor.expand_shape %[[FLAT]] {{\[}}[0, 1, 2]] output_shape [%[[B]], 2, 3] : tensor<?xf32> into tensor<?x2x3xf32>
func.func @reshape_named(%x: tensor<?x6xf32, ["batch", ""]>) -> tensor<?x2x3xf32, ["batch", "", ""]> {
  %0 = asg.reshape %x {shape = array<i64: -1, 2, 3>} : (tensor<?x6xf32, ["batch", ""]>) -> tensor<?x2x3xf32, ["batch", "", ""]>
  return %0 : tensor<?x2x3xf32, ["batch", "", ""]>
}

// A -1 that only run time can size: count / 4, and a check that 4 divides
// the count; on a mismatch the flat tensor is replaced by an in-bounds stand-in.
// CHECK-LABEL: func.func @reshape_inferred(
// CHECK-SAME: %[[X:.*]]: tensor<?x6xi32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<?x6xi32> into tensor<?xi32>
// CHECK: %[[N:.*]] = tensor.dim %[[FLAT]]
// CHECK: %[[ROWS:.*]] = arith.divui %[[N]], %{{.*}} : index
// CHECK: %[[FIT:.*]] = arith.muli %[[ROWS]], %{{.*}} : index
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %{{.*}}, %[[FIT]] : index
// CHECK: %[[STANDIN:.*]] = tensor.empty(%[[FIT]]) : tensor<?xi32>
// CHECK: %[[SAFE:.*]] = arith.select %[[BAD]], %[[STANDIN]], %[[FLAT]] : tensor<?xi32>
// CHECK: tensor.expand_shape %[[SAFE]] {{\[}}[0, 1]] output_shape [%[[ROWS]], 4] : tensor<?xi32> into tensor<?x4xi32>
// CHECK: arith.select %[[BAD]]
func.func @reshape_inferred(%x: tensor<?x6xi32>) -> tensor<?x4xi32> {
  %0 = asg.reshape %x {shape = array<i64: -1, 4>} : (tensor<?x6xi32>) -> tensor<?x4xi32>
  return %0 : tensor<?x4xi32>
}

// A dynamic input to a static shape: the count must be 12.
// CHECK-LABEL: func.func @reshape_to_static(
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} : tensor<?x4xf32> into tensor<?xf32>
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %{{.*}}, %c12 : index
// CHECK: %[[SAFE:.*]] = arith.select %[[BAD]], %{{.*}}, %[[FLAT]] : tensor<?xf32>
// CHECK: %[[CAST:.*]] = tensor.cast %[[SAFE]] : tensor<?xf32> to tensor<12xf32>
// CHECK: tensor.expand_shape %[[CAST]] {{\[}}[0, 1]] output_shape [2, 6] : tensor<12xf32> into tensor<2x6xf32>
func.func @reshape_to_static(%x: tensor<?x4xf32>) -> tensor<2x6xf32> {
  %0 = asg.reshape %x {shape = array<i64: 2, 6>} : (tensor<?x4xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// CHECK-LABEL: func.func @reshape_scalar(
// CHECK: %[[ONE:.*]] = tensor.expand_shape %{{.*}} [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK: tensor.expand_shape %[[ONE]] {{\[}}[0, 1]] output_shape [1, 1] : tensor<1xf32> into tensor<1x1xf32>
func.func @reshape_scalar(%x: tensor<f32>) -> tensor<1x1xf32> {
  %0 = asg.reshape %x {shape = array<i64: 1, 1>} : (tensor<f32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// CHECK-LABEL: func.func @reshape_to_scalar(
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<1x1xf32> into tensor<1xf32>
// CHECK: tensor.collapse_shape %[[FLAT]] [] : tensor<1xf32> into tensor<f32>
func.func @reshape_to_scalar(%x: tensor<1x1xf32>) -> tensor<f32> {
  %0 = asg.reshape %x {shape = array<i64>} : (tensor<1x1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// The default perm reverses the dims; negative perm entries count from the end.
// CHECK-LABEL: func.func @transpose(
// CHECK-SAME: %[[X:.*]]: tensor<?x2x3xf32>)
// CHECK: %[[B:.*]] = tensor.dim %[[X]]
// CHECK: %[[E:.*]] = tensor.empty(%[[B]]) : tensor<3x2x?xf32>
// CHECK: linalg.transpose ins(%[[X]] : tensor<?x2x3xf32>) outs(%[[E]] : tensor<3x2x?xf32>) permutation = [2, 1, 0]
// CHECK: linalg.transpose ins(%[[X]] : tensor<?x2x3xf32>) outs(%{{.*}} : tensor<?x3x2xf32>) permutation = [0, 2, 1]
func.func @transpose(%x: tensor<?x2x3xf32>) -> (tensor<3x2x?xf32>, tensor<?x3x2xf32>) {
  %0 = asg.transpose %x : (tensor<?x2x3xf32>) -> tensor<3x2x?xf32>
  %1 = asg.transpose %x {perm = array<i64: 0, -1, 1>} : (tensor<?x2x3xf32>) -> tensor<?x3x2xf32>
  return %0, %1 : tensor<3x2x?xf32>, tensor<?x3x2xf32>
}

// Static dims: Python clamping at compile time.
// CHECK-LABEL: func.func @slice_static(
// CHECK-SAME: %[[X:.*]]: tensor<4x6xf32>)
// CHECK: tensor.extract_slice %[[X]][0, 2] [4, 3] [1, 1] : tensor<4x6xf32> to tensor<4x3xf32>
// CHECK: tensor.extract_slice %[[X]][0, 0] [2, 6] [3, 1] : tensor<4x6xf32> to tensor<2x6xf32>
func.func @slice_static(%x: tensor<4x6xf32>) -> (tensor<4x3xf32>, tensor<2x6xf32>) {
  %0 = asg.slice %x {axis = -1 : i64, start = -4 : i64, end = -1 : i64} : (tensor<4x6xf32>) -> tensor<4x3xf32>
  %1 = asg.slice %x {axis = 0 : i64, start = -10 : i64, end = 100 : i64, step = 3 : i64} : (tensor<4x6xf32>) -> tensor<2x6xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<2x6xf32>
}

// A dynamic dim: start/end clamped at run time, size ceil(span / step).
// CHECK-LABEL: func.func @slice_dynamic(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>)
// CHECK: %[[D:.*]] = tensor.dim %[[X]]
// CHECK: %[[NEG:.*]] = arith.addi %{{.*}}, %[[D]] : index
// CHECK: %[[START:.*]] = arith.maxsi %[[NEG]], %{{.*}} : index
// CHECK: %[[SPAN:.*]] = arith.subi %[[D]], %[[START]] : index
// CHECK: %[[SIZE:.*]] = arith.maxsi %[[SPAN]], %{{.*}} : index
// CHECK: tensor.extract_slice %[[X]][%[[START]], 0] [%[[SIZE]], 4] [1, 1] : tensor<?x4xf32> to tensor<?x4xf32>
// CHECK: %[[D2:.*]] = tensor.dim %[[X]]
// CHECK: %[[S:.*]] = arith.minsi %{{.*}}, %[[D2]] : index
// CHECK: %[[E:.*]] = arith.minsi %{{.*}}, %[[D2]] : index
// CHECK: %[[SP:.*]] = arith.subi %[[E]], %[[S]] : index
// CHECK: %[[SPP:.*]] = arith.maxsi %[[SP]], %{{.*}} : index
// CHECK: %[[UP:.*]] = arith.addi %[[SPP]], %{{.*}} : index
// CHECK: %[[N:.*]] = arith.divui %[[UP]], %{{.*}} : index
// CHECK: tensor.extract_slice %[[X]][%[[S]], 0] [%[[N]], 4] [2, 1] : tensor<?x4xf32> to tensor<?x4xf32>
func.func @slice_dynamic(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = asg.slice %x {axis = 0 : i64, start = -2 : i64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = asg.slice %x {axis = 0 : i64, start = 1 : i64, end = 5 : i64, step = 2 : i64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>
}

// concat inserts each input into an empty result; the anonymous dynamic dim
// of the third input is checked against the first (the second shares its name).
// CHECK-LABEL: func.func @concat(
// CHECK-SAME: %[[X:.*]]: tensor<?x6xf32>, %[[Y:.*]]: tensor<?x4xf32>, %[[Z:.*]]: tensor<?x2xf32>)
// CHECK: %[[B:.*]] = tensor.dim %[[X]]
// CHECK: %[[BZ:.*]] = tensor.dim %[[Z]]
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %[[BZ]], %[[B]] : index
// CHECK: %[[SAFE:.*]] = arith.select %[[BAD]], %{{.*}}, %[[Z]] : tensor<?x2xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[B]]) : tensor<?x12xf32>
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[X]] into %[[E]][0, 0] [%[[B]], 6] [1, 1] : tensor<?x6xf32> into tensor<?x12xf32>
// CHECK: %[[I1:.*]] = tensor.insert_slice %[[Y]] into %[[I0]][0, 6] [%[[B]], 4] [1, 1] : tensor<?x4xf32> into tensor<?x12xf32>
// CHECK: %[[I2:.*]] = tensor.insert_slice %[[SAFE]] into %[[I1]][0, 10] [%[[B]], 2] [1, 1] : tensor<?x2xf32> into tensor<?x12xf32>
// CHECK: return %[[I2]]
func.func @concat(%x: tensor<?x6xf32, ["batch", ""]>, %y: tensor<?x4xf32, ["batch", ""]>, %z: tensor<?x2xf32>) -> tensor<?x12xf32, ["batch", ""]> {
  %0 = asg.concat %x, %y, %z {axis = -1 : i64} : (tensor<?x6xf32, ["batch", ""]>, tensor<?x4xf32, ["batch", ""]>, tensor<?x2xf32>) -> tensor<?x12xf32, ["batch", ""]>
  return %0 : tensor<?x12xf32, ["batch", ""]>
}

// CHECK-LABEL: func.func @concat_dynamic_axis(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xi64>, %[[Y:.*]]: tensor<2x4xi64>)
// CHECK: %[[N:.*]] = arith.addi %[[D:.*]], %{{.*}} : index
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x4xi64>
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[X]] into %[[E]][0, 0] [%[[D]], 4] [1, 1]
// CHECK: tensor.insert_slice %[[Y]] into %[[I0]][%[[D]], 0] [2, 4] [1, 1] : tensor<2x4xi64> into tensor<?x4xi64>
func.func @concat_dynamic_axis(%x: tensor<?x4xi64>, %y: tensor<2x4xi64>) -> tensor<?x4xi64> {
  %0 = asg.concat %x, %y {axis = 0 : i64} : (tensor<?x4xi64>, tensor<2x4xi64>) -> tensor<?x4xi64>
  return %0 : tensor<?x4xi64>
}

// broadcast_to: a broadcasting linalg.generic; a dynamic input dim must equal
// the static target (checked, stand-in, then cast to the static type).
// CHECK-LABEL: func.func @broadcast_to(
// CHECK-SAME: %[[X:.*]]: tensor<3x1xf32>, %[[Y:.*]]: tensor<?xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[COL]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<3x1xf32>) outs(%{{.*}} : tensor<2x3x5xf32>)
// CHECK: %[[D:.*]] = tensor.dim %[[Y]]
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %[[D]], %c3{{(_[0-9]+)?}} : index
// CHECK: %[[SAFE:.*]] = arith.select %[[BAD]], %{{.*}}, %[[Y]] : tensor<?xf32>
// CHECK: %[[CAST:.*]] = tensor.cast %[[SAFE]] : tensor<?xf32> to tensor<3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[LAST]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[CAST]] : tensor<3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: linalg.yield
func.func @broadcast_to(%x: tensor<3x1xf32>, %y: tensor<?xf32>) -> (tensor<2x3x5xf32>, tensor<2x3xf32>) {
  %0 = asg.broadcast_to %x {shape = array<i64: 2, 3, 5>} : (tensor<3x1xf32>) -> tensor<2x3x5xf32>
  %1 = asg.broadcast_to %y {shape = array<i64: 2, 3>} : (tensor<?xf32>) -> tensor<2x3xf32> loc("bt")
  return %0, %1 : tensor<2x3x5xf32>, tensor<2x3xf32>
}
