// AsgOps.cpp: folders and canonicalizations of asg ops (shape rules are in ShapeInference.cpp).
#include "dialect/AsgOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace asg;

#define GET_OP_CLASSES
#include "dialect/AsgOps.cpp.inc"

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

/// A reshape, transpose, broadcast or cast that changes nothing is its input.
static OpFoldResult foldIdentity(Operation *op) {
  Value input = op->getOperand(0);
  return input.getType() == op->getResult(0).getType() ? OpFoldResult(input) : OpFoldResult();
}

/// A reshape whose result type equals its input type is the identity: with at
/// most one -1, equal types leave no other way to place the elements.
OpFoldResult ReshapeOp::fold(FoldAdaptor) { return foldIdentity(*this); }

OpFoldResult BroadcastToOp::fold(FoldAdaptor) { return foldIdentity(*this); }
OpFoldResult CastOp::fold(FoldAdaptor) { return foldIdentity(*this); }

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  std::optional<ArrayRef<int64_t>> perm = getPerm();
  int64_t rank = llvm::cast<RankedTensorType>(getInput().getType()).getRank();
  if (!perm)
    return rank <= 1 ? OpFoldResult(getInput()) : OpFoldResult();
  for (auto [i, p] : llvm::enumerate(*perm))
    if (p != static_cast<int64_t>(i) && p != static_cast<int64_t>(i) - rank)
      return {};
  return getInput();
}

//===----------------------------------------------------------------------===//
// Arithmetic folds: splat constants fold (the gradient and optimizer graphs
// are full of them), and x+0, x-0, x*1, x/1 are x when no broadcast happens.
//===----------------------------------------------------------------------===//

/// The f32 value of a splat constant, if `attr` is one.
static std::optional<double> splatValue(Attribute attr) {
  auto dense = llvm::dyn_cast_or_null<DenseFPElementsAttr>(attr);
  if (!dense || !dense.isSplat() || !dense.getElementType().isF32())
    return std::nullopt;
  return dense.getSplatValue<APFloat>().convertToDouble();
}

/// The splat value of an operand: a constant, or a broadcast_in_dim of one
/// (how gradients of sums and means start).
static std::optional<double> splatOperand(Operation *op, ArrayRef<Attribute> operands,
                                          unsigned i) {
  if (std::optional<double> v = splatValue(operands[i]))
    return v;
  if (auto broadcast = op->getOperand(i).getDefiningOp<BroadcastInDimOp>()) {
    Attribute value;
    if (matchPattern(broadcast.getInput(), m_Constant(&value)))
      return splatValue(value);
  }
  return std::nullopt;
}

template <typename Fn>
static OpFoldResult foldArithmetic(Operation *op, ArrayRef<Attribute> operands, Fn fn,
                                   std::optional<double> rightIdentity,
                                   std::optional<double> leftIdentity = std::nullopt) {
  auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  std::optional<double> a = splatValue(operands[0]), b = splatValue(operands[1]);
  if (a && b && type.hasStaticShape() && !type.getEncoding()) {
    // f32 arithmetic, as the generated code does it.
    float value = fn(static_cast<float>(*a), static_cast<float>(*b));
    return DenseElementsAttr::get(type, FloatAttr::get(type.getElementType(), value));
  }
  if (rightIdentity && splatOperand(op, operands, 1) == rightIdentity &&
      op->getOperand(0).getType() == type)
    return op->getOperand(0);
  if (leftIdentity && splatOperand(op, operands, 0) == leftIdentity &&
      op->getOperand(1).getType() == type)
    return op->getOperand(1);
  return {};
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(*this, adaptor.getOperands(), [](float x, float y) { return x + y; },
                        0.0, 0.0);
}
OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(*this, adaptor.getOperands(), [](float x, float y) { return x - y; }, 0.0);
}
OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(*this, adaptor.getOperands(), [](float x, float y) { return x * y; },
                        1.0, 1.0);
}
OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(*this, adaptor.getOperands(), [](float x, float y) { return x / y; }, 1.0);
}

/// A sum over no axes is its input.
OpFoldResult SumOp::fold(FoldAdaptor) {
  std::optional<ArrayRef<int64_t>> axes = getAxes();
  if (axes && axes->empty() && getInput().getType() == getType())
    return getInput();
  return {};
}

namespace {
/// transpose(transpose(x)) -> transpose(x) with the composed permutation.
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  static SmallVector<int64_t> permOf(TransposeOp op) {
    int64_t rank = llvm::cast<RankedTensorType>(op.getInput().getType()).getRank();
    SmallVector<int64_t> perm;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t p = op.getPerm() ? (*op.getPerm())[i] : rank - 1 - i;
      perm.push_back(p < 0 ? p + rank : p);
    }
    return perm;
  }
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    SmallVector<int64_t> outer = permOf(op), first = permOf(inner), composed;
    for (int64_t p : outer)
      composed.push_back(first[p]);
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(inner.getInput());
      op.setPermAttr(rewriter.getDenseI64ArrayAttr(composed));
    });
    return success();
  }
};

/// reshape(reshape(x)) -> reshape(x): only the final shape matters.
struct FoldReshapeOfReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "input is not a reshape");
    // Skipping the inner reshape may let the shape function see more (e.g.
    // a dim name the inner -1 dropped); the users keep the old type, so fold
    // only when the type stays the same.
    SmallVector<Type> inferred;
    if (failed(inferResultTypes(ReshapeOp::getOperationName(), op.getContext(), std::nullopt,
                                ValueRange{inner.getInput()}, op->getAttrDictionary(), inferred)) ||
        inferred.front() != op.getType())
      return rewriter.notifyMatchFailure(op, "the folded reshape would change the result type");
    rewriter.modifyOpInPlace(op, [&] { op.getInputMutable().assign(inner.getInput()); });
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *ctx) {
  results.add<ComposeTransposes>(ctx);
}

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *ctx) {
  results.add<FoldReshapeOfReshape>(ctx);
}
