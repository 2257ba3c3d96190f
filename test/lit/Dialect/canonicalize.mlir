// Folders and canonicalization patterns of asg ops (dialect/AsgOps.cpp).
// RUN: asg-opt %s --canonicalize --split-input-file | FileCheck %s

// reshape(reshape(x)) is one reshape of x: only the final shape matters.
// CHECK-LABEL: func.func @reshape_of_reshape(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x4xf32>
// CHECK-NEXT: %[[R:.*]] = asg.reshape %[[X]] {shape = array<i64: 4, -1>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = asg.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %1 = asg.reshape %0 {shape = array<i64: 4, -1>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// A chain back to the input's shape disappears.
// CHECK-LABEL: func.func @reshape_round_trip(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>
// CHECK-NEXT: return %[[X]]
func.func @reshape_round_trip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = asg.reshape %x {shape = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xf32>
  %1 = asg.reshape %0 {shape = array<i64: 3, 2>} : (tensor<6xf32>) -> tensor<3x2xf32>
  %2 = asg.reshape %1 {shape = array<i64: 2, 3>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// -----

// Reshapes to their own type fold, static or dynamic: with at most one -1,
// equal types leave no other way to place the elements.
// CHECK-LABEL: func.func @identity_reshape(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>, %[[D:.*]]: tensor<?x3xf32, ["batch", ""]>
// CHECK-NEXT: return %[[X]], %[[D]]
func.func @identity_reshape(%x: tensor<2x3xf32>, %d: tensor<?x3xf32, ["batch", ""]>)
    -> (tensor<2x3xf32>, tensor<?x3xf32, ["batch", ""]>) {
  %0 = asg.reshape %x {shape = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = asg.reshape %d {shape = array<i64: -1, 3>} : (tensor<?x3xf32, ["batch", ""]>) -> tensor<?x3xf32, ["batch", ""]>
  return %0, %1 : tensor<2x3xf32>, tensor<?x3xf32, ["batch", ""]>
}

// -----

// Identity transposes fold: no perm on rank 0 and 1, the identity perm
// (negative entries included); others stay.
// CHECK-LABEL: func.func @identity_transpose(
// CHECK-SAME: %[[S:.*]]: tensor<f32>, %[[V:.*]]: tensor<4xf32>, %[[T:.*]]: tensor<2x3x4xf32>
// CHECK-NEXT: %[[R:.*]] = asg.transpose %[[T]] : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
// CHECK-NEXT: %[[P:.*]] = asg.transpose %[[T]] {perm = array<i64: 1, 0, 2>}
// CHECK-NEXT: return %[[S]], %[[V]], %[[T]], %[[T]], %[[R]], %[[P]]
func.func @identity_transpose(%s: tensor<f32>, %v: tensor<4xf32>, %t: tensor<2x3x4xf32>)
    -> (tensor<f32>, tensor<4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<4x3x2xf32>, tensor<3x2x4xf32>) {
  %0 = asg.transpose %s : (tensor<f32>) -> tensor<f32>
  %1 = asg.transpose %v : (tensor<4xf32>) -> tensor<4xf32>
  %2 = asg.transpose %t {perm = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %3 = asg.transpose %t {perm = array<i64: -3, 1, -1>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %4 = asg.transpose %t : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  %5 = asg.transpose %t {perm = array<i64: 1, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<f32>, tensor<4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<4x3x2xf32>, tensor<3x2x4xf32>
}

// -----

// A cast to the same dtype and a broadcast_to the same shape fold, dim names
// included; real conversions and broadcasts stay.
// CHECK-LABEL: func.func @identity_cast_broadcast(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32, ["batch", ""]>, %[[Y:.*]]: tensor<2x3xf32>
// CHECK-NEXT: %[[C:.*]] = asg.cast %[[X]] {dtype = i64}
// CHECK-NEXT: %[[B:.*]] = asg.broadcast_to %[[Y]] {shape = array<i64: 5, 2, 3>}
// CHECK-NEXT: return %[[X]], %[[C]], %[[Y]], %[[B]]
func.func @identity_cast_broadcast(%x: tensor<?x4xf32, ["batch", ""]>, %y: tensor<2x3xf32>)
    -> (tensor<?x4xf32, ["batch", ""]>, tensor<?x4xi64, ["batch", ""]>, tensor<2x3xf32>, tensor<5x2x3xf32>) {
  %0 = asg.cast %x {dtype = f32} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32, ["batch", ""]>
  %1 = asg.cast %x {dtype = i64} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xi64, ["batch", ""]>
  %2 = asg.broadcast_to %y {shape = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = asg.broadcast_to %y {shape = array<i64: 5, 2, 3>} : (tensor<2x3xf32>) -> tensor<5x2x3xf32>
  return %0, %1, %2, %3 : tensor<?x4xf32, ["batch", ""]>, tensor<?x4xi64, ["batch", ""]>, tensor<2x3xf32>, tensor<5x2x3xf32>
}

// -----

// Constants fold to themselves, arithmetic on splat constants folds (in f32),
// unused constants and other dead pure ops are erased.
// CHECK-LABEL: func.func @constants(
// CHECK-NEXT: %[[C:.*]] = asg.constant dense<2.000000e+00> : tensor<3xf32>
// CHECK-NEXT: return %[[C]]
func.func @constants(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = asg.constant dense<1.0> : tensor<3xf32>
  %1 = asg.constant dense<1.0> : tensor<3xf32>
  %2 = asg.constant dense<2.0> : tensor<3xf32>
  %3 = asg.exp %x : (tensor<3xf32>) -> tensor<3xf32>
  %4 = asg.add %0, %1 : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %4 : tensor<3xf32>
}

// -----

// x + 0, x - 0, x * 1 and x / 1 are x when they do not broadcast x; a sum over
// no axes is its input; transposes compose (here into the identity).
// CHECK-LABEL: func.func @identities(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x4xf32, ["batch", ""]>
// CHECK-NEXT: %[[Z:.*]] = asg.constant dense<0.000000e+00> : tensor<2x1x4xf32>
// CHECK-NEXT: %[[B:.*]] = asg.add %[[X]], %[[Z]]
// CHECK-SAME: -> tensor<2x?x4xf32, ["", "batch", ""]>
// CHECK-NEXT: return %[[X]], %[[B]], %[[X]]
func.func @identities(%x: tensor<?x4xf32, ["batch", ""]>) -> (tensor<?x4xf32, ["batch", ""]>, tensor<2x?x4xf32, ["", "batch", ""]>, tensor<?x4xf32, ["batch", ""]>) {
  %zero = asg.constant dense<0.0> : tensor<f32>
  %one = asg.constant dense<1.0> : tensor<f32>
  %zeros = asg.constant dense<0.0> : tensor<2x1x4xf32>
  %0 = asg.add %x, %zero : (tensor<?x4xf32, ["batch", ""]>, tensor<f32>) -> tensor<?x4xf32, ["batch", ""]>
  %1 = asg.sub %0, %zero : (tensor<?x4xf32, ["batch", ""]>, tensor<f32>) -> tensor<?x4xf32, ["batch", ""]>
  %2 = asg.mul %one, %1 : (tensor<f32>, tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32, ["batch", ""]>
  %3 = asg.div %2, %one : (tensor<?x4xf32, ["batch", ""]>, tensor<f32>) -> tensor<?x4xf32, ["batch", ""]>
  %4 = asg.sum %3 {axes = array<i64>} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32, ["batch", ""]>
  %5 = asg.add %4, %zeros : (tensor<?x4xf32, ["batch", ""]>, tensor<2x1x4xf32>) -> tensor<2x?x4xf32, ["", "batch", ""]>
  %6 = asg.transpose %4 {perm = array<i64: 1, 0>} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<4x?xf32, ["", "batch"]>
  %7 = asg.transpose %6 {perm = array<i64: 1, 0>} : (tensor<4x?xf32, ["", "batch"]>) -> tensor<?x4xf32, ["batch", ""]>
  return %4, %5, %7 : tensor<?x4xf32, ["batch", ""]>, tensor<2x?x4xf32, ["", "batch", ""]>, tensor<?x4xf32, ["batch", ""]>
}
