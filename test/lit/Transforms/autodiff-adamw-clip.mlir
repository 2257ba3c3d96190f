// asg-autodiff with AdamW and global-norm clipping: two state slots per
// parameter (torch.optim's exp_avg, exp_avg_sq), bias corrections from the
// step count, decoupled weight decay, and the clip coefficient
// min(1, max_norm / (norm + 1e-6)) applied to every gradient.
// RUN: asg-opt %s --asg-autodiff --canonicalize --cse | FileCheck %s

module attributes {
    asg.train = {loss = "loss", clip_grad_norm = 5.000000e-01 : f64, optimizer = {kind = "adamw", lr = 1.000000e-03 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.000000e-08 : f64, weight_decay = 1.000000e-02 : f64}},
    asg.entry.train_step = "arg input x\0Aarg param w\0Aresult loss f32 0\0A",
    asg.metadata = "asg-model 1\0Aname t\0Atarget cpu\0A"} {
  func.func @train_step(%x: tensor<3x4xf32> {asg.input = "x"},
                        %w: tensor<4x2xf32> {asg.param = "w", asg.trainable = true}) -> tensor<f32> {
    %y = asg.matmul %x, %w : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
    %loss = asg.mean %y : (tensor<3x2xf32>) -> tensor<f32>
    return %loss : tensor<f32>
  }
}

// CHECK: asg.entry.train_step = "arg input x\0Aarg param w\0Aarg state optim.w.exp_avg\0Aarg state optim.w.exp_avg_sq\0Aarg state optim.step\0Aresult loss f32 0\0Aupdate w f32 2 4 2\0Aupdate optim.w.exp_avg f32 2 4 2\0Aupdate optim.w.exp_avg_sq f32 2 4 2\0Aupdate optim.step i64 0\0A"
// CHECK-SAME: asg.metadata = "{{.*}}state optim.w.exp_avg f32 2 4 2\0Astate optim.w.exp_avg_sq f32 2 4 2\0Astate optim.step i64 0\0A"
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: -> (tensor<f32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<i64>)
// CHECK-DAG: %[[DECAY:.*]] = asg.constant dense<0.999989986> : tensor<f32>
// CHECK-DAG: %[[MAXNORM:.*]] = asg.constant dense<5.000000e-01> : tensor<f32>
// CHECK: asg.transpose
// CHECK: %[[G:.*]] = asg.matmul
// Clipping: sqrt of the sum of squares, then min(max_norm / (norm + 1e-6), 1).
// CHECK: %[[SQ:.*]] = asg.mul %[[G]], %[[G]]
// CHECK: %[[SS:.*]] = asg.sum %[[SQ]] {axes = array<i64: 0, 1>}
// CHECK: %[[NORM:.*]] = asg.sqrt %[[SS]]
// CHECK: %[[SCALE:.*]] = asg.div %[[MAXNORM]]
// CHECK: %[[COEF:.*]] = asg.minimum %[[SCALE]]
// CHECK: %[[CG:.*]] = asg.mul %[[G]], %[[COEF]]
// AdamW: w * (1 - lr * wd) first, then the Adam step with bias corrections.
// CHECK: asg.mul %{{.*}}, %[[DECAY]]
// CHECK: asg.pow
// CHECK: asg.pow
// CHECK: asg.sqrt
// CHECK: return
