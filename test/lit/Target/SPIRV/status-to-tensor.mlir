// asg-status-to-tensor: the status of data-dependent checks is computed by a
// 0-d linalg.generic (device code) reading the extracted tensors; host-only
// conditions (dims) are captured from above.
// RUN: asg-opt %s --asg-status-to-tensor --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @status(
// CHECK-SAME:      %[[T:.*]]: tensor<?xf32>, %[[ANY:.*]]: tensor<i1>, %[[N:.*]]: index) -> (tensor<?xf32>, tensor<i32>)
// CHECK:         %[[DIM:.*]] = tensor.dim %[[T]]
// CHECK:         %[[BAD_DIM:.*]] = arith.cmpi ne, %[[DIM]], %[[N]]
// CHECK:         %[[S:.*]] = linalg.generic {{.*}} iterator_types = []} ins(%[[ANY]] : tensor<i1>) outs(%{{.*}} : tensor<i32>)
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: i1, %{{.*}}: i32):
// CHECK-NEXT:      %[[S2:.*]] = arith.select %[[IN]], %c2_i32, %c0_i32
// CHECK-NEXT:      %[[S1:.*]] = arith.select %[[BAD_DIM]], %c1_i32, %[[S2]]
// CHECK-NEXT:      linalg.yield %[[S1]] : i32
// CHECK:         return %[[T]], %[[S]] : tensor<?xf32>, tensor<i32>
// CHECK-NOT:     tensor.extract
func.func @status(%t: tensor<?xf32>, %any: tensor<i1>, %n: index) -> (tensor<?xf32>, i32) {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %t, %c0 : tensor<?xf32>
  %bad_dim = arith.cmpi ne, %d, %n : index
  %bad_id = tensor.extract %any[] : tensor<i1>
  %zero = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  %two = arith.constant 2 : i32
  %s2 = arith.select %bad_id, %two, %zero : i32
  %s1 = arith.select %bad_dim, %one, %s2 : i32
  return %t, %s1 : tensor<?xf32>, i32
}

// No checks: a constant status, still in a device buffer.
// CHECK-LABEL: func.func @no_checks(
// CHECK:         %[[S:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<i32>)
// CHECK:           linalg.yield %c0_i32 : i32
// CHECK:         return %{{.*}}, %[[S]] : tensor<4xf32>, tensor<i32>
func.func @no_checks(%t: tensor<4xf32>) -> (tensor<4xf32>, i32) {
  %zero = arith.constant 0 : i32
  return %t, %zero : tensor<4xf32>, i32
}
