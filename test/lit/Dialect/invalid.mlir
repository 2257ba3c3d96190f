// Every error of the shape functions (dialect/ShapeInference.cpp), which are the
// ops' verifiers: the shape function reports its message at the op, then
// InferTypeOpInterface adds "failed to infer returned types".
// RUN: asg-opt %s -split-input-file -verify-diagnostics

// Broadcasting: static mismatch.
func.func @f0(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{cannot broadcast shapes [2,3] and [4]}}
  // expected-error @+1 {{'asg.add' op failed to infer returned types}}
  %0 = asg.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

// Two different dim names in one position.
func.func @f1(%a: tensor<?xf32, ["n"]>, %b: tensor<?xf32, ["k"]>) {
  // expected-error @+2 {{cannot broadcast shapes [n] and [k]}}
  // expected-error @+1 {{'asg.mul' op failed to infer returned types}}
  %0 = asg.mul %a, %b : (tensor<?xf32, ["n"]>, tensor<?xf32, ["k"]>) -> tensor<?xf32, ["n"]>
  return
}

// -----

// No implicit dtype promotion.
func.func @f2(%a: tensor<3xf32>, %b: tensor<3xi64>) {
  // expected-error @+2 {{inputs have different dtypes f32 and i64 (use 'cast')}}
  // expected-error @+1 {{'asg.sub' op failed to infer returned types}}
  %0 = asg.sub %a, %b : (tensor<3xf32>, tensor<3xi64>) -> tensor<3xf32>
  return
}

// -----

// Dtypes outside f32, i32, i64.
func.func @f3(%a: tensor<3xf16>) {
  // expected-error @+2 {{input 1 has unsupported dtype f16}}
  // expected-error @+1 {{'asg.add' op failed to infer returned types}}
  %0 = asg.add %a, %a : (tensor<3xf16>, tensor<3xf16>) -> tensor<3xf16>
  return
}

// -----

// F32-only ops.
func.func @f4(%a: tensor<3xi64>) {
  // expected-error @+2 {{input 1 has dtype i64, but 'exp' takes only f32}}
  // expected-error @+1 {{'asg.exp' op failed to infer returned types}}
  %0 = asg.exp %a : (tensor<3xi64>) -> tensor<3xi64>
  return
}

// -----

