// NormLossLowering.cpp: asg layer_norm (two-pass), embedding (checked, clamped gather),
// mse_loss and cross_entropy (max-subtracted log-sum-exp, checked targets) -> linalg.
#include "compiler/Conversion/AsgToLinalg/LoweringUtils.h"

#include "dialect/AsgOps.h"
#include "dialect/Shapes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/AffineMap.h"

#include <limits>

using namespace mlir;

namespace asg {

// Defined in ReductionLowering.cpp (see there).
AffineMap droppingAxesMap(int64_t rank, ArrayRef<int64_t> axes, MLIRContext *ctx);
Value buildReduction(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes, Value init,
                     ValueRange reduced,
                     function_ref<Value(OpBuilder &, Location, ValueRange)> body);
Value countAsFloat(OpBuilder &b, Location loc, Value tensor, ArrayRef<int64_t> axes);

namespace {

Value f32Const(OpBuilder &b, Location loc, float v) {
  return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(v));
}

SmallVector<int64_t> range(int64_t from, int64_t to) {
  SmallVector<int64_t> r;
  for (int64_t i = from; i < to; ++i)
    r.push_back(i);
  return r;
}

/// `fn` applied to every element of `tensor` (no checks: the shape is its own).
Value mapElements(OpBuilder &b, Location loc, Value tensor, RuntimeChecks &checks,
                  function_ref<Value(OpBuilder &, Location, Value)> fn) {
  auto type = llvm::cast<RankedTensorType>(tensor.getType());
  return buildBroadcastElementwise(b, loc, type, ValueRange{tensor}, checks, "",
                                   [&](OpBuilder &nb, Location nl, ValueRange args) {
                                     return fn(nb, nl, args[0]);
                                   });
}

/// An index value clamped to [0, limit - 1] (stays in bounds after a failed check).
Value clampIndex(OpBuilder &b, Location loc, Value id, Value limit) {
  Value idx = b.create<arith::IndexCastOp>(loc, b.getIndexType(), id);
  Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
  Value last = b.create<arith::SubIOp>(loc, limit, b.create<arith::ConstantIndexOp>(loc, 1));
  return b.create<arith::MaxSIOp>(loc, b.create<arith::MinSIOp>(loc, idx, last), zero);
}

/// `tensor` as a gather source that has at least one entry along dim `i`:
/// when that dim is dynamic and 0 at run time (every index then fails its
/// check), an uninitialized stand-in with size 1 there keeps the clamped
/// reads in bounds.
Value nonEmptyAlong(OpBuilder &b, Location loc, Value tensor, int64_t i) {
  auto type = llvm::cast<RankedTensorType>(tensor.getType());
  if (!type.isDynamicDim(i))
    return tensor;
  SmallVector<Value> dims = getDims(b, loc, tensor);
  Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
  Value empty = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, dims[i], zero);
  dims[i] = b.create<arith::ConstantIndexOp>(loc, 1);
  Value standIn = emptyTensor(b, loc, type, dims);
  return b.create<arith::SelectOp>(loc, empty, standIn, tensor);
}

/// Records the check that some integer of `ids` is outside [0, limit).
void checkRange(OpBuilder &b, Location loc, Value ids, Value limit, RuntimeChecks &checks,
                const std::string &message) {
  Type t = llvm::cast<RankedTensorType>(ids.getType()).getElementType();
  Value bound = b.create<arith::IndexCastOp>(loc, t, limit);
  Value failed = reduceAny(b, loc, ids, [&](OpBuilder &nb, Location nl, Value id) {
    Value zero = nb.create<arith::ConstantOp>(nl, nb.getIntegerAttr(t, 0));
    Value low = nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::slt, id, zero);
    Value high = nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::sge, id, bound);
    return nb.create<arith::OrIOp>(nl, low, high).getResult();
  });
  checks.add(failed, message);
}

