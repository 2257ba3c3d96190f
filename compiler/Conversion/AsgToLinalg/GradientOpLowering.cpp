// GradientOpLowering.cpp: lowering of the internal ops built by asg-autodiff
// (broadcast_in_dim, one_hot, scatter_slice, reshape_like) to linalg/tensor.
#include "compiler/Conversion/AsgToLinalg/LoweringUtils.h"

#include "dialect/AsgOps.h"
#include "dialect/Shapes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace asg {
namespace {

/// An index constant.
Value indexConstant(OpBuilder &b, Location loc, int64_t v) {
  return b.create<arith::ConstantIndexOp>(loc, v);
}

/// The result dims of `type`: constants where static, else dim `i` of `like`.
SmallVector<Value> dimsLike(OpBuilder &b, Location loc, RankedTensorType type, Value like) {
  SmallVector<Value> dims;
  for (int64_t i = 0; i < type.getRank(); ++i)
    dims.push_back(type.isDynamicDim(i) ? b.create<tensor::DimOp>(loc, like, i).getResult()
                                        : indexConstant(b, loc, type.getDimSize(i)));
  return dims;
}

/// `tensor` cast so that its static dims whose expected size is only known at
/// run time become dynamic: guardDims can then stand in a tensor of the
/// expected dims when the check fails (a static stand-in would not help).
Value relaxForGuard(OpBuilder &b, Location loc, Value tensor,
                    ArrayRef<std::optional<Value>> expected) {
  auto type = llvm::cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (auto [i, want] : llvm::enumerate(expected))
    if (want && !type.isDynamicDim(i) && getConstantIntValue(*want) != type.getDimSize(i))
      shape[i] = ShapedType::kDynamic;
  auto relaxed = RankedTensorType::get(shape, type.getElementType());
  if (relaxed == type)
    return tensor;
  return b.create<tensor::CastOp>(loc, relaxed, tensor);
}

/// broadcast_in_dim: a linalg.generic over the result (dims from `like`)
/// reading x at the result dims named by `dims`; static-1 input dims read
/// index 0. Other input dims must equal their result dims: a dynamic one is
/// guarded, a static one fixes the loop bound and checks `like`'s dim.
struct BroadcastInDimLowering : AsgLoweringPattern<BroadcastInDimOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(BroadcastInDimOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getInput(), like = adaptor.getLike();
    auto inType = llvm::cast<RankedTensorType>(x.getType());
    auto likeType = llvm::cast<RankedTensorType>(like.getType());
    RankedTensorType type = resultType(op);
    int64_t rank = type.getRank();
    ArrayRef<int64_t> dims = op.getDims();
    if (static_cast<int64_t>(dims.size()) != inType.getRank() || likeType.getRank() != rank)
      return rewriter.notifyMatchFailure(op, "'dims' does not map each input dim, or `like` "
                                             "does not have the result rank");
    SmallVector<bool> used(rank, false);
    bool identity = inType.getRank() == rank;
    for (auto [i, d] : llvm::enumerate(dims)) {
      if (d < 0 || d >= rank || used[d])
        return rewriter.notifyMatchFailure(op, "'dims' are not distinct dims of the result");
      used[d] = true;
      identity &= d == static_cast<int64_t>(i);
      int64_t size = inType.getDimSize(i);
      if (!ShapedType::isDynamic(size) && size != 1 && !type.isDynamicDim(d) &&
          type.getDimSize(d) != size)
        return rewriter.notifyMatchFailure(op, "a static input dim differs from its result dim");
    }
    if (identity && inType == type && type.hasStaticShape()) {
      rewriter.replaceOp(op, x);
      return success();
    }

    // Result dims: static, else a static input dim (not 1) mapped to it, else
    // `like`'s. A static input dim fixing a dynamic result dim is checked.
    SmallVector<Value> resultDims = dimsLike(b, loc, type, like);
    Value likeDiffers;
    for (auto [i, d] : llvm::enumerate(dims)) {
      int64_t size = inType.getDimSize(i);
      if (ShapedType::isDynamic(size) || size == 1 || !type.isDynamicDim(d))
        continue;
      Value fixed = indexConstant(b, loc, size);
      Value differs =
          b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, resultDims[d], fixed);
      likeDiffers = likeDiffers ? b.create<arith::OrIOp>(loc, likeDiffers, differs).getResult()
                                : differs;
      resultDims[d] = fixed;
    }
    std::string message =
        describeNode(op) + ": the input's dims do not match the result's at run time";
    if (likeDiffers)
      checks.add(likeDiffers, message);

