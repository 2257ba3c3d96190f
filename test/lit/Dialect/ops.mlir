// Round trip of every asg op: print, parse the printed form again, and check
// the second print (custom form, attributes, dim-name encodings).
// RUN: asg-opt %s | asg-opt | FileCheck %s
// RUN: asg-opt %s -mlir-print-op-generic | asg-opt | FileCheck %s

// CHECK-LABEL: func.func @elementwise(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32, ["batch", ""]>, %[[Y:.*]]: tensor<1x4xf32>, %[[S:.*]]: tensor<f32>, %[[N:.*]]: tensor<?xi64, ["batch"]>
func.func @elementwise(%x: tensor<?x4xf32, ["batch", ""]>, %y: tensor<1x4xf32>, %s: tensor<f32>,
                       %n: tensor<?xi64, ["batch"]>) {
  // CHECK: asg.add %[[X]], %[[Y]] : (tensor<?x4xf32, ["batch", ""]>, tensor<1x4xf32>) -> tensor<?x4xf32, ["batch", ""]>
  %0 = asg.add %x, %y : (tensor<?x4xf32, ["batch", ""]>, tensor<1x4xf32>) -> tensor<?x4xf32, ["batch", ""]>
  // CHECK: asg.sub %[[X]], %[[S]] : (tensor<?x4xf32, ["batch", ""]>, tensor<f32>) -> tensor<?x4xf32, ["batch", ""]>
  %1 = asg.sub %x, %s : (tensor<?x4xf32, ["batch", ""]>, tensor<f32>) -> tensor<?x4xf32, ["batch", ""]>
  // CHECK: asg.mul %[[Y]], %[[S]] : (tensor<1x4xf32>, tensor<f32>) -> tensor<1x4xf32>
  %2 = asg.mul %y, %s : (tensor<1x4xf32>, tensor<f32>) -> tensor<1x4xf32>
  // CHECK: asg.div %[[N]], %[[N]] : (tensor<?xi64, ["batch"]>, tensor<?xi64, ["batch"]>) -> tensor<?xi64, ["batch"]>
  %3 = asg.div %n, %n : (tensor<?xi64, ["batch"]>, tensor<?xi64, ["batch"]>) -> tensor<?xi64, ["batch"]>
  // CHECK: asg.pow %[[Y]], %[[Y]] : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %4 = asg.pow %y, %y : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.maximum %[[Y]], %[[Y]] : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %5 = asg.maximum %y, %y : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.minimum %[[S]], %[[S]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %6 = asg.minimum %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  // CHECK: asg.greater %[[N]], %[[N]] : (tensor<?xi64, ["batch"]>, tensor<?xi64, ["batch"]>) -> tensor<?xf32, ["batch"]>
  %7 = asg.greater %n, %n : (tensor<?xi64, ["batch"]>, tensor<?xi64, ["batch"]>) -> tensor<?xf32, ["batch"]>
  // CHECK: asg.less %[[X]], %[[Y]] : (tensor<?x4xf32, ["batch", ""]>, tensor<1x4xf32>) -> tensor<?x4xf32, ["batch", ""]>
  %8 = asg.less %x, %y : (tensor<?x4xf32, ["batch", ""]>, tensor<1x4xf32>) -> tensor<?x4xf32, ["batch", ""]>
  // CHECK: asg.equal %[[S]], %[[S]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %9 = asg.equal %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  // CHECK: asg.where %[[Y]], %[[X]], %[[S]] : (tensor<1x4xf32>, tensor<?x4xf32, ["batch", ""]>, tensor<f32>) -> tensor<?x4xf32, ["batch", ""]>
  %10 = asg.where %y, %x, %s : (tensor<1x4xf32>, tensor<?x4xf32, ["batch", ""]>, tensor<f32>) -> tensor<?x4xf32, ["batch", ""]>
  // CHECK: asg.neg %[[N]] : (tensor<?xi64, ["batch"]>) -> tensor<?xi64, ["batch"]>
  %11 = asg.neg %n : (tensor<?xi64, ["batch"]>) -> tensor<?xi64, ["batch"]>
  // CHECK: asg.abs %[[N]] : (tensor<?xi64, ["batch"]>) -> tensor<?xi64, ["batch"]>
  %12 = asg.abs %n : (tensor<?xi64, ["batch"]>) -> tensor<?xi64, ["batch"]>
  // CHECK: asg.exp %[[Y]] : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %13 = asg.exp %y : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.log %[[Y]]
  %14 = asg.log %y : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.sqrt %[[Y]]
  %15 = asg.sqrt %y : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.rsqrt %[[Y]]
  %16 = asg.rsqrt %y : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.tanh %[[Y]]
  %17 = asg.tanh %y : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.sigmoid %[[Y]]
  %18 = asg.sigmoid %y : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.relu %[[X]] : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32, ["batch", ""]>
  %19 = asg.relu %x : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32, ["batch", ""]>
  // CHECK: asg.silu %[[Y]]
  %20 = asg.silu %y : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.softplus %[[Y]]
  %21 = asg.softplus %y : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.gelu %[[Y]] : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %22 = asg.gelu %y : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.gelu %[[Y]] {approximate = "tanh"} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %23 = asg.gelu %y {approximate = "tanh"} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.leaky_relu %[[Y]] {alpha = 2.000000e-01 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %24 = asg.leaky_relu %y {alpha = 0.2 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.elu %[[Y]] : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %25 = asg.elu %y : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.clamp %[[Y]] {max = 1.500000e+00 : f64, min = -1.000000e+00 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %26 = asg.clamp %y {min = -1.0 : f64, max = 1.5 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK: asg.clamp %[[Y]] {min = 0.000000e+00 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %27 = asg.clamp %y {min = 0.0 : f64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return
}

// CHECK-LABEL: func.func @constants(
func.func @constants() -> (tensor<f32>, tensor<2x2xi64>, tensor<2x3xf32>, tensor<0xi32>) {
  // CHECK: asg.constant dense<2.000000e+00> : tensor<f32>
  %0 = asg.constant dense<2.0> : tensor<f32>
  // CHECK: asg.constant dense<{{\[\[}}1, 2], [3, 4]]> : tensor<2x2xi64>
  %1 = asg.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  // CHECK: asg.constant dense<5.000000e-01> : tensor<2x3xf32>
  %2 = asg.constant dense<0.5> : tensor<2x3xf32>
  // CHECK: asg.constant dense<> : tensor<0xi32>
  %3 = asg.constant dense<> : tensor<0xi32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<2x2xi64>, tensor<2x3xf32>, tensor<0xi32>
}

// CHECK-LABEL: func.func @linalg_and_reductions(
// CHECK-SAME: %[[T:.*]]: tensor<2x3x4xf32>, %[[W:.*]]: tensor<4x3xf32>, %[[G:.*]]: tensor<4xf32>, %[[X:.*]]: tensor<?x4xf32, ["batch", ""]>
func.func @linalg_and_reductions(%t: tensor<2x3x4xf32>, %w: tensor<4x3xf32>, %g: tensor<4xf32>,
                                 %x: tensor<?x4xf32, ["batch", ""]>) {
  // CHECK: asg.matmul %[[T]], %[[W]] : (tensor<2x3x4xf32>, tensor<4x3xf32>) -> tensor<2x3x3xf32>
  %0 = asg.matmul %t, %w : (tensor<2x3x4xf32>, tensor<4x3xf32>) -> tensor<2x3x3xf32>
  // CHECK: asg.matmul %[[X]], %[[W]] : (tensor<?x4xf32, ["batch", ""]>, tensor<4x3xf32>) -> tensor<?x3xf32, ["batch", ""]>
  %1 = asg.matmul %x, %w : (tensor<?x4xf32, ["batch", ""]>, tensor<4x3xf32>) -> tensor<?x3xf32, ["batch", ""]>
  // CHECK: asg.sum %[[T]] {axes = array<i64: 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  %2 = asg.sum %t {axes = array<i64: 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  // CHECK: asg.mean %[[T]] {axes = array<i64: -1>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  %3 = asg.mean %t {axes = array<i64: -1>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  // CHECK: asg.max %[[T]] : (tensor<2x3x4xf32>) -> tensor<f32>
  %4 = asg.max %t : (tensor<2x3x4xf32>) -> tensor<f32>
  // CHECK: asg.min %[[T]] {axes = array<i64>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %5 = asg.min %t {axes = array<i64>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: asg.variance %[[X]] {axes = array<i64: 0>, correction = 1 : i64} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<4xf32>
  %6 = asg.variance %x {axes = array<i64: 0>, correction = 1 : i64} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<4xf32>
  // CHECK: asg.softmax %[[T]] {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %7 = asg.softmax %t {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: asg.log_softmax %[[T]] : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %8 = asg.log_softmax %t : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: asg.layer_norm %[[T]], %[[G]], %[[G]] {eps = 1.000000e-03 : f64} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %9 = asg.layer_norm %t, %g, %g {eps = 1.0e-3 : f64} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return
}

// CHECK-LABEL: func.func @losses_and_embedding(
func.func @losses_and_embedding(%table: tensor<10x6xf32>, %ids: tensor<?x5xi32, ["batch", ""]>,
                                %logits: tensor<?x10xf32, ["batch", ""]>, %cls: tensor<?xi64, ["batch"]>,
                                %p: tensor<3xf32>) {
  // CHECK: asg.embedding %{{.*}}, %{{.*}} : (tensor<10x6xf32>, tensor<?x5xi32, ["batch", ""]>) -> tensor<?x5x6xf32, ["batch", "", ""]>
  %0 = asg.embedding %table, %ids : (tensor<10x6xf32>, tensor<?x5xi32, ["batch", ""]>) -> tensor<?x5x6xf32, ["batch", "", ""]>
  // CHECK: asg.cross_entropy %{{.*}}, %{{.*}} : (tensor<?x10xf32, ["batch", ""]>, tensor<?xi64, ["batch"]>) -> tensor<f32>
  %1 = asg.cross_entropy %logits, %cls : (tensor<?x10xf32, ["batch", ""]>, tensor<?xi64, ["batch"]>) -> tensor<f32>
  // CHECK: asg.mse_loss %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  %2 = asg.mse_loss %p, %p : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return
}

// CHECK-LABEL: func.func @shape_ops(
// CHECK-SAME: %[[T:.*]]: tensor<2x3x4xf32>, %[[X:.*]]: tensor<?x4xf32, ["batch", ""]>, %[[Y:.*]]: tensor<1x4xf32>, %[[I:.*]]: tensor<2x3xi64>
func.func @shape_ops(%t: tensor<2x3x4xf32>, %x: tensor<?x4xf32, ["batch", ""]>, %y: tensor<1x4xf32>,
                     %i: tensor<2x3xi64>) {
  // CHECK: asg.reshape %[[T]] {shape = array<i64: -1, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %0 = asg.reshape %t {shape = array<i64: -1, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  // CHECK: asg.reshape %[[X]] {shape = array<i64: -1, 2, 2>} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?x2x2xf32, ["batch", "", ""]>
  %1 = asg.reshape %x {shape = array<i64: -1, 2, 2>} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?x2x2xf32, ["batch", "", ""]>
  // CHECK: asg.reshape %[[I]] {shape = array<i64: 6>} : (tensor<2x3xi64>) -> tensor<6xi64>
  %2 = asg.reshape %i {shape = array<i64: 6>} : (tensor<2x3xi64>) -> tensor<6xi64>
  // CHECK: asg.transpose %[[T]] : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  %3 = asg.transpose %t : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  // CHECK: asg.transpose %[[T]] {perm = array<i64: 1, -1, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %4 = asg.transpose %t {perm = array<i64: 1, -1, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  // CHECK: asg.slice %[[T]] {axis = -1 : i64, start = -3 : i64, step = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  %5 = asg.slice %t {axis = -1 : i64, start = -3 : i64, step = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  // CHECK: asg.slice %[[X]] {axis = 0 : i64, end = 2 : i64} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32>
  %6 = asg.slice %x {axis = 0 : i64, end = 2 : i64} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32>
  // CHECK: asg.concat %[[X]], %[[Y]] {axis = 0 : i64} : (tensor<?x4xf32, ["batch", ""]>, tensor<1x4xf32>) -> tensor<?x4xf32>
  %7 = asg.concat %x, %y {axis = 0 : i64} : (tensor<?x4xf32, ["batch", ""]>, tensor<1x4xf32>) -> tensor<?x4xf32>
  // CHECK: asg.concat %[[T]] {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %8 = asg.concat %t {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: asg.broadcast_to %[[Y]] {shape = array<i64: 3, 2, 4>} : (tensor<1x4xf32>) -> tensor<3x2x4xf32>
  %9 = asg.broadcast_to %y {shape = array<i64: 3, 2, 4>} : (tensor<1x4xf32>) -> tensor<3x2x4xf32>
  // CHECK: asg.cast %[[X]] {dtype = i32} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xi32, ["batch", ""]>
  %10 = asg.cast %x {dtype = i32} : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xi32, ["batch", ""]>
  return
}
