// ReassociateSums.cpp: asg-reassociate-sums, lets LLVM vectorize the sums of reductions
// along a loop (see Passes.td).
#include "compiler/Transforms/Passes.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGREASSOCIATESUMS
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// The arith.addf that folds a value into the accumulator of `op`'s only
/// output (out = out + x or x + out, yielded), if there is one.
arith::AddFOp accumulation(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return nullptr;
  Value accumulator = op.getMatchingBlockArgument(op.getDpsInitOperand(0));
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add || (add.getLhs() != accumulator && add.getRhs() != accumulator))
    return nullptr;
  return add;
}

struct AsgReassociateSumsPass : impl::AsgReassociateSumsBase<AsgReassociateSumsPass> {
  void runOnOperation() override {
    getOperation()->walk([](linalg::GenericOp op) {
      if (arith::AddFOp add = accumulation(op))
        add.setFastmath(add.getFastmath() | arith::FastMathFlags::reassoc);
    });
  }
};

} // namespace
} // namespace asg
