// asg-fuse: elementwise chains fuse into one linalg.generic; a producer is not
// pulled into a matmul (it would be recomputed once per output column) nor
// duplicated when it has another user.
// RUN: asg-opt %s --asg-to-linalg --asg-fuse --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @chain
// CHECK-COUNT-1: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: math.tanh
// CHECK: return
func.func @chain(%x: tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32, ["batch", ""]> {
  %0 = asg.exp %x : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32, ["batch", ""]>
  %1 = asg.mul %0, %x : (tensor<?x4xf32, ["batch", ""]>, tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32, ["batch", ""]>
  %2 = asg.tanh %1 : (tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32, ["batch", ""]>
  return %2 : tensor<?x4xf32, ["batch", ""]>
}

// The gelu stays its own loop nest before the matmul.
// CHECK-LABEL: func.func @activation_then_matmul
// CHECK: %[[ACT:.*]] = linalg.generic
// CHECK: math.erf
// CHECK: linalg.matmul ins(%[[ACT]]
func.func @activation_then_matmul(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>) -> tensor<8x4xf32> {
  %0 = asg.gelu %x : (tensor<8x16xf32>) -> tensor<8x16xf32>
  %1 = asg.matmul %0, %w : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  return %1 : tensor<8x4xf32>
}

// exp has two users: it is computed once, not copied into both.
// CHECK-LABEL: func.func @shared_producer
// CHECK-COUNT-1: math.exp
// CHECK-NOT: math.exp
func.func @shared_producer(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = asg.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = asg.neg %0 : (tensor<4xf32>) -> tensor<4xf32>
  %2 = asg.sqrt %0 : (tensor<4xf32>) -> tensor<4xf32>
  return %1, %2 : tensor<4xf32>, tensor<4xf32>
}

// A transposed operand of a contraction (named or generic) is read through
// the composed map; the transpose goes. A transpose feeding an elementwise op
// stays (it is not a contraction).
// CHECK-LABEL: func.func @transpose_into_matmul
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<16x8xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[W]] : tensor<4x8xf32>, tensor<16x8xf32>)
// CHECK: linalg.transpose
// CHECK: return
func.func @transpose_into_matmul(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %init: tensor<4x16xf32>,
                                 %y: tensor<8x16xf32>) -> (tensor<4x16xf32>, tensor<8x16xf32>) {
  %e = tensor.empty() : tensor<8x16xf32>
  %t = linalg.transpose ins(%w : tensor<16x8xf32>) outs(%e : tensor<8x16xf32>) permutation = [1, 0]
  %r = linalg.matmul ins(%x, %t : tensor<4x8xf32>, tensor<8x16xf32>) outs(%init : tensor<4x16xf32>) -> tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<8x16xf32>
  %t2 = linalg.transpose ins(%w : tensor<16x8xf32>) outs(%e2 : tensor<8x16xf32>) permutation = [1, 0]
  %s = linalg.add ins(%t2, %y : tensor<8x16xf32>, tensor<8x16xf32>) outs(%e2 : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %r, %s : tensor<4x16xf32>, tensor<8x16xf32>
}
