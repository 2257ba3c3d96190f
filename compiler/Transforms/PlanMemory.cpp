// PlanMemory.cpp: asg-plan-memory, the intermediates of each function in one arena, with
// buffers whose lifetimes do not overlap sharing memory.
#include "compiler/Transforms/Arena.h"
#include "compiler/Transforms/ArenaSource.h"
#include "compiler/Transforms/BufferLifetimes.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGPLANMEMORY
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// How --stats and the slot choice weigh a dynamic dim (its size is unknown).
constexpr int64_t kDynamicDimGuess = 1024;

int64_t elementBytes(MemRefType type) {
  return (type.getElementTypeBitWidth() + 7) / 8;
}

/// The buffer's bytes with each dynamic dim taken as kDynamicDimGuess.
int64_t estimatedBytes(MemRefType type) {
  int64_t bytes = elementBytes(type);
  for (int64_t dim : type.getShape())
    bytes *= ShapedType::isDynamic(dim) ? kDynamicDimGuess : dim;
  return bytes;
}

/// A part of the arena that buffers with disjoint lifetimes take in turn.
struct Slot {
  SmallVector<unsigned> members; // indices into the buffers, in order of birth
  int64_t lastEnd = -1;
  int64_t estimate = 0; // the largest member's estimatedBytes
};

/// Greedy interval colouring: each buffer (in order of birth) takes a slot
/// whose occupants are all dead, the smallest one that fits it (by the
/// estimate), else the largest one, else a new slot.
SmallVector<Slot> assignSlots(ArrayRef<BufferLifetime> buffers) {
  SmallVector<Slot> slots;
  for (auto [index, buffer] : llvm::enumerate(buffers)) {
    int64_t need = estimatedBytes(cast<MemRefType>(buffer.alloc->getResult(0).getType()));
    Slot *best = nullptr;
    for (Slot &slot : slots) {
      if (slot.lastEnd >= buffer.begin)
        continue;
      bool fits = slot.estimate >= need, bestFits = best && best->estimate >= need;
      if (!best || (fits && (!bestFits || slot.estimate < best->estimate)) ||
          (!fits && !bestFits && slot.estimate > best->estimate))
        best = &slot;
    }
    if (!best)
      best = &slots.emplace_back();
    best->members.push_back(index);
    best->lastEnd = buffer.end;
    best->estimate = std::max(best->estimate, need);
  }
  return slots;
}

/// Recomputes `value` at the builder's insertion point (the function's entry).
Value cloneAtEntry(OpBuilder &b, Value value, IRMapping &mapping) {
  if (Value mapped = mapping.lookupOrNull(value))
    return mapped;
  if (isa<BlockArgument>(value))
    return value;
  Operation *op = value.getDefiningOp();
  for (Value operand : op->getOperands())
    cloneAtEntry(b, operand, mapping);
  b.clone(*op, mapping);
  return mapping.lookup(value);
}

/// Index arithmetic on sizes that stays constant where it can, so that a
/// static plan creates no ops but its results.
struct SizeBuilder {
  OpBuilder &b;
  Location loc;

  Value value(OpFoldResult size) { return getValueOrCreateConstantIndexOp(b, loc, size); }

  template <typename Op>
  OpFoldResult apply(OpFoldResult lhs, OpFoldResult rhs,
                     llvm::function_ref<int64_t(int64_t, int64_t)> fold) {
    std::optional<int64_t> l = getConstantIntValue(lhs), r = getConstantIntValue(rhs);
    if (l && r)
      return b.getIndexAttr(fold(*l, *r));
    return b.createOrFold<Op>(loc, value(lhs), value(rhs));
  }
  OpFoldResult mul(OpFoldResult lhs, OpFoldResult rhs) {
    return apply<arith::MulIOp>(lhs, rhs, [](int64_t l, int64_t r) { return l * r; });
  }
  OpFoldResult add(OpFoldResult lhs, OpFoldResult rhs) {
    if (isConstantIntValue(lhs, 0))
      return rhs;
    return apply<arith::AddIOp>(lhs, rhs, [](int64_t l, int64_t r) { return l + r; });
  }
  OpFoldResult max(OpFoldResult lhs, OpFoldResult rhs) {
    return apply<arith::MaxUIOp>(lhs, rhs, [](int64_t l, int64_t r) {
      return static_cast<int64_t>(std::max<uint64_t>(l, r));
    });
  }
  OpFoldResult alignUp(OpFoldResult size) {
    OpFoldResult padded = add(size, b.getIndexAttr(kArenaAlignment - 1));
    return apply<arith::AndIOp>(padded, b.getIndexAttr(-kArenaAlignment),
                                [](int64_t l, int64_t r) { return l & r; });
  }
};