// Pow is f32-only.
func.func @f5(%a: tensor<3xi32>) {
  // expected-error @+2 {{input 1 has dtype i32, but 'pow' takes only f32}}
  // expected-error @+1 {{'asg.pow' op failed to infer returned types}}
  %0 = asg.pow %a, %a : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

// Comparisons need equal dtypes.
func.func @f6(%a: tensor<3xi32>, %b: tensor<3xi64>) {
  // expected-error @+2 {{inputs have different dtypes i32 and i64 (use 'cast')}}
  // expected-error @+1 {{'asg.greater' op failed to infer returned types}}
  %0 = asg.greater %a, %b : (tensor<3xi32>, tensor<3xi64>) -> tensor<3xf32>
  return
}

// -----

// Where: the two branches need equal dtypes.
func.func @f7(%c: tensor<3xf32>, %a: tensor<3xf32>, %b: tensor<3xi32>) {
  // expected-error @+2 {{inputs have different dtypes f32 and i32 (use 'cast')}}
  // expected-error @+1 {{'asg.where' op failed to infer returned types}}
  %0 = asg.where %c, %a, %b : (tensor<3xf32>, tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  return
}

// -----

// Gelu modes.
func.func @f8(%a: tensor<3xf32>) {
  // expected-error @+2 {{'approximate' must be "none" or "tanh", got "fast"}}
  // expected-error @+1 {{'asg.gelu' op failed to infer returned types}}
  %0 = asg.gelu %a {approximate = "fast"} : (tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

// Clamp bounds.
func.func @f9(%a: tensor<3xf32>) {
  // expected-error @+2 {{'min' 2.5 is greater than 'max' 1}}
  // expected-error @+1 {{'asg.clamp' op failed to infer returned types}}
  %0 = asg.clamp %a {min = 2.5 : f64, max = 1.0 : f64} : (tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

// Softmax axis.
func.func @f10(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'axis' 2 is out of range for rank 2}}
  // expected-error @+1 {{'asg.softmax' op failed to infer returned types}}
  %0 = asg.softmax %a {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// Softmax of a scalar.
func.func @f11(%a: tensor<f32>) {
  // expected-error @+2 {{'axis' -1 is out of range for rank 0}}
  // expected-error @+1 {{'asg.log_softmax' op failed to infer returned types}}
  %0 = asg.log_softmax %a : (tensor<f32>) -> tensor<f32>
  return
}

// -----

// Matmul ranks.
func.func @f12(%a: tensor<3xf32>, %b: tensor<3x2xf32>) {
  // expected-error @+2 {{takes inputs of rank >= 2, got [3] and [3,2]}}
  // expected-error @+1 {{'asg.matmul' op failed to infer returned types}}
  %0 = asg.matmul %a, %b : (tensor<3xf32>, tensor<3x2xf32>) -> tensor<2xf32>
  return
}

// -----

// Matmul contracting dims.
func.func @f13(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{contracting dims differ: [2,3] x [4,5]}}
  // expected-error @+1 {{'asg.matmul' op failed to infer returned types}}
  %0 = asg.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

// Matmul contracting dims with names.
func.func @f14(%a: tensor<2x?xf32, ["", "k"]>, %b: tensor<?x5xf32, ["j", ""]>) {
  // expected-error @+2 {{contracting dims differ: [2,k] x [j,5]}}
  // expected-error @+1 {{'asg.matmul' op failed to infer returned types}}
  %0 = asg.matmul %a, %b : (tensor<2x?xf32, ["", "k"]>, tensor<?x5xf32, ["j", ""]>) -> tensor<2x5xf32>
  return
}

// -----

// Matmul batch dims.
func.func @f15(%a: tensor<2x2x3xf32>, %b: tensor<3x3x5xf32>) {
  // expected-error @+2 {{cannot broadcast batch dims of [2,2,3] and [3,3,5]}}
  // expected-error @+1 {{'asg.matmul' op failed to infer returned types}}
  %0 = asg.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x5xf32>) -> tensor<2x2x5xf32>
  return
}

// -----

// Reduction axes out of range.
func.func @f16(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'axes' must be distinct axes in range for rank 2}}
  // expected-error @+1 {{'asg.sum' op failed to infer returned types}}
  %0 = asg.sum %a {axes = array<i64: 2>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

// Reduction axes repeated (-1 is 1).
func.func @f17(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'axes' must be distinct axes in range for rank 2}}
  // expected-error @+1 {{'asg.max' op failed to infer returned types}}
  %0 = asg.max %a {axes = array<i64: 1, -1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

// Reductions are f32-only.
func.func @f18(%a: tensor<2x3xi32>) {
  // expected-error @+2 {{input 1 has dtype i32, but 'mean' takes only f32}}
  // expected-error @+1 {{'asg.mean' op failed to infer returned types}}
  %0 = asg.mean %a : (tensor<2x3xi32>) -> tensor<i32>
  return
}

// -----

// Variance correction.
func.func @f19(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'correction' must be >= 0}}
  // expected-error @+1 {{'asg.variance' op failed to infer returned types}}
  %0 = asg.variance %a {correction = -1 : i64} : (tensor<2x3xf32>) -> tensor<f32>
  return
}

// -----

// Layer_norm gamma.
func.func @f20(%a: tensor<2x3xf32>, %g: tensor<2xf32>) {
  // expected-error @+2 {{gamma has shape [2], expected the normalized shape [3]}}
  // expected-error @+1 {{'asg.layer_norm' op failed to infer returned types}}
  %0 = asg.layer_norm %a, %g, %g : (tensor<2x3xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

// Layer_norm beta.
func.func @f21(%a: tensor<2x3xf32>, %g: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{beta has shape [3], expected the normalized shape [2,3]}}
  // expected-error @+1 {{'asg.layer_norm' op failed to infer returned types}}
  %0 = asg.layer_norm %a, %g, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// Layer_norm axis.
func.func @f22(%a: tensor<2x3xf32>, %g: tensor<3xf32>) {
  // expected-error @+2 {{'axis' -3 is out of range for rank 2}}
  // expected-error @+1 {{'asg.layer_norm' op failed to infer returned types}}
  %0 = asg.layer_norm %a, %g, %g {axis = -3 : i64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// Layer_norm eps.
func.func @f23(%a: tensor<2x3xf32>, %g: tensor<3xf32>) {
  // expected-error @+2 {{'eps' must be >= 0}}
  // expected-error @+1 {{'asg.layer_norm' op failed to infer returned types}}
  %0 = asg.layer_norm %a, %g, %g {eps = -1.0 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// Embedding ids dtype.
func.func @f24(%t: tensor<10x4xf32>, %i: tensor<5xf32>) {
  // expected-error @+2 {{ids must have dtype i32 or i64, got f32}}
  // expected-error @+1 {{'asg.embedding' op failed to infer returned types}}
  %0 = asg.embedding %t, %i : (tensor<10x4xf32>, tensor<5xf32>) -> tensor<5x4xf32>
  return
}

// -----

// Embedding table rank.
func.func @f25(%t: tensor<10xf32>, %i: tensor<5xi32>) {
  // expected-error @+2 {{table must have rank 2 [V, D], got [10]}}
  // expected-error @+1 {{'asg.embedding' op failed to infer returned types}}
  %0 = asg.embedding %t, %i : (tensor<10xf32>, tensor<5xi32>) -> tensor<5xf32>
  return
}

// -----

// Mse_loss shapes.
func.func @f26(%a: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{cannot broadcast shapes [3] and [4]}}
  // expected-error @+1 {{'asg.mse_loss' op failed to infer returned types}}
  %0 = asg.mse_loss %a, %b : (tensor<3xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

// Cross_entropy target shape.
func.func @f27(%l: tensor<?x10xf32, ["batch", ""]>, %t: tensor<?x1xi64, ["batch", ""]>) {
  // expected-error @+2 {{target shape [batch,1] does not match logits [batch,10] without the class dim}}
  // expected-error @+1 {{'asg.cross_entropy' op failed to infer returned types}}
  %0 = asg.cross_entropy %l, %t : (tensor<?x10xf32, ["batch", ""]>, tensor<?x1xi64, ["batch", ""]>) -> tensor<f32>
  return
}

// -----

// Cross_entropy target dtype.
func.func @f28(%l: tensor<4x10xf32>, %t: tensor<4xf32>) {
  // expected-error @+2 {{target must have dtype i32 or i64, got f32}}
  // expected-error @+1 {{'asg.cross_entropy' op failed to infer returned types}}
  %0 = asg.cross_entropy %l, %t : (tensor<4x10xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

// Reshape element count.
func.func @f29(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{cannot reshape [2,3] to [4,2]}}
  // expected-error @+1 {{'asg.reshape' op failed to infer returned types}}
  %0 = asg.reshape %a {shape = array<i64: 4, 2>} : (tensor<2x3xf32>) -> tensor<4x2xf32>
  return
}

// -----

// Reshape element count beyond int64 (the product must not wrap around to 2).
func.func @f30(%a: tensor<2xf32>) {
  // expected-error @+2 {{cannot reshape [2] to [3,6148914691236517206]}}
  // expected-error @+1 {{'asg.reshape' op failed to infer returned types}}
  %0 = asg.reshape %a {shape = array<i64: 3, 6148914691236517206>} : (tensor<2xf32>) -> tensor<3x6148914691236517206xf32>
  return
}

// -----

// Reshape with two -1.
func.func @f31(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'shape' may have only one -1}}
  // expected-error @+1 {{'asg.reshape' op failed to infer returned types}}
  %0 = asg.reshape %a {shape = array<i64: -1, -1>} : (tensor<2x3xf32>) -> tensor<?x?xf32>
  return
}

// -----

// Reshape negative dim.
func.func @f32(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'shape' has a negative dim -2}}
  // expected-error @+1 {{'asg.reshape' op failed to infer returned types}}
  %0 = asg.reshape %a {shape = array<i64: -2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// Reshape rank limit.
func.func @f33(%a: tensor<1xf32>) {
  // expected-error @+2 {{rank 9 is above the limit of 8}}
  // expected-error @+1 {{'asg.reshape' op failed to infer returned types}}
  %0 = asg.reshape %a {shape = array<i64: 1, 1, 1, 1, 1, 1, 1, 1, 1>} : (tensor<1xf32>) -> tensor<1x1x1x1x1x1x1x1x1xf32>
  return
}

// -----

// Transpose perm length.
func.func @f34(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'perm' has 2 entries for rank 3}}
  // expected-error @+1 {{'asg.transpose' op failed to infer returned types}}
  %0 = asg.transpose %a {perm = array<i64: 1, 0>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  return
}

// -----

// Transpose perm repeats an axis (-3 is 0).
func.func @f35(%a: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'perm' is not a permutation of the 3 dims}}
  // expected-error @+1 {{'asg.transpose' op failed to infer returned types}}
  %0 = asg.transpose %a {perm = array<i64: 0, 1, -3>} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  return
}

// -----

// Slice step.
func.func @f36(%a: tensor<4xf32>) {
  // expected-error @+2 {{'step' must be > 0, got 0}}
  // expected-error @+1 {{'asg.slice' op failed to infer returned types}}
  %0 = asg.slice %a {axis = 0 : i64, step = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// Slice axis.
func.func @f37(%a: tensor<4xf32>) {
  // expected-error @+2 {{'axis' 1 is out of range for rank 1}}
  // expected-error @+1 {{'asg.slice' op failed to infer returned types}}
  %0 = asg.slice %a {axis = 1 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// Concat shapes.
func.func @f38(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+2 {{cannot concatenate [2,3] and [2,4] along axis 0}}
  // expected-error @+1 {{'asg.concat' op failed to infer returned types}}
  %0 = asg.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

// Concat ranks.
func.func @f39(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{cannot concatenate [2,3] and [3] along axis 1}}
  // expected-error @+1 {{'asg.concat' op failed to infer returned types}}
  %0 = asg.concat %a, %b {axis = -1 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x6xf32>
  return
}

// -----

// Concat dtypes.
func.func @f40(%a: tensor<2xf32>, %b: tensor<2xi32>) {
  // expected-error @+2 {{inputs have different dtypes f32 and i32 (use 'cast')}}
  // expected-error @+1 {{'asg.concat' op failed to infer returned types}}
  %0 = asg.concat %a, %b {axis = 0 : i64} : (tensor<2xf32>, tensor<2xi32>) -> tensor<4xf32>
  return
}

// -----

// Concat of nothing.
func.func @f41() {
  // expected-error @+2 {{takes at least 1 input, got 0}}
  // expected-error @+1 {{'asg.concat' op failed to infer returned types}}
  %0 = asg.concat {axis = 0 : i64} : () -> tensor<0xf32>
  return
}

// -----

// Concat axis.
func.func @f42(%a: tensor<2xf32>) {
  // expected-error @+2 {{'axis' 1 is out of range for rank 1}}
  // expected-error @+1 {{'asg.concat' op failed to infer returned types}}
  %0 = asg.concat %a {axis = 1 : i64} : (tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

// Broadcast_to.
func.func @f43(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{cannot broadcast [2,3] to [3,3]}}
  // expected-error @+1 {{'asg.broadcast_to' op failed to infer returned types}}
  %0 = asg.broadcast_to %a {shape = array<i64: 3, 3>} : (tensor<2x3xf32>) -> tensor<3x3xf32>
  return
}

// -----

// Broadcast_to a lower rank.
func.func @f44(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{cannot broadcast [2,3] to [3]}}
  // expected-error @+1 {{'asg.broadcast_to' op failed to infer returned types}}
  %0 = asg.broadcast_to %a {shape = array<i64: 3>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return
}

// -----

// Broadcast_to negative dim.
func.func @f45(%a: tensor<3xf32>) {
  // expected-error @+2 {{'shape' has a negative dim -1}}
  // expected-error @+1 {{'asg.broadcast_to' op failed to infer returned types}}
  %0 = asg.broadcast_to %a {shape = array<i64: -1, 3>} : (tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

// Cast to an unsupported dtype.
func.func @f47(%a: tensor<3xf32>) {
  // expected-error @+2 {{'dtype' must be f32, i32 or i64}}
  // expected-error @+1 {{'asg.cast' op failed to infer returned types}}
  %0 = asg.cast %a {dtype = f16} : (tensor<3xf32>) -> tensor<3xf16>
  return
}

// -----

// A declared result type that is not the inferred one.
func.func @f48(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'asg.relu' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x2xf32>'}}
  // expected-error @+1 {{'asg.relu' op failed to infer returned types}}
  %0 = asg.relu %a : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

// Dim names are part of the type: dropping one is a mismatch.
func.func @f49(%a: tensor<?xf32, ["batch"]>) {
  // expected-error @+2 {{'asg.neg' op inferred type(s) 'tensor<?xf32, ["batch"]>' are incompatible with return type(s) of operation 'tensor<?xf32>'}}
  // expected-error @+1 {{'asg.neg' op failed to infer returned types}}
  %0 = asg.neg %a : (tensor<?xf32, ["batch"]>) -> tensor<?xf32>
  return
}

// -----

// Comparisons return f32.
func.func @f50(%a: tensor<3xi32>) {
  // expected-error @+2 {{'asg.equal' op inferred type(s) 'tensor<3xf32>' are incompatible with return type(s) of operation 'tensor<3xi32>'}}
  // expected-error @+1 {{'asg.equal' op failed to infer returned types}}
  %0 = asg.equal %a, %a : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

// Slice result size.
func.func @f51(%a: tensor<5xf32>) {
  // expected-error @+2 {{'asg.slice' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{'asg.slice' op failed to infer returned types}}
  %0 = asg.slice %a {axis = 0 : i64, start = -4 : i64, step = 2 : i64} : (tensor<5xf32>) -> tensor<3xf32>
  return
}
// -----

// ODS constraints come before the shape function: ranked tensors only,
// operand counts, required attributes.
func.func @unranked(%a: tensor<*xf32>) {
  // expected-error @+1 {{'asg.relu' op operand #0 must be ranked tensor of any type values, but got 'tensor<*xf32>'}}
  %0 = asg.relu %a : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @operand_count(%a: tensor<2xf32>) {
  // expected-error @+1 {{'asg.add' op expected 2 operands, but found 1}}
  %0 = "asg.add"(%a) : (tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @reshape_needs_shape(%a: tensor<2xf32>) {
  // expected-error @+1 {{'asg.reshape' op requires attribute 'shape'}}
  %0 = asg.reshape %a : (tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @slice_needs_axis(%a: tensor<2xf32>) {
  // expected-error @+1 {{'asg.slice' op requires attribute 'axis'}}
  %0 = asg.slice %a : (tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @concat_needs_axis(%a: tensor<2xf32>) {
  // expected-error @+1 {{'asg.concat' op requires attribute 'axis'}}
  %0 = asg.concat %a : (tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @cast_needs_dtype(%a: tensor<2xf32>) {
  // expected-error @+1 {{'asg.cast' op requires attribute 'dtype'}}
  %0 = asg.cast %a : (tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @constant_dtype() {
  // expected-error @+1 {{'value' must be a tensor of f32, i32 or i64}}
  %0 = asg.constant dense<1> : tensor<2xi8>
  return
}
