// ParallelDimsOutermost.cpp: asg-parallel-dims-outermost, every parallel loop of a linalg
// op outside its reduction loops (see Passes.td).
#include "compiler/Transforms/LinalgUtils.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGPARALLELDIMSOUTERMOST
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// The parallel loops in order, then the reduction loops in order; nothing
/// when the op already has that order.
std::optional<SmallVector<unsigned>> parallelFirstOrder(linalg::LinalgOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> order;
  for (auto [i, kind] : llvm::enumerate(iterators))
    if (kind == utils::IteratorType::parallel)
      order.push_back(i);
  for (auto [i, kind] : llvm::enumerate(iterators))
    if (kind != utils::IteratorType::parallel)
      order.push_back(i);
  for (auto [position, loop] : llvm::enumerate(order))
    if (position != loop)
      return order;
  return std::nullopt;
}

struct ParallelLoopsFirst : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(linalg::LinalgOp op, PatternRewriter &rewriter) const override {
    std::optional<SmallVector<unsigned>> order = parallelFirstOrder(op);
    if (!order)
      return rewriter.notifyMatchFailure(op, "parallel loops are already outermost");
    return interchangeLoops(rewriter, op, *order);
  }
};

struct AsgParallelDimsOutermostPass
    : impl::AsgParallelDimsOutermostBase<AsgParallelDimsOutermostPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ParallelLoopsFirst>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace asg
