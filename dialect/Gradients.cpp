// Gradients.cpp: the vector-Jacobian product of every asg op (DifferentiableOp), built
// from asg ops so that gradients are themselves shape-checked, simplified and lowered.
#include "dialect/AsgOps.h"
#include "dialect/GradientUtils.h"
#include "dialect/Shapes.h"

#include <cmath>

using namespace mlir;

namespace asg {
namespace {

bool isFloatTensor(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getElementType().isF32();
}

/// Collects operand gradients: null where not needed or not differentiable.
class Grads {
public:
  Grads(Operation *op, ArrayRef<bool> needed, SmallVectorImpl<Value> &out)
      : op(op), needed(needed), out(out) {
    out.assign(op->getNumOperands(), Value());
  }
  /// Whether operand i wants a gradient (needed and f32).
  bool wants(unsigned i) const {
    return i < needed.size() && needed[i] && isFloatTensor(op->getOperand(i));
  }
  /// Sets operand i's gradient, summed back to its shape when it was broadcast.
  void set(GradBuilder &g, unsigned i, Value grad) {
    if (wants(i))
      out[i] = g.unbroadcast(grad, op->getOperand(i).getType());
  }
  LogicalResult done() { return success(); }

private:
  Operation *op;
  ArrayRef<bool> needed;
  SmallVectorImpl<Value> &out;
};

/// For ops with no gradient (comparisons, constants, integer results).
LogicalResult noGradients(Operation *op, SmallVectorImpl<Value> &out) {
  out.assign(op->getNumOperands(), Value());
  return success();
}

/// d/dx of an elementwise unary op: grad * local(x, y).
template <typename OpTy, typename Fn>
LogicalResult unary(OpTy op, OpBuilder &b, Value grad, ArrayRef<bool> needed,
                    SmallVectorImpl<Value> &out, Fn local) {
  Grads grads(op, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, op.getLoc());
  grads.set(g, 0, local(g, op->getOperand(0), op->getResult(0), grad));
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

LogicalResult AddOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  GradBuilder g(b, getLoc());
  grads.set(g, 0, grad);
  grads.set(g, 1, grad);
  return success();
}

LogicalResult SubOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  GradBuilder g(b, getLoc());
  grads.set(g, 0, grad);
  if (grads.wants(1))
    grads.set(g, 1, g.neg(grad));
  return success();
}

LogicalResult MulOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  GradBuilder g(b, getLoc());
  if (grads.wants(0))
    grads.set(g, 0, g.mul(grad, getRhs()));
  if (grads.wants(1))
    grads.set(g, 1, g.mul(grad, getLhs()));
  return success();
}

LogicalResult DivOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  GradBuilder g(b, getLoc());
  if (grads.wants(0))
    grads.set(g, 0, g.div(grad, getRhs()));
  if (grads.wants(1)) // d(a/b)/db = -(a/b)/b
    grads.set(g, 1, g.neg(g.div(g.mul(grad, getResult()), getRhs())));
  return success();
}

LogicalResult PowOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  GradBuilder g(b, getLoc());
  Value a = getLhs(), e = getRhs(), zero = g.scalar(0.0);
  if (grads.wants(0)) {
    // PyTorch: 0 where the exponent is 0, else grad * e * a^(e-1).
    Value local = g.mul(e, g.create<PowOp>({a, g.sub(e, g.scalar(1.0))}));
    grads.set(g, 0, g.where(g.equal(e, zero), zero, g.mul(grad, local)));
  }
  if (grads.wants(1)) {
    // PyTorch: grad * a^e * log(a), 0 where a == 0 (and e >= 0).
    Value local = g.mul(getResult(), g.log(a));
    Value nonNegative = g.add(g.greater(e, zero), g.equal(e, zero)); // e >= 0 (NaN: no)
    Value masked = g.where(g.mul(g.equal(a, zero), nonNegative), zero, g.mul(grad, local));
    grads.set(g, 1, masked);
  }
  return success();
}

