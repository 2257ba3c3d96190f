// AsgOps.td: every v1 op of the JSON ASG format (SPEC section 1) as an `asg` op.
#ifndef ASG_OPS_TD
#define ASG_OPS_TD

include "dialect/AsgDialect.td"

//===----------------------------------------------------------------------===//
// Op classes. Every op prints as
//   %r = asg.<op> %operands {attrs} : (operand types) -> result type
//===----------------------------------------------------------------------===//

class Asg_TensorOp<string mnemonic, list<Trait> traits = []>
    : Asg_Op<mnemonic, traits> {
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

/// a, b -> broadcast(a, b), NumPy rules; dynamic dims never broadcast.
class Asg_BinaryOp<string mnemonic, string desc>
    : Asg_TensorOp<mnemonic> {
  let summary = desc;
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
}

/// x -> same shape and dtype.
class Asg_UnaryOp<string mnemonic, string desc, dag attrs = (ins)>
    : Asg_TensorOp<mnemonic> {
  let summary = desc;
  let arguments = !con((ins AnyRankedTensor:$input), attrs);
}

/// x -> x reduced over `axes` (all when absent, none when empty).
class Asg_ReductionOp<string mnemonic, string desc, dag extra = (ins)>
    : Asg_TensorOp<mnemonic> {
  let summary = desc;
  let arguments = !con((ins AnyRankedTensor:$input,
                            OptionalAttr<DenseI64ArrayAttr>:$axes,
                            DefaultValuedAttr<BoolAttr, "false">:$keepdims), extra);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

def Asg_AddOp : Asg_BinaryOp<"add", "a + b"> {
  let hasFolder = 1;
}
def Asg_SubOp : Asg_BinaryOp<"sub", "a - b"> {
  let hasFolder = 1;
}
def Asg_MulOp : Asg_BinaryOp<"mul", "a * b"> {
  let hasFolder = 1;
}
def Asg_DivOp : Asg_BinaryOp<"div", "a / b; integer division truncates, by zero is a run-time error"> {
  let hasFolder = 1;
}
def Asg_PowOp : Asg_BinaryOp<"pow", "a ** b (f32)">;
def Asg_MaximumOp : Asg_BinaryOp<"maximum", "elementwise max, NaN-propagating">;
def Asg_MinimumOp : Asg_BinaryOp<"minimum", "elementwise min, NaN-propagating">;
def Asg_GreaterOp : Asg_BinaryOp<"greater", "a > b as f32 1.0 / 0.0">;
def Asg_LessOp : Asg_BinaryOp<"less", "a < b as f32 1.0 / 0.0">;
def Asg_EqualOp : Asg_BinaryOp<"equal", "a == b as f32 1.0 / 0.0">;

def Asg_WhereOp : Asg_TensorOp<"where"> {
  let summary = "cond != 0 ? a : b, broadcast over all three";
  let arguments = (ins AnyRankedTensor:$cond, AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
}

def Asg_NegOp : Asg_UnaryOp<"neg", "-x">;
def Asg_AbsOp : Asg_UnaryOp<"abs", "|x|">;
def Asg_ExpOp : Asg_UnaryOp<"exp", "e^x">;
def Asg_LogOp : Asg_UnaryOp<"log", "natural logarithm">;
def Asg_SqrtOp : Asg_UnaryOp<"sqrt", "square root">;
def Asg_RsqrtOp : Asg_UnaryOp<"rsqrt", "1 / sqrt(x)">;
def Asg_TanhOp : Asg_UnaryOp<"tanh", "hyperbolic tangent">;
def Asg_SigmoidOp : Asg_UnaryOp<"sigmoid", "1 / (1 + e^-x)">;
def Asg_ReluOp : Asg_UnaryOp<"relu", "max(x, 0), NaN-propagating">;
def Asg_SiluOp : Asg_UnaryOp<"silu", "x * sigmoid(x)">;
def Asg_SoftplusOp : Asg_UnaryOp<"softplus", "log(1 + e^x)">;
def Asg_GeluOp : Asg_UnaryOp<"gelu", "GELU, exact (erf) or tanh-approximated",
    (ins DefaultValuedStrAttr<StrAttr, "none">:$approximate)>;
def Asg_LeakyReluOp : Asg_UnaryOp<"leaky_relu", "x > 0 ? x : alpha * x",
    (ins DefaultValuedAttr<F64Attr, "0.01">:$alpha)>;
def Asg_EluOp : Asg_UnaryOp<"elu", "x > 0 ? x : alpha * (e^x - 1)",
    (ins DefaultValuedAttr<F64Attr, "1.0">:$alpha)>;
def Asg_ClampOp : Asg_UnaryOp<"clamp", "min(max(x, min), max), either bound optional",
    (ins OptionalAttr<F64Attr>:$min, OptionalAttr<F64Attr>:$max)>;

def Asg_ConstantOp : Asg_Op<"constant", [ConstantLike]> {
  let summary = "a literal tensor";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra, reductions, normalization
//===----------------------------------------------------------------------===//

def Asg_MatmulOp : Asg_TensorOp<"matmul"> {
  let summary = "[..., M, K] x [..., K, N] -> [..., M, N], batch dims broadcast";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
}

def Asg_SumOp : Asg_ReductionOp<"sum", "sum over axes"> {
  let hasFolder = 1;
}
def Asg_MeanOp : Asg_ReductionOp<"mean", "mean over axes">;
def Asg_MaxOp : Asg_ReductionOp<"max", "maximum over axes, NaN-propagating">;
def Asg_MinOp : Asg_ReductionOp<"min", "minimum over axes, NaN-propagating">;
def Asg_VarianceOp : Asg_ReductionOp<"variance", "variance over axes with a correction",
    (ins DefaultValuedAttr<I64Attr, "0">:$correction)>;

def Asg_SoftmaxOp : Asg_UnaryOp<"softmax", "softmax along axis",
    (ins DefaultValuedAttr<I64Attr, "-1">:$axis)>;
def Asg_LogSoftmaxOp : Asg_UnaryOp<"log_softmax", "log of softmax along axis",
    (ins DefaultValuedAttr<I64Attr, "-1">:$axis)>;

def Asg_LayerNormOp : Asg_TensorOp<"layer_norm"> {
  let summary = "(x - mean) / sqrt(var + eps) * gamma + beta over dims axis..end";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$gamma, AnyRankedTensor:$beta,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<F64Attr, "1e-05">:$eps);
}

def Asg_EmbeddingOp : Asg_TensorOp<"embedding"> {
  let summary = "rows of table [V, D] at integer ids: ids.shape + [D]";
  let arguments = (ins AnyRankedTensor:$table, AnyRankedTensor:$ids);
}

def Asg_MseLossOp : Asg_TensorOp<"mse_loss"> {
  let summary = "scalar mean of (pred - target)^2";
  let arguments = (ins AnyRankedTensor:$pred, AnyRankedTensor:$target);
}

def Asg_CrossEntropyOp : Asg_TensorOp<"cross_entropy"> {
  let summary = "scalar mean of -log_softmax(logits)[target]";
  let arguments = (ins AnyRankedTensor:$logits, AnyRankedTensor:$target);
}

//===----------------------------------------------------------------------===//
// Shape ops (any dtype)
//===----------------------------------------------------------------------===//

def Asg_ReshapeOp : Asg_UnaryOp<"reshape", "same elements, new shape (one -1 allowed)",
    (ins DenseI64ArrayAttr:$shape)> {
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}
def Asg_TransposeOp : Asg_UnaryOp<"transpose", "permute dims (default: reverse)",
    (ins OptionalAttr<DenseI64ArrayAttr>:$perm)> {
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}
def Asg_SliceOp : Asg_UnaryOp<"slice", "x[start:end:step] along axis, Python clamping",
    (ins I64Attr:$axis, DefaultValuedAttr<I64Attr, "0">:$start,
         OptionalAttr<I64Attr>:$end, DefaultValuedAttr<I64Attr, "1">:$step)>;
def Asg_BroadcastToOp : Asg_UnaryOp<"broadcast_to", "broadcast to a static shape",
    (ins DenseI64ArrayAttr:$shape)> {
  let hasFolder = 1;
}
def Asg_CastOp : Asg_UnaryOp<"cast", "convert dtype; float -> int truncates and saturates, NaN -> 0",
    (ins TypeAttr:$dtype)> {
  let hasFolder = 1;
}

def Asg_ConcatOp : Asg_TensorOp<"concat"> {
  let summary = "concatenate along axis";
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
}

//===----------------------------------------------------------------------===//
// Internal ops: built by asg-autodiff for gradients, not part of the JSON
// format (the importer does not accept them).
//===----------------------------------------------------------------------===//

def Asg_BroadcastInDimOp : Asg_TensorOp<"broadcast_in_dim"> {
  let summary = "broadcast x to the shape of `like`, x's dim i becoming dim dims[i]";
  let description = [{
    The gradient of reductions: `like` only provides the (possibly dynamic)
    result shape. Each dim of x equals its result dim or is a static 1.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$like,
                       DenseI64ArrayAttr:$dims);
}

def Asg_OneHotOp : Asg_TensorOp<"one_hot"> {
  let summary = "f32 one-hot encoding of integer ids: ids.shape + [depth]";
  let description = [{
    1.0 where the last index equals the id, else 0.0; ids outside
    [0, depth) give a row of zeros. Used by the gradients of cross_entropy
    and embedding.
  }];
  let arguments = (ins AnyRankedTensor:$ids, I64Attr:$depth);
}

def Asg_ScatterSliceOp : Asg_TensorOp<"scatter_slice"> {
  let summary = "zeros shaped like `like`, with `update` written at x[start:end:step] along axis";
  let description = [{
    The gradient of slice: `update` has the shape of the slice of `like`
    with the same axis, start, end and step (Python clamping).
  }];
  let arguments = (ins AnyRankedTensor:$update, AnyRankedTensor:$like, I64Attr:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$start, OptionalAttr<I64Attr>:$end,
                       DefaultValuedAttr<I64Attr, "1">:$step);
}

def Asg_ReshapeLikeOp : Asg_TensorOp<"reshape_like"> {
  let summary = "reshape x to the (possibly dynamic) shape of `like`";
  let description = [{
    The gradient of reshape when the input shape has dynamic dims that a
    static `shape` attribute cannot spell. Element counts must agree (checked
    at run time when dynamic).
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$like);
}

#endif // ASG_OPS_TD