/// The text of a dim for messages: its size, or its name from `dim`'s asg type.
std::string dimText(Value asgValue, int64_t i) {
  auto type = llvm::cast<RankedTensorType>(asgValue.getType());
  return formatDim(getShape(type)[i]);
}

/// layer_norm over dims axis..end: mean, then the biased variance of the
/// deviations (two passes), then (x - mean) / sqrt(var + eps) * gamma + beta.
struct LayerNormLowering : AsgLoweringPattern<LayerNormOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Value x = adaptor.getInput(), gamma = adaptor.getGamma(), beta = adaptor.getBeta();
    auto xt = llvm::cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank();
    std::optional<int64_t> axisOr = normalizeAxis(op.getAxis(), rank);
    if (!axisOr)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    int64_t axis = *axisOr, normRank = rank - axis;
    for (Value p : {gamma, beta})
      if (llvm::cast<RankedTensorType>(p.getType()).getRank() != normRank)
        return rewriter.notifyMatchFailure(op, "gamma/beta rank differs from the normalized dims");
    RankedTensorType type = resultType(op);
    std::string node = describeNode(op);

    SmallVector<std::optional<Value>> expected;
    for (int64_t i = axis; i < rank; ++i)
      expected.push_back(getDim(b, loc, x, i));
    gamma = guardDims(b, loc, gamma, expected, checks,
                      node + ": gamma does not match the normalized dims at run time");
    beta = guardDims(b, loc, beta, expected, checks,
                     node + ": beta does not match the normalized dims at run time");

    SmallVector<int64_t> axes = range(axis, rank);
    Value zero = f32Const(b, loc, 0.0f);
    Value n = countAsFloat(b, loc, x, axes);
    auto add = [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
      return nb.create<arith::AddFOp>(nl, a[0], a[1]);
    };
    Value sum = buildReduction(b, loc, x, axes, zero, {}, add);
    Value mean = mapElements(b, loc, sum, checks, [&](OpBuilder &nb, Location nl, Value s) {
      return nb.create<arith::DivFOp>(nl, s, n).getResult();
    });
    Value squares = buildReduction(b, loc, x, axes, zero, {mean},
                                   [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                     Value d = nb.create<arith::SubFOp>(nl, a[0], a[1]);
                                     return nb.create<arith::AddFOp>(
                                         nl, a[2], nb.create<arith::MulFOp>(nl, d, d));
                                   });
    Value eps = f32Const(b, loc, static_cast<float>(op.getEps().convertToDouble()));
    Value rstd = mapElements(b, loc, squares, checks, [&](OpBuilder &nb, Location nl, Value s) {
      Value var = nb.create<arith::DivFOp>(nl, s, n);
      Value sd = nb.create<math::SqrtOp>(nl, nb.create<arith::AddFOp>(nl, var, eps));
      return nb.create<arith::DivFOp>(nl, f32Const(nb, nl, 1.0f), sd).getResult();
    });

    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap outer = droppingAxesMap(rank, axes, ctx);
    SmallVector<AffineExpr> innerExprs;
    for (int64_t i = axis; i < rank; ++i)
      innerExprs.push_back(getAffineDimExpr(i, ctx));
    AffineMap inner = AffineMap::get(rank, 0, innerExprs, ctx);
    Value init = emptyTensor(b, loc, type, getDims(b, loc, x));
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{type}, ValueRange{x, mean, rstd, gamma, beta}, ValueRange{init},
        SmallVector<AffineMap>{identity, outer, outer, inner, inner, identity}, iterators,
        [](OpBuilder &nb, Location nl, ValueRange a) {
          Value centered = nb.create<arith::SubFOp>(nl, a[0], a[1]);
          Value normalized = nb.create<arith::MulFOp>(nl, centered, a[2]);
          Value scaled = nb.create<arith::MulFOp>(nl, normalized, a[3]);
          nb.create<linalg::YieldOp>(nl, nb.create<arith::AddFOp>(nl, scaled, a[4]).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// embedding: ids outside [0, V) fail a check; the gather reads the clamped row.
struct EmbeddingLowering : AsgLoweringPattern<EmbeddingOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(EmbeddingOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Value table = adaptor.getTable(), ids = adaptor.getIds();
    auto tt = llvm::cast<RankedTensorType>(table.getType());
    auto it = llvm::cast<RankedTensorType>(ids.getType());
    if (tt.getRank() != 2 || !llvm::isa<IntegerType>(it.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs a [V, D] table and integer ids");
    if (tt.getDimSize(0) == 0)
      return rewriter.notifyMatchFailure(op, "an empty table has no row to read");
    RankedTensorType type = resultType(op);
    int64_t k = it.getRank();

    Value v = getDim(b, loc, table, 0);
    checkRange(b, loc, ids, v, checks,
               describeNode(op) + ": an id is outside [0, " + dimText(op.getTable(), 0) + ")");
    Value source = nonEmptyAlong(b, loc, table, 0);

    SmallVector<Value> dims = getDims(b, loc, ids);
    dims.push_back(getDim(b, loc, table, 1));
    Value init = emptyTensor(b, loc, type, dims);
    SmallVector<AffineExpr> idExprs;
    for (int64_t i = 0; i < k; ++i)
      idExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(k + 1, 0, idExprs, ctx),
                                   AffineMap::getMultiDimIdentityMap(k + 1, ctx)};
    SmallVector<utils::IteratorType> iterators(k + 1, utils::IteratorType::parallel);
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{type}, ValueRange{ids}, ValueRange{init}, maps, iterators,
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value row = clampIndex(nb, nl, a[0], v);
          Value col = nb.create<linalg::IndexOp>(nl, k);
          Value e = nb.create<tensor::ExtractOp>(nl, source, ValueRange{row, col});
          nb.create<linalg::YieldOp>(nl, e);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// mse_loss: (pred - target)^2 over the broadcast shape, summed, divided by the count.
struct MseLossLowering : AsgLoweringPattern<MseLossOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(MseLossOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    std::optional<Shape> shape =
        broadcastShapes(getShape(llvm::cast<RankedTensorType>(op.getPred().getType())),
                        getShape(llvm::cast<RankedTensorType>(op.getTarget().getType())));
    if (!shape)
      return rewriter.notifyMatchFailure(op, "shapes do not broadcast");
    RankedTensorType diffType = stripDimNames(makeTensorType(b.getContext(), *shape, b.getF32Type()));
    Value squares = buildBroadcastElementwise(
        b, loc, diffType, ValueRange{adaptor.getPred(), adaptor.getTarget()}, checks,
        describeNode(op), [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value d = nb.create<arith::SubFOp>(nl, a[0], a[1]);
          return nb.create<arith::MulFOp>(nl, d, d);
        });
    SmallVector<int64_t> all = range(0, diffType.getRank());
    Value n = countAsFloat(b, loc, squares, all);
    Value sum = buildReduction(b, loc, squares, all, f32Const(b, loc, 0.0f), {},
                               [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                 return nb.create<arith::AddFOp>(nl, a[0], a[1]);
                               });
    Value mean = mapElements(b, loc, sum, checks, [&](OpBuilder &nb, Location nl, Value s) {
      return nb.create<arith::DivFOp>(nl, s, n).getResult();
    });
    rewriter.replaceOp(op, mean);
    return success();
  }
};

/// cross_entropy: per position m = max, s = sum(exp(x - m)), loss = m + log(s) -
/// x[target]; the mean over positions. Targets outside [0, C) fail a check and
/// are clamped.
struct CrossEntropyLowering : AsgLoweringPattern<CrossEntropyOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(CrossEntropyOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Value logits = adaptor.getLogits(), target = adaptor.getTarget();
    auto lt = llvm::cast<RankedTensorType>(logits.getType());
    auto tt = llvm::cast<RankedTensorType>(target.getType());
    int64_t rank = lt.getRank(), outer = rank - 1;
    if (rank < 1 || tt.getRank() != outer || !llvm::isa<IntegerType>(tt.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs logits [..., C] and integer targets [...]");
    if (lt.getDimSize(outer) == 0)
      return rewriter.notifyMatchFailure(op, "no classes");
    std::string node = describeNode(op);

    SmallVector<std::optional<Value>> expected;
    for (int64_t i = 0; i < outer; ++i)
      expected.push_back(sameNamedDims(op.getTarget(), i, op.getLogits(), i)
                             ? std::nullopt
                             : std::optional<Value>(getDim(b, loc, logits, i)));
    target = guardDims(b, loc, target, expected, checks,
                       node + ": the target dims do not match the logits at run time");
    Value c = getDim(b, loc, logits, outer);
    checkRange(b, loc, target, c, checks,
               node + ": a target is outside [0, " + dimText(op.getLogits(), outer) + ")");
    Value source = nonEmptyAlong(b, loc, logits, outer);

    float inf = std::numeric_limits<float>::infinity();
    SmallVector<int64_t> classAxis = {outer};
    Value max = buildReduction(b, loc, logits, classAxis, f32Const(b, loc, -inf), {},
                               [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                 return nb.create<arith::MaximumFOp>(nl, a[0], a[1]);
                               });
    Value sum = buildReduction(b, loc, logits, classAxis, f32Const(b, loc, 0.0f), {max},
                               [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                 Value e = nb.create<math::ExpOp>(
                                     nl, nb.create<arith::SubFOp>(nl, a[0], a[1]));
                                 return nb.create<arith::AddFOp>(nl, a[2], e);
                               });

    // Sum over positions of m + log(s) - logits[pos, target].
    auto scalarType = RankedTensorType::get({}, b.getF32Type());
    Value init = filledTensor(b, loc, scalarType, {}, f32Const(b, loc, 0.0f));
    AffineMap identity = AffineMap::getMultiDimIdentityMap(outer, ctx);
    SmallVector<AffineMap> maps = {identity, identity, identity, AffineMap::get(outer, 0, {}, ctx)};
    SmallVector<utils::IteratorType> iterators(outer, utils::IteratorType::reduction);
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{scalarType}, ValueRange{max, sum, target}, ValueRange{init}, maps,
        iterators, [&](OpBuilder &nb, Location nl, ValueRange a) {
          SmallVector<Value> idx;
          for (int64_t i = 0; i < outer; ++i)
            idx.push_back(nb.create<linalg::IndexOp>(nl, i));
          idx.push_back(clampIndex(nb, nl, a[2], c));
          Value picked = nb.create<tensor::ExtractOp>(nl, source, idx);
          Value lse = nb.create<arith::AddFOp>(nl, a[0], nb.create<math::LogOp>(nl, a[1]));
          Value loss = nb.create<arith::SubFOp>(nl, lse, picked);
          nb.create<linalg::YieldOp>(nl, nb.create<arith::AddFOp>(nl, a[3], loss).getResult());
        });
    Value n = countAsFloat(b, loc, logits, range(0, outer));
    Value mean = mapElements(b, loc, generic.getResult(0), checks,
                             [&](OpBuilder &nb, Location nl, Value s) {
                               return nb.create<arith::DivFOp>(nl, s, n).getResult();
                             });
    rewriter.replaceOp(op, mean);
    return success();
  }
};

} // namespace

void populateNormLossLoweringPatterns(const TypeConverter &tc, RewritePatternSet &p,
                                      RuntimeChecks &c) {
  p.add<LayerNormLowering, EmbeddingLowering, MseLossLowering, CrossEntropyLowering>(
      tc, p.getContext(), c);
}

} // namespace asg