/// maximum/minimum: the winner gets the gradient, a tie gives half to each side.
template <typename OpTy>
static LogicalResult extremumGradients(OpTy op, OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                       SmallVectorImpl<Value> &out, bool isMax) {
  Grads grads(op, needed, out);
  GradBuilder g(b, op.getLoc());
  Value a = op.getLhs(), c = op.getRhs();
  Value half = g.mul(g.equal(a, c), g.scalar(0.5));
  Value aWins = isMax ? g.greater(a, c) : g.less(a, c);
  Value cWins = isMax ? g.greater(c, a) : g.less(c, a);
  if (grads.wants(0))
    grads.set(g, 0, g.mul(grad, g.add(aWins, half)));
  if (grads.wants(1))
    grads.set(g, 1, g.mul(grad, g.add(cWins, half)));
  return success();
}

LogicalResult MaximumOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                        SmallVectorImpl<Value> &out) {
  return extremumGradients(*this, b, grad, needed, out, /*isMax=*/true);
}
LogicalResult MinimumOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                        SmallVectorImpl<Value> &out) {
  return extremumGradients(*this, b, grad, needed, out, /*isMax=*/false);
}

LogicalResult GreaterOp::buildGradients(OpBuilder &, Value, ArrayRef<bool>,
                                        SmallVectorImpl<Value> &out) {
  return noGradients(*this, out);
}
LogicalResult LessOp::buildGradients(OpBuilder &, Value, ArrayRef<bool>,
                                     SmallVectorImpl<Value> &out) {
  return noGradients(*this, out);
}
LogicalResult EqualOp::buildGradients(OpBuilder &, Value, ArrayRef<bool>,
                                      SmallVectorImpl<Value> &out) {
  return noGradients(*this, out);
}

LogicalResult WhereOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                      SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  GradBuilder g(b, getLoc());
  Value zero = g.scalar(0.0);
  if (grads.wants(1))
    grads.set(g, 1, g.where(getCond(), grad, zero));
  if (grads.wants(2))
    grads.set(g, 2, g.where(getCond(), zero, grad));
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise unary and activations
//===----------------------------------------------------------------------===//

LogicalResult NegOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &out) {
  return unary(*this, b, grad, needed, out,
               [](GradBuilder &g, Value, Value, Value dy) { return g.neg(dy); });
}

LogicalResult AbsOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &out) {
  return unary(*this, b, grad, needed, out, [](GradBuilder &g, Value x, Value, Value dy) {
    Value zero = g.scalar(0.0); // sign(x), with abs'(0) = 0
    return g.mul(dy, g.sub(g.greater(x, zero), g.less(x, zero)));
  });
}

LogicalResult ExpOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &out) {
  return unary(*this, b, grad, needed, out,
               [](GradBuilder &g, Value, Value y, Value dy) { return g.mul(dy, y); });
}

LogicalResult LogOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &out) {
  return unary(*this, b, grad, needed, out,
               [](GradBuilder &g, Value x, Value, Value dy) { return g.div(dy, x); });
}

LogicalResult SqrtOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                     SmallVectorImpl<Value> &out) {
  return unary(*this, b, grad, needed, out, [](GradBuilder &g, Value, Value y, Value dy) {
    return g.div(dy, g.mul(y, g.scalar(2.0)));
  });
}

LogicalResult RsqrtOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                      SmallVectorImpl<Value> &out) {
  return unary(*this, b, grad, needed, out, [](GradBuilder &g, Value, Value y, Value dy) {
    return g.mul(dy, g.mul(g.mul(y, g.mul(y, y)), g.scalar(-0.5)));
  });
}

LogicalResult TanhOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                     SmallVectorImpl<Value> &out) {
  return unary(*this, b, grad, needed, out, [](GradBuilder &g, Value, Value y, Value dy) {
    return g.mul(dy, g.sub(g.scalar(1.0), g.mul(y, y)));
  });
}

