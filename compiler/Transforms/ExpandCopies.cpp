// ExpandCopies.cpp: asg-expand-copies, memref.copy -> linalg.copy (lowered to loops later).
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace asg {
#define GEN_PASS_DEF_ASGEXPANDCOPIES
#include "compiler/Transforms/Passes.h.inc"

namespace {
struct CopyToLinalg : mlir::OpRewritePattern<mlir::memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  mlir::LogicalResult matchAndRewrite(mlir::memref::CopyOp op,
                                      mlir::PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<mlir::linalg::CopyOp>(op, op.getSource(), op.getTarget());
    return mlir::success();
  }
};

struct AsgExpandCopiesPass : impl::AsgExpandCopiesBase<AsgExpandCopiesPass> {
  void runOnOperation() override {
    mlir::RewritePatternSet patterns(&getContext());
    patterns.add<CopyToLinalg>(&getContext());
    if (mlir::failed(mlir::applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace asg
