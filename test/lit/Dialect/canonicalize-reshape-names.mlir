// KNOWN BUG (XFAIL): reshape(reshape(x)) -> reshape(x) keeps the outer result
// type, but the shape function of the new reshape can infer a more precise one:
// here the -1 is exactly x's one dynamic dim, so it regains the name 'batch'
// and the verifier rejects the rewritten op ("inferred type(s) ... are
// incompatible"). asgc hits this on a valid model (reshape [batch,4] to [-1],
// then to [-1,4]) and exits 3. The pattern (dialect/AsgOps.cpp) should only fire
// when the inferred type equals the op's result type (or update the type when
// all users allow it). Remove the XFAIL line once fixed.
// XFAIL: *
// RUN: asg-opt %s --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @regains_dim_name(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32, ["batch", ""]>
// CHECK: asg.reshape
// CHECK-SAME: -> tensor<?x4xf32>
func.func @regains_dim_name(%x: tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32> {
  %0 = asg.reshape %x {shape = array<i64: -1>} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?xf32>
  %1 = asg.reshape %0 {shape = array<i64: -1, 4>} : (tensor<?xf32>) -> tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}