LogicalResult SigmoidOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                        SmallVectorImpl<Value> &out) {
  return unary(*this, b, grad, needed, out, [](GradBuilder &g, Value, Value y, Value dy) {
    return g.mul(dy, g.mul(y, g.sub(g.scalar(1.0), y)));
  });
}

LogicalResult ReluOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                     SmallVectorImpl<Value> &out) {
  return unary(*this, b, grad, needed, out, [](GradBuilder &g, Value x, Value, Value dy) {
    return g.mul(dy, g.greater(x, g.scalar(0.0))); // relu'(0) = 0
  });
}

LogicalResult SiluOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                     SmallVectorImpl<Value> &out) {
  return unary(*this, b, grad, needed, out, [](GradBuilder &g, Value x, Value, Value dy) {
    Value s = g.sigmoid(x), one = g.scalar(1.0);
    return g.mul(dy, g.mul(s, g.add(one, g.mul(x, g.sub(one, s)))));
  });
}

LogicalResult SoftplusOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                         SmallVectorImpl<Value> &out) {
  return unary(*this, b, grad, needed, out, [](GradBuilder &g, Value x, Value, Value dy) {
    // Above PyTorch's threshold 20 softplus is the identity.
    return g.where(g.greater(x, g.scalar(20.0)), dy, g.mul(dy, g.sigmoid(x)));
  });
}

LogicalResult GeluOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                     SmallVectorImpl<Value> &out) {
  bool tanhForm = getApproximate() == "tanh";
  return unary(*this, b, grad, needed, out, [&](GradBuilder &g, Value x, Value y, Value dy) {
    Value half = g.scalar(0.5), one = g.scalar(1.0);
    if (tanhForm) {
      double k = std::sqrt(2.0 / M_PI);
      Value x2 = g.mul(x, x);
      Value inner = g.mul(g.scalar(k), g.add(x, g.mul(g.scalar(0.044715), g.mul(x2, x))));
      Value t = g.tanh(inner);
      Value dInner = g.mul(g.scalar(k), g.add(one, g.mul(g.scalar(3 * 0.044715), x2)));
      Value local = g.add(g.mul(half, g.add(one, t)),
                          g.mul(g.mul(half, x), g.mul(g.sub(one, g.mul(t, t)), dInner)));
      return g.mul(dy, local);
    }
    // gelu(x) = x Phi(x): Phi(x) = gelu(x) / x (0.5 at 0) needs no erf op;
    // the density term is x * exp(-x^2/2) / sqrt(2 pi).
    Value zero = g.scalar(0.0);
    Value phi = g.where(g.equal(x, zero), half, g.div(y, g.where(g.equal(x, zero), one, x)));
    Value density = g.mul(g.scalar(1.0 / std::sqrt(2.0 * M_PI)),
                          g.exp(g.mul(g.scalar(-0.5), g.mul(x, x))));
    return g.mul(dy, g.add(phi, g.mul(x, density)));
  });
}

LogicalResult LeakyReluOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                          SmallVectorImpl<Value> &out) {
  double alpha = getAlpha().convertToDouble();
  return unary(*this, b, grad, needed, out, [&](GradBuilder &g, Value x, Value, Value dy) {
    return g.mul(dy, g.where(g.greater(x, g.scalar(0.0)), g.scalar(1.0), g.scalar(alpha)));
  });
}

LogicalResult EluOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &out) {
  double alpha = getAlpha().convertToDouble();
  return unary(*this, b, grad, needed, out, [&](GradBuilder &g, Value x, Value y, Value dy) {
    // For x <= 0, d/dx alpha (e^x - 1) = y + alpha.
    return g.mul(dy, g.where(g.greater(x, g.scalar(0.0)), g.scalar(1.0),
                             g.add(y, g.scalar(alpha))));
  });
}

