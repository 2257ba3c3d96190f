// ReductionLowering.cpp: asg sum/mean/max/min/variance and softmax/log_softmax ->
// linalg.generic reductions (two-pass variance, max-subtracted softmax).
#include "compiler/Conversion/AsgToLinalg/LoweringUtils.h"

#include "dialect/AsgOps.h"
#include "dialect/Shapes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/AffineMap.h"

#include <limits>

using namespace mlir;

namespace asg {

// The reduction builders below are also used by NormLossLowering.cpp (which
// declares them); they belong in LoweringUtils.h once that file is open again.

/// The map from the loops of a rank-`rank` iteration space to the loops not in
/// `axes` (how a reduced tensor is indexed inside the reduction).
AffineMap droppingAxesMap(int64_t rank, ArrayRef<int64_t> axes, MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(axes, i))
      exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// The dims of `tensor` that are not in `axes`.
SmallVector<Value> keptDims(OpBuilder &b, Location loc, Value tensor, ArrayRef<int64_t> axes) {
  SmallVector<Value> dims;
  for (auto [i, d] : llvm::enumerate(getDims(b, loc, tensor)))
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      dims.push_back(d);
  return dims;
}

/// The type of `tensor` reduced over `axes` (without keepdims), of element type `elem`.
RankedTensorType droppedAxesType(Value tensor, ArrayRef<int64_t> axes, Type elem) {
  auto type = llvm::cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (!llvm::is_contained(axes, i))
      shape.push_back(type.getDimSize(i));
  return RankedTensorType::get(shape, elem);
}

/// Reduces `input` over `axes` into a tensor of its other dims, starting from
/// `init` (a scalar of the result element type). `reduced` are tensors of the
/// result shape, read broadcast along `axes` (e.g. a mean). `body` gets
/// (input element, reduced elements..., accumulator) and returns the new
/// accumulator.
Value buildReduction(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes, Value init,
                     ValueRange reduced,
                     function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = llvm::cast<RankedTensorType>(input.getType()).getRank();
  RankedTensorType outType = droppedAxesType(input, axes, init.getType());
  Value out = filledTensor(b, loc, outType, keptDims(b, loc, input, axes), init);
  AffineMap kept = droppingAxesMap(rank, axes, ctx);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx)};
  SmallVector<Value> inputs = {input};
  for (Value r : reduced) {
    maps.push_back(kept);
    inputs.push_back(r);
  }
  maps.push_back(kept);
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < rank; ++i)
    iterators.push_back(llvm::is_contained(axes, i) ? utils::IteratorType::reduction
                                                    : utils::IteratorType::parallel);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{outType}, inputs, ValueRange{out}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        nb.create<linalg::YieldOp>(nl, body(nb, nl, args));
      });
  return generic.getResult(0);
}

/// Elementwise over the shape of `input`, with `reduced` (tensors of `input`'s
/// dims without `axes`) read broadcast along `axes`. `body` gets (input
/// element, reduced elements...) and returns an element of type `elem`.
Value buildMapWithReduced(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
                          ValueRange reduced, Type elem,
                          function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  auto type = llvm::cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  auto outType = RankedTensorType::get(type.getShape(), elem);
  Value out = emptyTensor(b, loc, outType, getDims(b, loc, input));
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  SmallVector<AffineMap> maps = {identity};
  SmallVector<Value> inputs = {input};
  for (Value r : reduced) {
    maps.push_back(droppingAxesMap(rank, axes, ctx));
    inputs.push_back(r);
  }
  maps.push_back(identity);
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{outType}, inputs, ValueRange{out}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        nb.create<linalg::YieldOp>(nl, body(nb, nl, args.drop_back()));
      });
  return generic.getResult(0);
}

/// The number of elements in `axes` of `tensor`, as an f32 (1 for no axes).
Value countAsFloat(OpBuilder &b, Location loc, Value tensor, ArrayRef<int64_t> axes) {
  auto type = llvm::cast<RankedTensorType>(tensor.getType());
  int64_t staticCount = 1;
  Value dynamicCount;
  for (int64_t axis : axes) {
    if (!type.isDynamicDim(axis)) {
      staticCount *= type.getDimSize(axis);
      continue;
    }
    Value d = b.create<tensor::DimOp>(loc, tensor, axis);
    dynamicCount = dynamicCount ? b.create<arith::MulIOp>(loc, dynamicCount, d).getResult() : d;
  }
  if (!dynamicCount)
    return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(static_cast<float>(staticCount)));
  if (staticCount != 1)
    dynamicCount = b.create<arith::MulIOp>(
        loc, dynamicCount, b.create<arith::ConstantIndexOp>(loc, staticCount));
  Value asInt = b.create<arith::IndexCastOp>(loc, b.getI64Type(), dynamicCount);
  return b.create<arith::SIToFPOp>(loc, b.getF32Type(), asInt);
}

