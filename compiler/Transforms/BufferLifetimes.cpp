// BufferLifetimes.cpp: which heap buffers of a function may share an arena, and their
// live ranges in program order (see BufferLifetimes.h).
#include "compiler/Transforms/BufferLifetimes.h"

#include "compiler/Transforms/Arena.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace asg {
namespace {

/// Pre-order position of each op and the last position inside it.
struct Positions {
  llvm::DenseMap<Operation *, std::pair<int64_t, int64_t>> range;
  int64_t next = 0;

  void number(Operation *op) {
    int64_t begin = next++;
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (Operation &nested : block)
          number(&nested);
    range[op] = {begin, next - 1};
  }
};

/// Ops whose regions run one after the other, never concurrently: a buffer
/// allocated and freed inside them has one live instance at a time.
bool isSequential(Operation *op) {
  return isa<scf::ForOp, scf::IfOp, scf::WhileOp, scf::IndexSwitchOp, scf::ExecuteRegionOp>(op);
}

bool hasPointerResult(Operation *op) {
  return llvm::any_of(op->getResultTypes(), [](Type type) {
    return isa<BaseMemRefType, LLVM::LLVMPointerType>(type);
  });
}

/// A use that reads or writes the buffer in place and keeps nothing that
/// aliases it.
bool isInPlaceUse(Operation *user) {
  if (user->hasTrait<OpTrait::IsTerminator>() || isa<CallOpInterface>(user) ||
      hasPointerResult(user) || isa<memref::ExtractAlignedPointerAsIndexOp>(user))
    return false;
  if (isa<linalg::LinalgOp>(user))
    return true;
  if (user->getNumRegions() != 0)
    return false;
  return isa<memref::MemRefDialect, vector::VectorDialect, affine::AffineDialect>(
      user->getDialect());
}

/// Collects the ops using `root` or a view of it (not the deallocs) and the
/// deallocs; false when the buffer may escape.
bool collectUses(Value root, SmallVectorImpl<Operation *> &uses,
                 SmallVectorImpl<Operation *> &deallocs) {
  SmallVector<Value> worklist{root};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (isa<memref::DeallocOp>(user)) {
        deallocs.push_back(user);
        continue;
      }
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() != value)
          return false; // e.g. the offset operand of a memref.view: not a pointer
        uses.push_back(user);
        for (Value result : user->getResults())
          if (isa<BaseMemRefType>(result.getType()))
            worklist.push_back(result);
        continue;
      }
      if (auto select = dyn_cast<arith::SelectOp>(user)) {
        // One of two buffers (the stand-in of a failed dim check): the result
        // aliases both, so its uses keep both alive.
        if (select.getCondition() == value)
          return false;
        uses.push_back(user);
        worklist.push_back(select.getResult());
        continue;
      }
      if (!isInPlaceUse(user))
        return false;
      uses.push_back(user);
    }
  }
  return true;
}

bool hasPlannableType(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  Type element = type.getElementType();
  if (alloc.getAlignment() && *alloc.getAlignment() > kArenaAlignment)
    return false; // the arena only promises 64 bytes
  return type.getLayout().isIdentity() && !type.getMemorySpace() &&
         (isa<FloatType>(element) || isa<IntegerType>(element)) && alloc.getSymbolOperands().empty();
}

bool hasSequentialAncestors(Operation *op, func::FuncOp fn) {
  for (Operation *parent = op->getParentOp(); parent != fn; parent = parent->getParentOp())
    if (!isSequential(parent))
      return false;
  return true;
}

} // namespace

SmallVector<BufferLifetime> findArenaBuffers(func::FuncOp fn) {
  SmallVector<BufferLifetime> buffers;
  if (!fn.getBody().hasOneBlock())
    return buffers;
  Positions positions;
  positions.number(fn);
  fn.walk([&](memref::AllocOp alloc) {
    if (!hasPlannableType(alloc) || !hasSequentialAncestors(alloc, fn))
      return;
    SmallVector<Operation *> uses, deallocs;
    if (!collectUses(alloc.getResult(), uses, deallocs) || deallocs.size() != 1)
      return;
    Block *block = alloc->getBlock();
    Operation *dealloc = deallocs.front();
    if (dealloc->getBlock() != block)
      return; // conditional, or in another region
    BufferLifetime buffer;
    buffer.alloc = alloc;
    buffer.deallocs.assign(deallocs.begin(), deallocs.end());
    buffer.begin = positions.range[alloc].first;
    buffer.end = buffer.begin;
    for (Operation *use : uses) {
      Operation *ancestor = block->findAncestorOpInBlock(*use);
      if (!ancestor)
        return;
      buffer.end = std::max(buffer.end, positions.range[ancestor].second);
    }
    if (positions.range[dealloc].first <= buffer.end)
      return; // a use after the dealloc: leave it alone
    buffers.push_back(buffer);
  });
  llvm::sort(buffers, [](const BufferLifetime &a, const BufferLifetime &b) {
    return a.begin < b.begin;
  });
  return buffers;
}

} // namespace asg
