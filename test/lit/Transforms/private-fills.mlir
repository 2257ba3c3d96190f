// asg-private-fills: a filled tensor that several ops accumulate into is
// filled once per op, so bufferization needs no copies of it.
// RUN: asg-opt %s --asg-private-fills | FileCheck %s

// CHECK-LABEL: func.func @two_matmuls(
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK:         %[[F1:.*]] = linalg.fill ins(%{{.*}}) outs(%[[E]] : tensor<4x4xf32>)
// CHECK:         %[[M1:.*]] = linalg.matmul ins({{.*}}) outs(%[[F1]] : tensor<4x4xf32>)
// CHECK:         %[[F2:.*]] = linalg.fill ins(%{{.*}}) outs(%[[E]] : tensor<4x4xf32>)
// CHECK-NEXT:    %[[M2:.*]] = linalg.matmul ins({{.*}}) outs(%[[F2]] : tensor<4x4xf32>)
// CHECK:         return %[[M1]], %[[M2]], %[[F1]]
func.func @two_matmuls(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %m1 = linalg.matmul ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  %m2 = linalg.matmul ins(%b, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  // A use that only reads the fill keeps the original.
  return %m1, %m2, %f : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}
