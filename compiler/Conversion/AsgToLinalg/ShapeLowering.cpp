// ShapeLowering.cpp: asg reshape/transpose/slice/concat/broadcast_to -> tensor
// collapse/expand, linalg.transpose, tensor.extract_slice/insert_slice, linalg.generic.
#include "compiler/Conversion/AsgToLinalg/LoweringUtils.h"

#include "dialect/AsgOps.h"
#include "dialect/Shapes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace asg {

namespace {

/// reshape: flatten to 1-D, check the element count when only run time knows
/// it, then expand to the target shape.
struct ReshapeLowering : AsgLoweringPattern<ReshapeOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    auto inType = llvm::cast<RankedTensorType>(x.getType());
    RankedTensorType type = resultType(op);
    if (inType == type) {
      rewriter.replaceOp(op, x);
      return success();
    }
    ArrayRef<int64_t> target = op.getShape();
    if (static_cast<int64_t>(target.size()) != type.getRank())
      return rewriter.notifyMatchFailure(op, "'shape' does not match the result rank");

    // Static facts about the input and the target.
    int64_t inStatic = 1, outStatic = 1, inferred = -1, inDynamic = 0, onlyDynamic = -1;
    for (int64_t i = 0; i < inType.getRank(); ++i) {
      if (inType.isDynamicDim(i)) {
        ++inDynamic;
        onlyDynamic = i;
      } else {
        inStatic *= inType.getDimSize(i);
      }
    }
    for (auto [i, size] : llvm::enumerate(target)) {
      if (size == -1)
        inferred = i;
      else
        outStatic *= size;
    }
    if (inDynamic == 0 && !type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "static input with a dynamic result");

    Value flat = flattenTo1D(b, loc, x);

    // The size of the result's dynamic dim (at most the -1), and the guard.
    Value inferredSize;
    if (inDynamic > 0) {
      Value total = b.create<tensor::DimOp>(loc, flat, 0);
      if (inferred >= 0 && inDynamic == 1 && inStatic == outStatic && inStatic != 0) {
        // The -1 is exactly the one dynamic input dim: no check needed.
        inferredSize = b.create<tensor::DimOp>(loc, x, onlyDynamic);
      } else {
        Value expected;
        if (inferred >= 0) {
          Value divisor = b.create<arith::ConstantIndexOp>(loc, std::max<int64_t>(outStatic, 1));
          inferredSize = b.create<arith::DivUIOp>(loc, total, divisor);
          expected = b.create<arith::MulIOp>(
              loc, inferredSize, b.create<arith::ConstantIndexOp>(loc, outStatic));
        } else {
          expected = b.create<arith::ConstantIndexOp>(loc, outStatic);
        }
        flat = guardDims(b, loc, flat, {std::optional<Value>(expected)}, checks,
                         describeNode(op) + ": the input's element count does not fit the "
                                            "target shape at run time");
      }
    }

    // Expand to the target shape.
    SmallVector<OpFoldResult> outputShape;
    for (int64_t i = 0; i < type.getRank(); ++i)
      outputShape.push_back(sizeOf(b, type.getDimSize(i), inferredSize));
    rewriter.replaceOp(op, expandFrom1D(b, loc, flat, type, outputShape));
    return success();
  }
};

struct TransposeLowering : AsgLoweringPattern<TransposeOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    int64_t rank = llvm::cast<RankedTensorType>(x.getType()).getRank();
    SmallVector<int64_t> perm;
    if (auto given = op.getPerm()) {
      for (int64_t p : *given) {
        std::optional<int64_t> axis = normalizeAxis(p, rank);
        if (!axis)
          return rewriter.notifyMatchFailure(op, "'perm' entry out of range");
        perm.push_back(*axis);
      }
    } else {
      for (int64_t i = rank - 1; i >= 0; --i)
        perm.push_back(i);
    }
    if (static_cast<int64_t>(perm.size()) != rank)
      return rewriter.notifyMatchFailure(op, "'perm' does not match the rank");
    RankedTensorType type = resultType(op);
    bool identity = true;
    for (int64_t i = 0; i < rank; ++i)
      identity &= perm[i] == i;
    if (identity) {
      rewriter.replaceOp(op, x);
      return success();
    }
    SmallVector<Value> inDims = getDims(rewriter, loc, x), outDims;
    for (int64_t p : perm)
      outDims.push_back(inDims[p]);
    Value init = emptyTensor(rewriter, loc, type, outDims);
    auto transpose = rewriter.create<linalg::TransposeOp>(loc, x, init, perm);
    rewriter.replaceOp(op, transpose.getResult()[0]);
    return success();
  }
};

/// slice: tensor.extract_slice with a stride; Python clamping of start/end is
/// done statically on static dims and with index arithmetic on dynamic ones.
struct SliceLowering : AsgLoweringPattern<SliceOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    auto inType = llvm::cast<RankedTensorType>(x.getType());
    int64_t rank = inType.getRank();
    std::optional<int64_t> axisOr = normalizeAxis(op.getAxis(), rank);
    if (!axisOr)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    int64_t axis = *axisOr, step = op.getStep(), start = op.getStart();
    std::optional<int64_t> end = op.getEnd();
    if (step <= 0)
      return rewriter.notifyMatchFailure(op, "step must be positive");
    RankedTensorType type = resultType(op);
    if (inType == type && start == 0 && !end && step == 1) {
      rewriter.replaceOp(op, x);
      return success();
    }

    if (inType.isDynamicDim(axis) && !type.isDynamicDim(axis))
      return rewriter.notifyMatchFailure(op, "dynamic input dim with a static slice size");
    auto [offset, size] = clampSliceBounds(b, loc, x, axis, start, end, step);

    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < rank; ++i)
      sizes.push_back(i == axis ? size : sizeOf(b, inType.getDimSize(i), getDim(b, loc, x, i)));
    AxisSlice slice = axisSlice(b, sizes, axis, offset, step);
    Value result = b.create<tensor::ExtractSliceOp>(loc, type, x, slice.offsets, slice.sizes,
                                                    slice.strides);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// concat: each input inserted into an empty result at its offset along the