/// Applies `fn` to every element of `tensor` (same shape, element type of the result).
static Value mapElements(OpBuilder &b, Location loc, Value tensor, RuntimeChecks &checks,
                         function_ref<Value(OpBuilder &, Location, Value)> fn) {
  auto type = llvm::cast<RankedTensorType>(tensor.getType());
  return buildBroadcastElementwise(b, loc, type, ValueRange{tensor}, checks, "",
                                   [&](OpBuilder &nb, Location nl, ValueRange args) {
                                     return fn(nb, nl, args[0]);
                                   });
}

/// Reinserts the reduced `axes` of a rank-`rank` input as size-1 dims
/// (keepdims): `reduced` has the other dims, `type` is the keepdims type.
static Value expandKeepDims(OpBuilder &b, Location loc, Value reduced, ArrayRef<int64_t> axes,
                            int64_t rank, RankedTensorType type) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  SmallVector<OpFoldResult> outputShape;
  int64_t keptIndex = 0;
  for (int64_t i = 0; i < rank; ++i) {
    if (!llvm::is_contained(axes, i)) {
      pending.push_back(i);
      groups.push_back(pending);
      pending.clear();
      if (type.isDynamicDim(i))
        outputShape.push_back(b.create<tensor::DimOp>(loc, reduced, keptIndex).getResult());
      else
        outputShape.push_back(b.getIndexAttr(type.getDimSize(i)));
      ++keptIndex;
      continue;
    }
    outputShape.push_back(b.getIndexAttr(1));
    if (groups.empty())
      pending.push_back(i);
    else
      groups.back().push_back(i);
  }
  // Everything reduced: `groups` stays empty (rank 0 expands to all ones).
  return b.create<tensor::ExpandShapeOp>(loc, type, reduced, groups, outputShape);
}

namespace {

enum class ReduceKind { Sum, Mean, Max, Min, Variance };

template <typename OpTy, ReduceKind kind>
struct ReductionLowering : AsgLoweringPattern<OpTy> {
  using AsgLoweringPattern<OpTy>::AsgLoweringPattern;

  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto inType = llvm::cast<RankedTensorType>(x.getType());
    if (!inType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "reductions take f32 only");
    int64_t rank = inType.getRank();
    std::optional<SmallVector<int64_t>> axesOr = reductionAxes(op->getAttrDictionary(), rank);
    if (!axesOr)
      return rewriter.notifyMatchFailure(op, "invalid axes");
    SmallVector<int64_t> axes = *axesOr;
    RankedTensorType type = this->resultType(op);
    OpBuilder &b = rewriter;

    // Reducing nothing is the identity (variance: one-element groups, below).
    if (axes.empty() && kind != ReduceKind::Variance) {
      rewriter.replaceOp(op, x);
      return success();
    }

