// ContractionLoopOrder.cpp: asg-contraction-loop-order, interchanges contraction loops so
// the innermost loop streams the output's contiguous dim (see Passes.td).
#include "compiler/Transforms/LinalgUtils.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGCONTRACTIONLOOPORDER
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// The loop order that puts the output's innermost dim last, or nothing when
/// it is already last or would not stream any input contiguously.
std::optional<SmallVector<unsigned>> streamingOrder(linalg::LinalgOp op) {
  if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1)
    return std::nullopt;
  unsigned loops = op.getNumLoops();
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (out.getNumResults() == 0)
    return std::nullopt;
  auto inner = llvm::dyn_cast<AffineDimExpr>(out.getResults().back());
  if (!inner || inner.getPosition() == loops - 1)
    return std::nullopt;
  unsigned dim = inner.getPosition();
  bool streams = llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *input) {
    AffineMap map = op.getMatchingIndexingMap(input);
    return map.getNumResults() > 0 && map.getResults().back() == inner;
  });
  if (!streams)
    return std::nullopt;
  SmallVector<unsigned> order;
  for (unsigned i = 0; i < loops; ++i)
    if (i != dim)
      order.push_back(i);
  order.push_back(dim);
  return order;
}

struct StreamInnermostDim : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(linalg::LinalgOp op, PatternRewriter &rewriter) const override {
    std::optional<SmallVector<unsigned>> order = streamingOrder(op);
    if (!order)
      return rewriter.notifyMatchFailure(op, "not a contraction with a better loop order");
    return interchangeLoops(rewriter, op, *order);
  }
};

struct AsgContractionLoopOrderPass
    : impl::AsgContractionLoopOrderBase<AsgContractionLoopOrderPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<StreamInnermostDim>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace asg