LogicalResult ClampOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                      SmallVectorImpl<Value> &out) {
  std::optional<APFloat> lo = getMin(), hi = getMax();
  return unary(*this, b, grad, needed, out, [&](GradBuilder &g, Value x, Value, Value dy) {
    // Passes the gradient inside [min, max] only (bounds included).
    Value pass = dy;
    if (lo)
      pass = g.where(g.less(x, g.scalar(lo->convertToDouble())), g.scalar(0.0), pass);
    if (hi)
      pass = g.where(g.greater(x, g.scalar(hi->convertToDouble())), g.scalar(0.0), pass);
    return pass;
  });
}

LogicalResult ConstantOp::buildGradients(OpBuilder &, Value, ArrayRef<bool>,
                                         SmallVectorImpl<Value> &out) {
  return noGradients(*this, out);
}

LogicalResult CastOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                     SmallVectorImpl<Value> &out) {
  // Only f32 -> f32 carries a gradient (folded away); integers have none.
  Grads grads(*this, needed, out);
  if (grads.wants(0) && isFloatTensor(getResult())) {
    GradBuilder g(b, getLoc());
    grads.set(g, 0, grad);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Linear algebra, reductions, normalization, losses
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                       SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  GradBuilder g(b, getLoc());
  // dA = dC B^T and dB = A^T dC, summed over broadcast batch dims.
  if (grads.wants(0))
    grads.set(g, 0, g.matmul(grad, g.swapLast2(getRhs())));
  if (!grads.wants(1))
    return success();
  auto a = llvm::cast<RankedTensorType>(getLhs().getType());
  auto c = llvm::cast<RankedTensorType>(grad.getType());
  int64_t k = a.getDimSize(a.getRank() - 1), n = c.getDimSize(c.getRank() - 1);
  if (getRhs().getType().getRank() == 2 && a.getRank() > 2 && !ShapedType::isDynamic(k) &&
      !ShapedType::isDynamic(n)) {
    // A linear layer over batched rows: fold the batch dims into the rows,
    // one [K, rows] x [rows, N] product instead of a product per batch
    // element and a sum over them.
    Value rows = g.reshape(getLhs(), {-1, k});
    grads.set(g, 1, g.matmul(g.swapLast2(rows), g.reshape(grad, {-1, n})));
    return success();
  }
  grads.set(g, 1, g.matmul(g.swapLast2(getLhs()), grad));
  return success();
}

LogicalResult SumOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, getLoc());
  grads.set(g, 0, g.expandReduced(grad, getInput(), reductionAxesOf(*this), getKeepdims()));
  return success();
}

LogicalResult MeanOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                     SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, getLoc());
  SmallVector<int64_t> axes = reductionAxesOf(*this);
  Value expanded = g.expandReduced(grad, getInput(), axes, getKeepdims());
  grads.set(g, 0, g.div(expanded, g.countOver(getInput(), axes)));
  return success();
}

/// max/min reductions: the gradient is shared evenly among tied extrema.
static LogicalResult reducedExtremumGradients(Operation *op, OpBuilder &b, Value grad,
                                              ArrayRef<bool> needed, SmallVectorImpl<Value> &out,
                                              bool keepdims) {
  Grads grads(op, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, op->getLoc());
  Value x = op->getOperand(0);
  SmallVector<int64_t> axes = reductionAxesOf(op);
  Value extremum = g.expandReduced(op->getResult(0), x, axes, keepdims);
  Value mask = g.equal(x, extremum);
  Value count = g.sum(mask, axes, /*keepdims=*/true);
  Value share = g.div(g.expandReduced(grad, x, axes, keepdims), count.getType() == mask.getType()
                                                                    ? count
                                                                    : g.expandReduced(count, x, axes, true));
  grads.set(g, 0, g.mul(mask, share));
  return success();
}

