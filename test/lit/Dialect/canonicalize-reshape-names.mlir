// reshape(reshape(x)) -> reshape(x) only when the folded op keeps its result
// type: here the -1 is exactly x's one dynamic dim, so reshape(x) would regain
// the name 'batch' while the users expect an anonymous dim; both stay.
// RUN: asg-opt %s --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @regains_dim_name(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32, ["batch", ""]>
// CHECK: asg.reshape
// CHECK: asg.reshape
// CHECK-SAME: -> tensor<?x4xf32>
func.func @regains_dim_name(%x: tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32> {
  %0 = asg.reshape %x {shape = array<i64: -1>} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?xf32>
  %1 = asg.reshape %0 {shape = array<i64: -1, 4>} : (tensor<?xf32>) -> tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}
