// KernelBuilder.cpp: shared pieces of the passes that write GPU kernels.
#include "compiler/Conversion/LoopsToGPU/KernelBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace asg {

gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, Value groups, Value threads) {
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  auto launch = b.create<gpu::LaunchOp>(loc, groups, one, one, threads, one, one);
  b.setInsertionPointToStart(&launch.getBody().front());
  b.setInsertionPoint(b.create<gpu::TerminatorOp>(loc));
  return launch;
}

Value launchPerItem(OpBuilder &b, Location loc, Value items, int64_t threads) {
  Value threadCount = b.create<arith::ConstantIndexOp>(loc, threads);
  gpu::LaunchOp launch = createLaunch(b, loc, gridFor(b, loc, items, threads), threadCount);
  Value first = b.create<arith::AddIOp>(
      loc, b.create<arith::MulIOp>(loc, launch.getBlockIds().x, threadCount),
      launch.getThreadIds().x);
  Value stride = b.create<arith::MulIOp>(loc, launch.getGridSize().x, threadCount);
  auto walk = b.create<scf::ForOp>(loc, first, items, stride);
  b.setInsertionPoint(walk.getBody()->getTerminator());
  return walk.getInductionVar();
}

Value gridFor(OpBuilder &b, Location loc, Value work, int64_t perGroup) {
  Value groups = b.create<arith::CeilDivSIOp>(
      loc, work, b.create<arith::ConstantIndexOp>(loc, perGroup));
  return b.create<arith::MinSIOp>(loc, groups,
                                  b.create<arith::ConstantIndexOp>(loc, kMaxWorkgroups));
}

void cloneBody(OpBuilder &b, linalg::GenericOp op, IRMapping &mapping, ValueRange ivs,
               ArrayRef<Operation *> skip) {
  for (Operation &inner : op.getBody()->without_terminator()) {
    if (llvm::is_contained(skip, &inner))
      continue;
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      mapping.map(index.getResult(), ivs[index.getDim()]);
      continue;
    }
    b.clone(inner, mapping);
  }
}

linalg::FillOp initializingFill(linalg::LinalgOp op, OpOperand &init) {
  // The buffer and the whole-buffer views (reshapes) it was made from.
  SmallVector<Value> aliases = {init.get()};
  while (Operation *def = aliases.back().getDefiningOp()) {
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def))
      break;
    aliases.push_back(def->getOperand(0));
  }
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev))
      if (fill.hasPureBufferSemantics() && llvm::is_contained(aliases, fill.getOutputs().front()))
        return fill;
    if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(prev) &&
        llvm::is_contained(aliases, prev->getResult(0)))
      continue; // the view itself
    bool touches = llvm::any_of(prev->getOperands(),
                                [&](Value v) { return llvm::is_contained(aliases, v); });
    if (touches || prev->getNumRegions() != 0)
      return nullptr; // a use, another alias or control flow: keep the fill
  }
  return nullptr;
}

} // namespace asg