LogicalResult MaxOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &out) {
  return reducedExtremumGradients(*this, b, grad, needed, out, getKeepdims());
}
LogicalResult MinOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &out) {
  return reducedExtremumGradients(*this, b, grad, needed, out, getKeepdims());
}

LogicalResult VarianceOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                         SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, getLoc());
  Value x = getInput();
  SmallVector<int64_t> axes = reductionAxesOf(*this);
  Value count = g.countOver(x, axes);
  Value mean = g.div(g.sum(x, axes, /*keepdims=*/true), count);
  Value denom = g.sub(count, g.scalar(static_cast<double>(getCorrection())));
  Value expanded = g.expandReduced(grad, x, axes, getKeepdims());
  grads.set(g, 0, g.div(g.mul(expanded, g.mul(g.sub(x, mean), g.scalar(2.0))), denom));
  return success();
}

LogicalResult SoftmaxOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                        SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, getLoc());
  int64_t axis = *normalizeAxis(getAxis(), getResult().getType().getRank());
  Value y = getResult();
  Value dot = g.sum(g.mul(grad, y), {axis}, /*keepdims=*/true);
  grads.set(g, 0, g.mul(y, g.sub(grad, dot)));
  return success();
}

LogicalResult LogSoftmaxOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                           SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, getLoc());
  int64_t axis = *normalizeAxis(getAxis(), getResult().getType().getRank());
  Value total = g.sum(grad, {axis}, /*keepdims=*/true);
  grads.set(g, 0, g.sub(grad, g.mul(g.exp(getResult()), total)));
  return success();
}

LogicalResult LayerNormOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                          SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  GradBuilder g(b, getLoc());
  Value x = getInput();
  int64_t rank = llvm::cast<RankedTensorType>(x.getType()).getRank();
  int64_t axis = *normalizeAxis(getAxis(), rank);
  SmallVector<int64_t> normalized, leading;
  for (int64_t i = 0; i < rank; ++i)
    (i >= axis ? normalized : leading).push_back(i);
  // Recompute the normalization (x - mean) * rstd over the normalized dims.
  Value count = g.countOver(x, normalized);
  Value mean = g.div(g.sum(x, normalized, true), count);
  Value centered = g.sub(x, mean);
  Value var = g.div(g.sum(g.mul(centered, centered), normalized, true), count);
  Value rstd = g.div(g.scalar(1.0), g.sqrt(g.add(var, g.scalar(getEps().convertToDouble()))));
  Value xhat = g.mul(centered, rstd);
  if (grads.wants(0)) {
    Value dxhat = g.mul(grad, getGamma());
    Value meanD = g.div(g.sum(dxhat, normalized, true), count);
    Value meanDX = g.div(g.sum(g.mul(dxhat, xhat), normalized, true), count);
    grads.set(g, 0, g.mul(rstd, g.sub(g.sub(dxhat, meanD), g.mul(xhat, meanDX))));
  }
  if (grads.wants(1))
    grads.set(g, 1, g.sum(g.mul(grad, xhat), leading, false));
  if (grads.wants(2))
    grads.set(g, 2, g.sum(grad, leading, false));
  return success();
}

LogicalResult EmbeddingOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                          SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, getLoc());
  // Scatter-add of the rows: one_hot(ids)^T @ grad over all id positions,
  // so repeated ids accumulate.
  auto table = llvm::cast<RankedTensorType>(getTable().getType());
  int64_t rows = table.getDimSize(0), width = table.getDimSize(1);
  Value hot = g.reshape(g.oneHot(getIds(), rows), {-1, rows});
  Value flat = g.reshape(grad, {-1, width});
  grads.set(g, 0, g.matmul(g.swapLast2(hot), flat));
  return success();
}