    // Dynamic input dims must equal their result dims (unless named alike).
    SmallVector<std::optional<Value>> expected(inType.getRank());
    SmallVector<AffineExpr> exprs;
    for (auto [i, d] : llvm::enumerate(dims)) {
      if (inType.getDimSize(i) == 1) {
        exprs.push_back(getAffineConstantExpr(0, ctx));
        continue;
      }
      exprs.push_back(getAffineDimExpr(d, ctx));
      if (!sameNamedDims(op.getInput(), i, op.getLike(), d))
        expected[i] = resultDims[d];
    }
    x = guardDims(b, loc, x, expected, checks, message);

    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, exprs, ctx),
                                   AffineMap::getMultiDimIdentityMap(rank, ctx)};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    Value init = emptyTensor(b, loc, type, resultDims);
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{type}, ValueRange{x}, ValueRange{init}, maps, iterators,
        [](OpBuilder &nb, Location nl, ValueRange args) {
          nb.create<linalg::YieldOp>(nl, args[0]);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// one_hot: an f32 linalg.generic over ids.shape + [depth] yielding 1.0 where
/// linalg.index of the last dim equals the id (compared as index, so ids
/// outside [0, depth) match nothing and give zeros).
struct OneHotLowering : AsgLoweringPattern<OneHotOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(OneHotOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = op.getContext();
    Value ids = adaptor.getIds();
    auto idsType = llvm::cast<RankedTensorType>(ids.getType());
    RankedTensorType type = resultType(op);
    int64_t rank = idsType.getRank();
    int64_t depth = op.getDepth();
    if (!llvm::isa<IntegerType>(idsType.getElementType()))
      return rewriter.notifyMatchFailure(op, "ids are not integers");
    if (depth <= 0 || type.getRank() != rank + 1 || type.getDimSize(rank) != depth ||
        !type.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "result is not f32 ids.shape + [depth]");

    SmallVector<Value> dims = getDims(b, loc, ids);
    dims.push_back(indexConstant(b, loc, depth));
    Value init = emptyTensor(b, loc, type, dims);
    SmallVector<AffineExpr> idExprs;
    for (int64_t i = 0; i < rank; ++i)
      idExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(rank + 1, 0, idExprs, ctx),
                                   AffineMap::getMultiDimIdentityMap(rank + 1, ctx)};
    SmallVector<utils::IteratorType> iterators(rank + 1, utils::IteratorType::parallel);
    Type f32 = b.getF32Type();
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{type}, ValueRange{ids}, ValueRange{init}, maps, iterators,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value index = nb.create<linalg::IndexOp>(nl, rank);
          Value id = nb.create<arith::IndexCastOp>(nl, nb.getIndexType(), args[0]);
          Value hit = nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::eq, index, id);
          Value v = nb.create<arith::SelectOp>(nl, hit, scalarConstant(nb, nl, f32, 1.0),
                                               scalarConstant(nb, nl, f32, 0.0));
          nb.create<linalg::YieldOp>(nl, v);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// scatter_slice: a zero tensor shaped like `like` with tensor.insert_slice of
/// the update at the Python-clamped start, stride `step`. The update's dims
/// are guarded against the slice's, so the insertion stays in bounds.
struct ScatterSliceLowering : AsgLoweringPattern<ScatterSliceOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(ScatterSliceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value update = adaptor.getUpdate(), like = adaptor.getLike();
    auto updType = llvm::cast<RankedTensorType>(update.getType());
    auto likeType = llvm::cast<RankedTensorType>(like.getType());
    RankedTensorType type = resultType(op);
    int64_t rank = type.getRank();
    if (likeType.getShape() != type.getShape() || updType.getRank() != rank)
      return rewriter.notifyMatchFailure(op, "result is not shaped like `like`, or the "
                                             "update has another rank");
    std::optional<int64_t> axisOr = normalizeAxis(op.getAxis(), rank);
    if (!axisOr)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    int64_t axis = *axisOr, step = op.getStep(), start = op.getStart();
    std::optional<int64_t> end = op.getEnd();
    if (step <= 0)
      return rewriter.notifyMatchFailure(op, "step must be positive");
    bool whole = start == 0 && !end && step == 1;
    if (whole && updType == type && type.hasStaticShape()) {
      rewriter.replaceOp(op, update);
      return success();
    }

    // The slice's dims: like's, with the clamped count along the axis.
    SmallVector<Value> resultDims = dimsLike(b, loc, type, like);
    auto [offset, count] = clampSliceBounds(b, loc, like, axis, start, end, step);
    SmallVector<Value> sliceDims = resultDims;
    if (std::optional<int64_t> c = getConstantIntValue(count))
      sliceDims[axis] = indexConstant(b, loc, *c);
    else
      sliceDims[axis] = llvm::cast<Value>(count);

    SmallVector<std::optional<Value>> expected(rank);
    for (int64_t i = 0; i < rank; ++i) {
      std::optional<int64_t> want = getConstantIntValue(sliceDims[i]);
      if (want && !updType.isDynamicDim(i) && *want != updType.getDimSize(i))
        return rewriter.notifyMatchFailure(op, "update shape is not the slice shape");
      // A dim kept by the slice has the name of like's: no check.
      if ((i != axis || whole) && sameNamedDims(op.getUpdate(), i, op.getLike(), i))
        continue;
      expected[i] = sliceDims[i];
    }
    update = relaxForGuard(b, loc, update, expected);
    update = guardDims(b, loc, update, expected, checks,
                       describeNode(op) + ": the update's dims do not match the slice at run time");
    auto guardedType = llvm::cast<RankedTensorType>(update.getType());

    Value zero = scalarConstant(b, loc, type.getElementType(), 0.0);
    Value result = filledTensor(b, loc, type, resultDims, zero);
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < rank; ++i)
      sizes.push_back(sizeOf(b, guardedType.getDimSize(i),
                             expected[i] ? *expected[i] : getDim(b, loc, update, i)));
    AxisSlice slice = axisSlice(b, sizes, axis, offset, step);
    result = b.create<tensor::InsertSliceOp>(loc, update, result, slice.offsets, slice.sizes,
                                             slice.strides);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// reshape_like: flatten to 1-D and expand to `like`'s run-time dims. When
