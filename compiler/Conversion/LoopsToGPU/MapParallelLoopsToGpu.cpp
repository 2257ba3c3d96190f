// MapParallelLoopsToGpu.cpp: asg-map-parallel-loops-to-gpu, host loops over buffers become
// gpu.launch ops (see Passes.td).
#include "compiler/Conversion/LoopsToGPU/KernelBuilder.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGMAPPARALLELLOOPSTOGPU
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// Whether `op` (or an op nested in it) reads or writes a buffer.
bool touchesMemory(Operation *op) {
  WalkResult result = op->walk([](Operation *nested) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(nested);
    if (effects && (effects.hasEffect<MemoryEffects::Read>() ||
                    effects.hasEffect<MemoryEffects::Write>()))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

/// Replaces `loop` by nested scf.for loops (inside a kernel, one thread runs it).
void sequentialize(scf::ParallelOp loop) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  IRMapping mapping;
  for (auto [iv, lb, ub, step] : llvm::zip(loop.getInductionVars(), loop.getLowerBound(),
                                           loop.getUpperBound(), loop.getStep())) {
    auto inner = b.create<scf::ForOp>(loc, lb, ub, step);
    mapping.map(iv, inner.getInductionVar());
    b.setInsertionPoint(inner.getBody()->getTerminator());
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();
}

/// `scf.parallel` at the host level -> a 1-D grid of `workgroupSize`-thread
/// workgroups walking the linearized iteration space with a grid-stride loop.
void mapToLaunch(scf::ParallelOp loop, int64_t workgroupSize) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  SmallVector<Value> extents;
  Value total = b.create<arith::ConstantIndexOp>(loc, 1);
  for (auto [lb, ub, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    Value span = b.create<arith::SubIOp>(loc, ub, lb);
    Value extent = b.create<arith::CeilDivSIOp>(loc, span, step);
    extent = b.create<arith::MaxSIOp>(loc, extent, b.create<arith::ConstantIndexOp>(loc, 0));
    extents.push_back(extent);
    total = b.create<arith::MulIOp>(loc, total, extent);
  }
  Value item = launchPerItem(b, loc, total, workgroupSize);
  IRMapping mapping;
  SmallVector<Value> positions = delinearize(b, loc, item, extents);
  for (auto [k, position] : llvm::enumerate(positions)) {
    Value iv = b.create<arith::AddIOp>(
        loc, loop.getLowerBound()[k],
        b.create<arith::MulIOp>(loc, position, loop.getStep()[k]));
    mapping.map(loop.getInductionVars()[k], iv);
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();
}

/// Moves runs of host ops that touch buffers (with the pure ops computing
/// from their results) into launches of one thread.
LogicalResult wrapHostMemoryOps(Block &block) {
  SmallVector<Operation *> group;
  llvm::SmallPtrSet<Operation *, 16> inGroup;
  auto flush = [&]() -> LogicalResult {
    if (group.empty())
      return success();
    // Trailing pure ops not needed by the group stay on the host.
    while (!touchesMemory(group.back())) {
      inGroup.erase(group.back());
      group.pop_back();
    }
    for (Operation *op : group)
      for (Value result : op->getResults())
        for (Operation *user : result.getUsers())
          if (!inGroup.contains(block.findAncestorOpInBlock(*user)))
            return op->emitError("host code uses a value read from device memory");
    OpBuilder b(group.back()->getNextNode());
    Location loc = group.front()->getLoc();
    Value one = b.create<arith::ConstantIndexOp>(loc, 1);
    createLaunch(b, loc, one, one);
    for (Operation *op : group)
      op->moveBefore(b.getInsertionBlock(), b.getInsertionPoint());
    group.clear();
    inGroup.clear();
    return success();
  };
  for (Operation &op : llvm::make_early_inc_range(block)) {
    bool joins = false;
    if (touchesMemory(&op) && !isa<gpu::LaunchOp>(op) && !op.hasTrait<OpTrait::IsTerminator>()) {
      joins = true;
    } else if (!group.empty() && isPure(&op) && op.getNumRegions() == 0) {
      joins = llvm::any_of(op.getOperands(), [&](Value v) {
        return v.getDefiningOp() && inGroup.contains(v.getDefiningOp());
      });
      if (!joins)
        continue; // independent host arithmetic: stays, the group goes on
    }
    if (joins) {
      group.push_back(&op);
      inGroup.insert(&op);
      continue;
    }
    if (failed(flush()))
      return failure();
  }
  return flush();
}

struct AsgMapParallelLoopsToGpuPass
    : impl::AsgMapParallelLoopsToGpuBase<AsgMapParallelLoopsToGpuPass> {
  using AsgMapParallelLoopsToGpuBase::AsgMapParallelLoopsToGpuBase;
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (fn.isExternal())
      return;
    if (workgroupSize < 1 || workgroupSize > 1024) {
      fn.emitError("workgroup-size must be in [1, 1024]");
      return signalPassFailure();
    }
    Block &body = fn.getBody().front();
    if (!fn.getBody().hasOneBlock()) {
      fn.emitError("asg-map-parallel-loops-to-gpu expects structured control flow (one block)");
      return signalPassFailure();
    }
    SmallVector<scf::ParallelOp> topLevel, nested;
    fn.walk([&](scf::ParallelOp loop) {
      (loop->getBlock() == &body ? topLevel : nested).push_back(loop);
    });
    for (scf::ParallelOp loop : llvm::concat<scf::ParallelOp>(topLevel, nested))
      if (loop.getNumResults() != 0) {
        loop.emitError("parallel loops with reductions are not mapped to the GPU");
        return signalPassFailure();
      }
    // Innermost first (walk is post-order), so each body is sequential when cloned.
    for (scf::ParallelOp loop : nested)
      sequentialize(loop);
    for (scf::ParallelOp loop : topLevel)
      mapToLaunch(loop, workgroupSize);
    if (failed(wrapHostMemoryOps(body)))
      return signalPassFailure();
  }
};

} // namespace
} // namespace asg
