// asg-autodiff: what it builds (VJPs, accumulation, the SGD update) and what it
// skips (integer ids, frozen parameters, values that do not depend on a
// trainable parameter).
// RUN: asg-opt %s --asg-autodiff --canonicalize --cse | FileCheck %s

module attributes {
    asg.train = {loss = "loss", optimizer = {kind = "sgd", lr = 1.000000e-01 : f64, momentum = 0.0 : f64, weight_decay = 0.0 : f64, nesterov = false}},
    asg.entry.train_step = "arg input x\0Aarg input ids\0Aarg param w\0Aarg param table\0Aarg param frozen\0Aresult loss f32 0\0A",
    asg.metadata = "asg-model 1\0Aname t\0Atarget cpu\0A"} {
  func.func @train_step(%x: tensor<?x4xf32, ["batch", ""]> {asg.input = "x"},
                        %ids: tensor<?xi64, ["batch"]> {asg.input = "ids"},
                        %w: tensor<4xf32> {asg.param = "w", asg.trainable = true},
                        %table: tensor<10x4xf32> {asg.param = "table", asg.trainable = true},
                        %frozen: tensor<4xf32> {asg.param = "frozen", asg.trainable = false}) -> tensor<f32> {
    %e = asg.embedding %table, %ids : (tensor<10x4xf32>, tensor<?xi64, ["batch"]>) -> tensor<?x4xf32, ["batch", ""]>
    // x*x depends on no parameter: no gradient work for it.
    %xx = asg.mul %x, %x : (tensor<?x4xf32, ["batch", ""]>, tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32, ["batch", ""]>
    %a = asg.mul %xx, %w : (tensor<?x4xf32, ["batch", ""]>, tensor<4xf32>) -> tensor<?x4xf32, ["batch", ""]>
    // w is used twice: its gradients are summed.
    %b = asg.add %a, %w : (tensor<?x4xf32, ["batch", ""]>, tensor<4xf32>) -> tensor<?x4xf32, ["batch", ""]>
    %c = asg.mul %b, %e : (tensor<?x4xf32, ["batch", ""]>, tensor<?x4xf32, ["batch", ""]>) -> tensor<?x4xf32, ["batch", ""]>
    %d = asg.add %c, %frozen : (tensor<?x4xf32, ["batch", ""]>, tensor<4xf32>) -> tensor<?x4xf32, ["batch", ""]>
    %loss = asg.sum %d : (tensor<?x4xf32, ["batch", ""]>) -> tensor<f32>
    return %loss : tensor<f32>
  }
}

// The metadata gains the state record and the entry's state argument and updates.
// CHECK: module attributes
// CHECK-SAME: asg.entry.train_step = "arg input x\0Aarg input ids\0Aarg param w\0Aarg param table\0Aarg param frozen\0Aarg state optim.step\0Aresult loss f32 0\0Aupdate w f32 1 4\0Aupdate table f32 2 10 4\0Aupdate optim.step i64 0\0A"
// CHECK-SAME: asg.metadata = "asg-model 1\0Aname t\0Atarget cpu\0Astate optim.step i64 0\0A"
// CHECK-NOT: asg.train =

// The loss, the new w and table, and the step count; x and ids get no
// gradient, the frozen parameter no update.
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x4xf32, ["batch", ""]>, %[[IDS:[^:]*]]: tensor<?xi64, ["batch"]>, %[[W:[^:]*]]: tensor<4xf32>, %[[TABLE:[^:]*]]: tensor<10x4xf32>, %[[FROZEN:[^:]*]]: tensor<4xf32>, %[[STEP:[^:]*]]: tensor<i64>)
// CHECK-SAME: -> (tensor<f32>, tensor<4xf32>, tensor<10x4xf32>, tensor<i64>)
// CHECK-DAG: %[[LR:.*]] = asg.constant dense<1.000000e-01> : tensor<f32>
// CHECK-DAG: %[[E:.*]] = asg.embedding %[[TABLE]], %[[IDS]]
// CHECK-DAG: %[[XX:.*]] = asg.mul %[[X]], %[[X]]
// CHECK: %[[B:.*]] = asg.add %{{.*}}, %[[W]]
// CHECK: %[[LOSS:.*]] = asg.sum
// The seed gradient of the sum folds away: d(loss)/d(b) = e.
// d(loss)/d(w) = sum over the batch of e (through the add) + e * x*x (through the mul).
// CHECK: %[[G1:.*]] = asg.sum %[[E]] {axes = array<i64: 0>}
// CHECK: %[[M:.*]] = asg.mul %[[E]], %[[XX]]
// CHECK: %[[G2:.*]] = asg.sum %[[M]] {axes = array<i64: 0>}
// CHECK: %[[GW:.*]] = asg.add %[[G1]], %[[G2]]
// The embedding gradient: a scatter-add of d(loss)/d(e) = b as one_hot(ids)^T @ b.
// CHECK: %[[HOT:.*]] = asg.one_hot %[[IDS]] {depth = 10 : i64}
// CHECK: %[[HOTT:.*]] = asg.transpose %[[HOT]] {perm = array<i64: 1, 0>}
// CHECK: %[[GT:.*]] = asg.matmul %[[HOTT]], %[[B]]
// SGD: p - lr * g; the step count goes up by one.
// CHECK: %[[NEXT:.*]] = asg.add %[[STEP]]
// CHECK: %[[UW:.*]] = asg.mul %[[GW]], %[[LR]]
// CHECK: %[[NW:.*]] = asg.sub %[[W]], %[[UW]]
// CHECK: %[[UT:.*]] = asg.mul %[[GT]], %[[LR]]
// CHECK: %[[NT:.*]] = asg.sub %[[TABLE]], %[[UT]]
// CHECK: return %[[LOSS]], %[[NW]], %[[NT]], %[[NEXT]]