/// What the plan of one function is, for the module attribute `asg.arena.<fn>`.
struct PlanSummary {
  int64_t arenaBytes = -1; // -1: depends on dynamic dims
  int64_t buffers = 0, dynamicBuffers = 0;
  int64_t staticBufferBytes = 0; // the sum of the statically sized buffers' bytes
};

FailureOr<PlanSummary> planFunction(func::FuncOp fn) {
  PlanSummary summary;
  SmallVector<BufferLifetime> buffers = findArenaBuffers(fn);
  if (buffers.empty()) {
    summary.arenaBytes = 0;
    return summary;
  }
  Block *entry = &fn.getBody().front();
  Location loc = fn.getLoc();
  OpBuilder b(fn.getContext());
  b.setInsertionPointToStart(entry);
  IRMapping atEntry;
  SizeBuilder sizes{b, loc};

  // Each buffer's bytes, rounded up to the alignment, computed at the entry.
  SmallVector<OpFoldResult> bytes;
  for (BufferLifetime &buffer : buffers) {
    MemRefType type = buffer.alloc.getType();
    int64_t staticBytes = elementBytes(type);
    for (int64_t dim : type.getShape())
      if (!ShapedType::isDynamic(dim))
        staticBytes *= dim;
    OpFoldResult size = b.getIndexAttr(staticBytes);
    for (Value dim : buffer.alloc.getDynamicSizes())
      size = sizes.mul(size, cloneAtEntry(b, dim, atEntry));
    bytes.push_back(sizes.alignUp(size));
    ++summary.buffers;
    if (type.hasStaticShape())
      summary.staticBufferBytes += staticBytes;
    else
      ++summary.dynamicBuffers;
  }

  // Slot sizes (the largest occupant) and offsets (their prefix sums).
  SmallVector<Slot> slots = assignSlots(buffers);
  SmallVector<Value> offsetOf(buffers.size());
  OpFoldResult offset = b.getIndexAttr(0);
  for (Slot &slot : slots) {
    OpFoldResult size = bytes[slot.members.front()];
    for (unsigned member : ArrayRef(slot.members).drop_front())
      size = sizes.max(size, bytes[member]);
    Value start = sizes.value(offset);
    for (unsigned member : slot.members)
      offsetOf[member] = start;
    offset = sizes.add(offset, size);
  }
  if (std::optional<int64_t> total = getConstantIntValue(offset))
    summary.arenaBytes = *total;

  Value arena = createArena(b, fn, sizes.value(offset));
  if (!arena)
    return failure();

  for (auto [buffer, bufferOffset] : llvm::zip(buffers, offsetOf)) {
    memref::AllocOp alloc = buffer.alloc;
    b.setInsertionPoint(alloc);
    Value view = b.create<memref::ViewOp>(alloc.getLoc(), alloc.getType(), arena, bufferOffset,
                                          alloc.getDynamicSizes());
    for (Operation *dealloc : buffer.deallocs)
      dealloc->erase();
    alloc.replaceAllUsesWith(view);
    alloc.erase();
  }
  return summary;
}

struct AsgPlanMemoryPass : impl::AsgPlanMemoryBase<AsgPlanMemoryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder b(module.getContext());
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      FailureOr<PlanSummary> planned = planFunction(fn);
      if (failed(planned))
        return signalPassFailure();
      PlanSummary plan = *planned;
      NamedAttribute fields[] = {
          b.getNamedAttr("bytes", b.getI64IntegerAttr(plan.arenaBytes)),
          b.getNamedAttr("buffers", b.getI64IntegerAttr(plan.buffers)),
          b.getNamedAttr("dynamic_buffers", b.getI64IntegerAttr(plan.dynamicBuffers)),
          b.getNamedAttr("static_buffer_bytes", b.getI64IntegerAttr(plan.staticBufferBytes)),
      };
      module->setAttr((llvm::Twine(kArenaAttr) + "." + fn.getSymName()).str(), b.getDictionaryAttr(fields));
    }
  }
};

} // namespace
} // namespace asg
