// Fuse.cpp: asg-fuse, elementwise producer/consumer fusion on linalg with a control
// function that never duplicates or recomputes a producer (see Passes.td).
#include "compiler/Transforms/LinalgUtils.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGFUSE
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// Fuse `fused`'s producer into its consumer only when that computes each
/// producer element once: a single use, read through a permutation of all of
/// the consumer's loops (not broadcast along any of them).
bool fusesWithoutRecomputation(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  auto consumer = llvm::dyn_cast<linalg::LinalgOp>(fused->getOwner());
  if (!consumer)
    return false;
  AffineMap map = consumer.getMatchingIndexingMap(fused);
  return map.isPermutation();
}

/// A contraction that reads a linalg.transpose reads the transpose's input
/// through the composed indexing map instead: the transpose computes
/// nothing, and the contraction's code takes any operand layout (the CPU
/// packs its operands; GPU tiles are loaded through the maps).
struct FoldTransposeIntoContraction : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(linalg::LinalgOp contraction,
                                PatternRewriter &rewriter) const override {
    if (!linalg::isaContractionOpInterface(contraction))
      return rewriter.notifyMatchFailure(contraction, "not a contraction");
    SmallVector<OpOperand *> inputs = contraction.getDpsInputOperands();
    auto transposed = llvm::find_if(inputs, [](OpOperand *input) {
      return input->get().getDefiningOp<linalg::TransposeOp>();
    });
    if (transposed == inputs.end())
      return rewriter.notifyMatchFailure(contraction, "no transposed input");
    unsigned operandNumber = (*transposed)->getOperandNumber();
    FailureOr<linalg::GenericOp> generic = asGeneric(rewriter, contraction);
    if (failed(generic))
      return rewriter.notifyMatchFailure(contraction, "cannot generalize");
    linalg::GenericOp op = *generic;
    OpOperand *input = &op->getOpOperand(operandNumber);
    auto transpose = input->get().getDefiningOp<linalg::TransposeOp>();
    // transposed[i_0, .., i_n] = input[j] with j[permutation[k]] = i_k.
    AffineMap map = op.getMatchingIndexingMap(input);
    SmallVector<AffineExpr> results(map.getNumResults());
    for (auto [k, dim] : llvm::enumerate(transpose.getPermutation()))
      results[dim] = map.getResult(k);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    maps[operandNumber] = AffineMap::get(map.getNumDims(), 0, results, op.getContext());
    rewriter.modifyOpInPlace(op, [&] {
      input->set(transpose.getInput());
      op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
    return success();
  }
};

struct AsgFusePass : impl::AsgFuseBase<AsgFusePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, fusesWithoutRecomputation);
    patterns.add<FoldTransposeIntoContraction>(ctx);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    tensor::populateFoldTensorEmptyPatterns(patterns);
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace asg