LogicalResult MseLossOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                        SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  GradBuilder g(b, getLoc());
  Value diff = g.sub(getPred(), getTarget());
  int64_t rank = llvm::cast<RankedTensorType>(diff.getType()).getRank();
  SmallVector<int64_t> all;
  for (int64_t i = 0; i < rank; ++i)
    all.push_back(i);
  Value scale = g.div(g.mul(grad, g.scalar(2.0)), g.countOver(diff, all));
  Value local = g.mul(diff, scale);
  if (grads.wants(0))
    grads.set(g, 0, local);
  if (grads.wants(1))
    grads.set(g, 1, g.neg(local));
  return success();
}

LogicalResult CrossEntropyOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                             SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, getLoc());
  Value logits = getLogits();
  auto type = llvm::cast<RankedTensorType>(logits.getType());
  int64_t classes = type.getDimSize(type.getRank() - 1);
  SmallVector<int64_t> positions;
  for (int64_t i = 0; i + 1 < type.getRank(); ++i)
    positions.push_back(i);
  Value probs = g.create<SoftmaxOp>({logits}, {b.getNamedAttr("axis", b.getI64IntegerAttr(-1))});
  Value local = g.sub(probs, g.oneHot(getTarget(), classes));
  Value count = g.countOver(getTarget(), positions);
  grads.set(g, 0, g.mul(local, g.div(grad, count)));
  return success();
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                        SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, getLoc());
  auto in = llvm::cast<RankedTensorType>(getInput().getType());
  grads.set(g, 0, in.hasStaticShape() ? g.reshape(grad, in.getShape())
                                      : g.reshapeLike(grad, getInput()));
  return success();
}

LogicalResult TransposeOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                          SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, getLoc());
  int64_t rank = llvm::cast<RankedTensorType>(getInput().getType()).getRank();
  SmallVector<int64_t> perm(rank), inverse(rank);
  for (int64_t i = 0; i < rank; ++i)
    perm[i] = getPerm() ? *normalizeAxis((*getPerm())[i], rank) : rank - 1 - i;
  for (int64_t i = 0; i < rank; ++i)
    inverse[perm[i]] = i;
  grads.set(g, 0, g.transpose(grad, inverse));
  return success();
}

LogicalResult SliceOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                      SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, getLoc());
  SmallVector<NamedAttribute> attrs = {b.getNamedAttr("axis", getAxisAttr()),
                                       b.getNamedAttr("start", getStartAttr()),
                                       b.getNamedAttr("step", getStepAttr())};
  if (getEndAttr())
    attrs.push_back(b.getNamedAttr("end", getEndAttr()));
  grads.set(g, 0, g.create<ScatterSliceOp>({grad, getInput()}, attrs));
  return success();
}