    Value zero = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(0.0f));
    auto add = [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
      return nb.create<arith::AddFOp>(nl, a.front(), a.back());
    };
    Value result;
    switch (kind) {
    case ReduceKind::Sum:
      result = buildReduction(b, loc, x, axes, zero, {}, add);
      break;
    case ReduceKind::Max:
    case ReduceKind::Min: {
      float inf = std::numeric_limits<float>::infinity();
      Value init = b.create<arith::ConstantOp>(
          loc, b.getF32FloatAttr(kind == ReduceKind::Max ? -inf : inf));
      result = buildReduction(b, loc, x, axes, init, {},
                              [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                if (kind == ReduceKind::Max)
                                  return nb.create<arith::MaximumFOp>(nl, a.front(), a.back());
                                return nb.create<arith::MinimumFOp>(nl, a.front(), a.back());
                              });
      break;
    }
    case ReduceKind::Mean: {
      Value n = countAsFloat(b, loc, x, axes);
      Value sum = buildReduction(b, loc, x, axes, zero, {}, add);
      result = mapElements(b, loc, sum, this->checks, [&](OpBuilder &nb, Location nl, Value s) {
        return nb.create<arith::DivFOp>(nl, s, n).getResult();
      });
      break;
    }
    case ReduceKind::Variance: {
      // Two passes: the mean, then the sum of squared deviations from it.
      int64_t correction = 0;
      if (auto attr = op->template getAttrOfType<IntegerAttr>("correction"))
        correction = attr.getInt();
      Value n = countAsFloat(b, loc, x, axes);
      Value sum = buildReduction(b, loc, x, axes, zero, {}, add);
      Value mean = mapElements(b, loc, sum, this->checks, [&](OpBuilder &nb, Location nl, Value s) {
        return nb.create<arith::DivFOp>(nl, s, n).getResult();
      });
      Value squares = buildReduction(b, loc, x, axes, zero, {mean},
                                     [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                       Value d = nb.create<arith::SubFOp>(nl, a[0], a[1]);
                                       Value d2 = nb.create<arith::MulFOp>(nl, d, d);
                                       return nb.create<arith::AddFOp>(nl, a[2], d2);
                                     });
      Value divisor = b.create<arith::SubFOp>(
          loc, n, b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(float(correction))));
      result = mapElements(b, loc, squares, this->checks,
                           [&](OpBuilder &nb, Location nl, Value s) {
                             return nb.create<arith::DivFOp>(nl, s, divisor).getResult();
                           });
      break;
    }
    }

    if (result.getType() != type) {
      if (type.getRank() != rank)
        return rewriter.notifyMatchFailure(op, "result type is neither reduced nor keepdims");
      result = expandKeepDims(b, loc, result, axes, rank, type);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// softmax / log_softmax along one axis: m = max, s = sum(exp(x - m)), then
/// exp(x - m) / s or x - m - log(s).
template <typename OpTy, bool isLog>
struct SoftmaxLowering : AsgLoweringPattern<OpTy> {
  using AsgLoweringPattern<OpTy>::AsgLoweringPattern;

  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto inType = llvm::cast<RankedTensorType>(x.getType());
    if (!inType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "softmax takes f32 only");
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), inType.getRank());
    if (!axis || inType.getRank() == 0)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Value result = buildSoftmax(rewriter, loc, x, *axis, isLog);
    if (result.getType() != this->resultType(op))
      return rewriter.notifyMatchFailure(op, "unexpected result type");
    rewriter.replaceOp(op, result);
    return success();
  }

  static Value buildSoftmax(OpBuilder &b, Location loc, Value x, int64_t axis, bool log) {
    float inf = std::numeric_limits<float>::infinity();
    SmallVector<int64_t> axes = {axis};
    Value negInf = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(-inf));
    Value zero = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(0.0f));
    Value max = buildReduction(b, loc, x, axes, negInf, {},
                               [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                 return nb.create<arith::MaximumFOp>(nl, a[0], a[1]);
                               });
    Value sum = buildReduction(b, loc, x, axes, zero, {max},
                               [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                 Value e = nb.create<math::ExpOp>(
                                     nl, nb.create<arith::SubFOp>(nl, a[0], a[1]));
                                 return nb.create<arith::AddFOp>(nl, a[2], e);
                               });
    Type f32 = b.getF32Type();
    return buildMapWithReduced(
        b, loc, x, axes, {max, sum}, f32, [log](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value shifted = nb.create<arith::SubFOp>(nl, a[0], a[1]);
          if (log)
            return nb.create<arith::SubFOp>(nl, shifted, nb.create<math::LogOp>(nl, a[2]));
          return nb.create<arith::DivFOp>(nl, nb.create<math::ExpOp>(nl, shifted), a[2]);
        });
  }
};

} // namespace

void populateReductionLoweringPatterns(const TypeConverter &tc, RewritePatternSet &p,
                                       RuntimeChecks &c) {
  MLIRContext *ctx = p.getContext();
  p.add<ReductionLowering<SumOp, ReduceKind::Sum>, ReductionLowering<MeanOp, ReduceKind::Mean>,
        ReductionLowering<MaxOp, ReduceKind::Max>, ReductionLowering<MinOp, ReduceKind::Min>,
        ReductionLowering<VarianceOp, ReduceKind::Variance>, SoftmaxLowering<SoftmaxOp, false>,
        SoftmaxLowering<LogSoftmaxOp, true>>(tc, ctx, c);
}

} // namespace asg
