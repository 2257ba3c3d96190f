// AsgOps.cpp: folders and canonicalizations of asg ops (shape rules are in ShapeInference.cpp).
#include "dialect/AsgOps.h"

#include "mlir/IR/Builders.h"
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

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  auto in = llvm::cast<RankedTensorType>(getInput().getType());
  if (in.hasStaticShape() && foldIdentity(*this))
    return getInput();
  return {};
}

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

namespace {
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

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *ctx) {
  results.add<FoldReshapeOfReshape>(ctx);
}