LogicalResult ConcatOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                       SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  GradBuilder g(b, getLoc());
  int64_t rank = llvm::cast<RankedTensorType>(getResult().getType()).getRank();
  int64_t axis = *normalizeAxis(getAxis(), rank);
  // Each input's gradient is its slice of the result's; offsets of inputs
  // with dynamic sizes are only known at run time, so slice from the ends
  // when the prefix is dynamic and the suffix is not (negative bounds), and
  // take a dynamic-sized input between static ones as [offset, -suffix).
  SmallVector<int64_t> sizes;
  for (Value operand : getOperands())
    sizes.push_back(llvm::cast<RankedTensorType>(operand.getType()).getDimSize(axis));
  auto isStatic = [](ArrayRef<int64_t> dims) {
    return llvm::none_of(dims, [](int64_t d) { return ShapedType::isDynamic(d); });
  };
  auto total = [](ArrayRef<int64_t> dims) {
    int64_t n = 0;
    for (int64_t d : dims)
      n += d;
    return n;
  };
  for (unsigned i = 0; i < getNumOperands(); ++i) {
    if (!grads.wants(i))
      continue;
    ArrayRef<int64_t> prefix = ArrayRef<int64_t>(sizes).take_front(i);
    ArrayRef<int64_t> suffix = ArrayRef<int64_t>(sizes).drop_front(i + 1);
    int64_t size = sizes[i];
    std::optional<int64_t> start, end;
    if (isStatic(prefix) && !ShapedType::isDynamic(size)) {
      start = total(prefix);
      end = *start + size;
    } else if (isStatic(prefix) && isStatic(suffix)) {
      start = total(prefix);
      if (total(suffix))
        end = -total(suffix);
    } else if (isStatic(suffix) && !ShapedType::isDynamic(size)) {
      start = -(total(suffix) + size);
      if (total(suffix))
        end = -total(suffix);
    } else {
      return emitOpError("the gradient of a concat along a dim where several inputs have "
                         "run-time sizes is not supported (input ")
             << i + 1 << ")";
    }
    SmallVector<NamedAttribute> attrs = {b.getNamedAttr("axis", b.getI64IntegerAttr(axis)),
                                         b.getNamedAttr("start", b.getI64IntegerAttr(*start))};
    if (end)
      attrs.push_back(b.getNamedAttr("end", b.getI64IntegerAttr(*end)));
    Value slice = g.create<SliceOp>({grad}, attrs);
    // A slice of a dynamic dim is an anonymous dim: give it the operand's dims back.
    grads.set(g, i, g.reshapeLike(slice, getOperand(i)));
  }
  return success();
}

LogicalResult BroadcastToOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                            SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  GradBuilder g(b, getLoc());
  grads.set(g, 0, grad);
  return success();
}

//===----------------------------------------------------------------------===//
// Internal ops
//===----------------------------------------------------------------------===//

LogicalResult BroadcastInDimOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                               SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, getLoc());
  auto in = llvm::cast<RankedTensorType>(getInput().getType());
  int64_t rank = llvm::cast<RankedTensorType>(getResult().getType()).getRank();
  ArrayRef<int64_t> dims = getDims();
  SmallVector<int64_t> dropped, ones;
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(dims, i))
      dropped.push_back(i);
  Value summed = g.sum(grad, dropped, /*keepdims=*/false);
  // Now in the order of `dims` sorted; input dims of static 1 that were
  // broadcast are summed with keepdims.
  for (auto [i, d] : llvm::enumerate(dims))
    if (in.getDimSize(i) == 1)
      ones.push_back(i);
  Value out0 = g.sum(summed, ones, /*keepdims=*/true);
  if (!llvm::is_sorted(dims)) {
    SmallVector<int64_t> order(dims.begin(), dims.end()), perm;
    SmallVector<int64_t> sorted = order;
    llvm::sort(sorted);
    for (int64_t d : order)
      perm.push_back(llvm::find(sorted, d) - sorted.begin());
    out0 = g.transpose(out0, perm);
  }
  grads.set(g, 0, out0);
  return success();
}

LogicalResult OneHotOp::buildGradients(OpBuilder &, Value, ArrayRef<bool>,
                                       SmallVectorImpl<Value> &out) {
  return noGradients(*this, out);
}

LogicalResult ScatterSliceOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                             SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, getLoc());
  SmallVector<NamedAttribute> attrs = {b.getNamedAttr("axis", getAxisAttr()),
                                       b.getNamedAttr("start", getStartAttr()),
                                       b.getNamedAttr("step", getStepAttr())};
  if (getEndAttr())
    attrs.push_back(b.getNamedAttr("end", getEndAttr()));
  grads.set(g, 0, g.create<SliceOp>({grad}, attrs));
  return success();
}

LogicalResult ReshapeLikeOp::buildGradients(OpBuilder &b, Value grad, ArrayRef<bool> needed,
                                            SmallVectorImpl<Value> &out) {
  Grads grads(*this, needed, out);
  if (!grads.wants(0))
    return success();
  GradBuilder g(b, getLoc());
  grads.set(g, 0, g.reshapeLike(grad, getInput()));
  return success();
}

} // namespace asg