/// axis; the other dims of every input must agree with the first (checked).
struct ConcatLowering : AsgLoweringPattern<ConcatOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    ValueRange inputs = adaptor.getInputs();
    RankedTensorType type = resultType(op);
    int64_t rank = type.getRank();
    std::optional<int64_t> axisOr = normalizeAxis(op.getAxis(), rank);
    if (!axisOr || inputs.empty())
      return rewriter.notifyMatchFailure(op, "axis out of range or no inputs");
    int64_t axis = *axisOr;
    if (inputs.size() == 1 && inputs[0].getType() == type) {
      rewriter.replaceOp(op, inputs[0]);
      return success();
    }

    // The result's dims other than the axis: static, else the first input's.
    SmallVector<Value> resultDims(rank);
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis)
        resultDims[i] = type.isDynamicDim(i) ? getDim(b, loc, inputs[0], i)
                                             : b.create<arith::ConstantIndexOp>(loc, type.getDimSize(i));

    SmallVector<Value> guarded, axisSizes;
    Value total;
    for (auto [k, input] : llvm::enumerate(inputs)) {
      SmallVector<std::optional<Value>> expected(rank);
      for (int64_t i = 0; i < rank; ++i)
        if (i != axis && !sameNamedDims(op.getInputs()[k], i, op.getInputs()[0], i))
          expected[i] = resultDims[i];
      Value g = guardDims(b, loc, input, expected, checks,
                          describeNode(op) + ": the dims of input " + std::to_string(k + 1) +
                              " do not match input 1 at run time");
      guarded.push_back(g);
      Value d = getDim(b, loc, g, axis);
      axisSizes.push_back(d);
      total = total ? b.create<arith::AddIOp>(loc, total, d).getResult() : d;
    }
    resultDims[axis] = total;
    Value result = emptyTensor(b, loc, type, resultDims);

    // Offsets along the axis stay static while every size before is static.
    int64_t staticOffset = 0;
    Value dynamicOffset;
    for (auto [k, input] : llvm::enumerate(guarded)) {
      auto t = llvm::cast<RankedTensorType>(input.getType());
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
          strides(rank, b.getIndexAttr(1));
      if (dynamicOffset)
        offsets[axis] = dynamicOffset;
      else
        offsets[axis] = b.getIndexAttr(staticOffset);
      for (int64_t i = 0; i < rank; ++i)
        sizes.push_back(sizeOf(b, t.getDimSize(i), i == axis ? axisSizes[k] : resultDims[i]));
      result = b.create<tensor::InsertSliceOp>(loc, input, result, offsets, sizes, strides);
      if (k + 1 == guarded.size())
        break;
      if (!dynamicOffset && !t.isDynamicDim(axis)) {
        staticOffset += t.getDimSize(axis);
        continue;
      }
      if (!dynamicOffset && staticOffset == 0) {
        dynamicOffset = axisSizes[k];
        continue;
      }
      Value base = dynamicOffset ? dynamicOffset
                                 : b.create<arith::ConstantIndexOp>(loc, staticOffset).getResult();
      dynamicOffset = b.create<arith::AddIOp>(loc, base, axisSizes[k]);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// broadcast_to a static shape: dynamic input dims are checked against the
/// target, then a broadcasting linalg.generic copies.
struct BroadcastToLowering : AsgLoweringPattern<BroadcastToOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(BroadcastToOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    auto inType = llvm::cast<RankedTensorType>(x.getType());
    RankedTensorType type = resultType(op);
    if (!type.hasStaticShape() || inType.getRank() > type.getRank())
      return rewriter.notifyMatchFailure(op, "target is not a static shape of rank >= input");
    if (inType == type) {
      rewriter.replaceOp(op, x);
      return success();
    }
    int64_t offset = type.getRank() - inType.getRank();
    SmallVector<std::optional<Value>> expected(inType.getRank());
    SmallVector<int64_t> staticShape(inType.getShape());
    bool dynamic = false;
    for (int64_t j = 0; j < inType.getRank(); ++j) {
      if (!inType.isDynamicDim(j))
        continue;
      dynamic = true;
      int64_t want = type.getDimSize(j + offset);
      expected[j] = b.create<arith::ConstantIndexOp>(loc, want).getResult();
      staticShape[j] = want;
    }
    if (dynamic) {
      x = guardDims(b, loc, x, expected, checks,
                    describeNode(op) + ": a dynamic input dim does not match the target shape "
                                       "at run time");
      x = b.create<tensor::CastOp>(loc, RankedTensorType::get(staticShape, inType.getElementType()),
                                   x);
    }
    Value result = buildBroadcastElementwise(
        b, loc, type, ValueRange{x}, checks, describeNode(op),
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateShapeLoweringPatterns(const TypeConverter &tc, RewritePatternSet &p,
                                   RuntimeChecks &c) {
  p.add<ReshapeLowering, TransposeLowering, SliceLowering, ConcatLowering, BroadcastToLowering>(
      tc, p.getContext(), c);
}

} // namespace asg
