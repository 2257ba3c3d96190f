// MathApproximation.cpp: asg-math-approximation, upstream polynomial approximations as a real pass.
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace asg {
#define GEN_PASS_DEF_ASGMATHAPPROXIMATION
#include "compiler/Transforms/Passes.h.inc"

namespace {
struct AsgMathApproximationPass
    : impl::AsgMathApproximationBase<AsgMathApproximationPass> {
  void runOnOperation() override {
    mlir::RewritePatternSet patterns(&getContext());
    // powf has no polynomial form: exp(b * log(a)) with its sign rules.
    mlir::populateExpandPowFPattern(patterns);
    mlir::populateMathPolynomialApproximationPatterns(
        patterns, mlir::MathPolynomialApproximationOptions{/*enableAvx2=*/false});
    if (mlir::failed(mlir::applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace asg
