// PrivateFills.cpp: asg-private-fills, one linalg.fill per op that writes into it
// (see Passes.td).
#include "compiler/Transforms/Passes.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGPRIVATEFILLS
#include "compiler/Transforms/Passes.h.inc"

namespace {

struct AsgPrivateFillsPass : impl::AsgPrivateFillsBase<AsgPrivateFillsPass> {
  void runOnOperation() override {
    SmallVector<linalg::FillOp> fills;
    getOperation()->walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics() && !fill->getResult(0).hasOneUse())
        fills.push_back(fill);
    });
    for (linalg::FillOp fill : fills) {
      // Every use as an init (DPS output) but the first in program order
      // gets its own fill, made just before the user.
      SmallVector<OpOperand *> inits;
      for (OpOperand &use : fill->getResult(0).getUses()) {
        auto user = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
        if (user && user.isDpsInit(&use) && use.getOwner()->getBlock() == fill->getBlock())
          inits.push_back(&use);
      }
      llvm::sort(inits, [](OpOperand *a, OpOperand *b) {
        return a->getOwner()->isBeforeInBlock(b->getOwner());
      });
      for (OpOperand *use : llvm::drop_begin(inits)) {
        OpBuilder b(use->getOwner());
        use->set(b.clone(*fill)->getResult(0));
      }
    }
  }
};

} // namespace
} // namespace asg