/// the element counts may differ at run time they are checked, with an
/// in-bounds stand-in of the expected count.
struct ReshapeLikeLowering : AsgLoweringPattern<ReshapeLikeOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(ReshapeLikeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput(), like = adaptor.getLike();
    auto inType = llvm::cast<RankedTensorType>(x.getType());
    auto likeType = llvm::cast<RankedTensorType>(like.getType());
    RankedTensorType type = resultType(op);
    if (likeType.getShape() != type.getShape())
      return rewriter.notifyMatchFailure(op, "result is not shaped like `like`");
    if (inType.hasStaticShape() && type.hasStaticShape()) {
      if (inType.getNumElements() != type.getNumElements())
        return rewriter.notifyMatchFailure(op, "static element counts differ");
      if (inType == type) {
        rewriter.replaceOp(op, x);
        return success();
      }
    }

    // The counts agree without a check when the static parts have the same
    // product and the dynamic dims pair up by name.
    auto staticProduct = [](RankedTensorType t) {
      int64_t p = 1;
      for (int64_t s : t.getShape())
        if (!ShapedType::isDynamic(s))
          p *= s;
      return p;
    };
    bool namedAlike = staticProduct(inType) == staticProduct(type) &&
                      inType.getNumDynamicDims() == type.getNumDynamicDims();
    SmallVector<bool> paired(type.getRank(), false);
    for (int64_t i = 0; namedAlike && i < inType.getRank(); ++i) {
      if (!inType.isDynamicDim(i))
        continue;
      bool found = false;
      for (int64_t j = 0; !found && j < type.getRank(); ++j)
        if (!paired[j] && sameNamedDims(op.getInput(), i, op.getLike(), j))
          paired[j] = found = true;
      namedAlike = found;
    }

    SmallVector<Value> outDims = dimsLike(b, loc, type, like);
    Value flat = flattenTo1D(b, loc, x);
    if (!namedAlike) {
      // count = static product * the dynamic dims of `like`.
      Value total;
      if (staticProduct(type) != 1 || type.hasStaticShape())
        total = indexConstant(b, loc, staticProduct(type));
      for (int64_t i = 0; i < type.getRank(); ++i)
        if (type.isDynamicDim(i))
          total = total ? b.create<arith::MulIOp>(loc, total, outDims[i]).getResult() : outDims[i];
      SmallVector<std::optional<Value>> expected = {total};
      flat = relaxForGuard(b, loc, flat, expected);
      flat = guardDims(b, loc, flat, expected, checks,
                       describeNode(op) +
                           ": the input's element count does not match `like` at run time");
    }
    SmallVector<OpFoldResult> outputShape;
    for (int64_t i = 0; i < type.getRank(); ++i)
      outputShape.push_back(sizeOf(b, type.getDimSize(i), outDims[i]));
    rewriter.replaceOp(op, expandFrom1D(b, loc, flat, type, outputShape));
    return success();
  }
};

} // namespace

void populateGradientOpLoweringPatterns(const TypeConverter &tc, RewritePatternSet &p,
                                        RuntimeChecks &c) {
  p.add<BroadcastInDimLowering, OneHotLowering, ScatterSliceLowering, ReshapeLikeLowering>(
      tc, p.getContext(), c);
}

} // namespace asg
