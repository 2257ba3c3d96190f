// PlanMemory.cpp: asg-plan-memory, the intermediates of each function in one arena, with
// buffers whose lifetimes do not overlap sharing memory.
#include "compiler/Transforms/Arena.h"
#include "compiler/Transforms/ArenaLayout.h"
#include "compiler/Transforms/ArenaSource.h"
#include "compiler/Transforms/BufferLifetimes.h"
#include "compiler/Transforms/EntrySizes.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGPLANMEMORY
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// How the choice between layouts weighs a dynamic dim (its size is unknown).
constexpr int64_t kDynamicDimGuess = 1024;

int64_t elementBytes(MemRefType type) {
  return (type.getElementTypeBitWidth() + 7) / 8;
}

/// Index arithmetic on sizes that stays constant where it can, so that a
/// static plan creates no ops but its results.
struct SizeBuilder {
  SizeBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpBuilder &b;
  Location loc;

  DenseMap<int64_t, Value> constants;

  Value value(OpFoldResult size) {
    std::optional<int64_t> constant = getConstantIntValue(size);
    if (!constant)
      return getValueOrCreateConstantIndexOp(b, loc, size);
    Value &cached = constants[*constant];
    if (!cached)
      cached = b.create<arith::ConstantIndexOp>(loc, *constant);
    return cached;
  }

  template <typename Op>
  OpFoldResult apply(OpFoldResult lhs, OpFoldResult rhs,
                     llvm::function_ref<int64_t(int64_t, int64_t)> fold) {
    std::optional<int64_t> l = getConstantIntValue(lhs), r = getConstantIntValue(rhs);
    if (l && r)
      return b.getIndexAttr(fold(*l, *r));
    return b.createOrFold<Op>(loc, value(lhs), value(rhs));
  }
  OpFoldResult mul(OpFoldResult lhs, OpFoldResult rhs) {
    if (isConstantIntValue(lhs, 1) || isConstantIntValue(rhs, 0))
      return rhs;
    if (isConstantIntValue(rhs, 1) || isConstantIntValue(lhs, 0))
      return lhs;
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
  Block *entry = &fn.getBody().front();
  Location loc = fn.getLoc();
  OpBuilder b(fn.getContext());
  b.setInsertionPointToStart(entry);
  EntrySizes atEntry(b, entry);

  // The buffers whose dynamic sizes can be computed at the entry (what is
  // created for the others is dead and goes with the canonicalizer).
  SmallVector<BufferLifetime> buffers;
  SmallVector<SmallVector<Value>> dynamicSizes; // of each buffer, at the entry
  for (BufferLifetime &buffer : findArenaBuffers(fn)) {
    SmallVector<Value> sizesAtEntry;
    for (Value size : buffer.alloc.getDynamicSizes())
      if (Value atStart = atEntry.compute(size))
        sizesAtEntry.push_back(atStart);
    if (sizesAtEntry.size() != buffer.alloc.getDynamicSizes().size())
      continue;
    buffers.push_back(buffer);
    dynamicSizes.push_back(sizesAtEntry);
  }
  if (buffers.empty()) {
    summary.arenaBytes = 0;
    return summary;
  }
  SizeBuilder sizes{b, loc};

  // Each buffer's size: a static coefficient times the product of its
  // dynamic sizes (recomputed at the entry), which names its group.
  SmallVector<LayoutItem> items;
  SmallVector<SmallVector<Value>> groupFactors;
  for (auto [buffer, sizesAtEntry] : llvm::zip(buffers, dynamicSizes)) {
    MemRefType type = buffer.alloc.getType();
    int64_t coefficient = elementBytes(type);
    for (int64_t dim : type.getShape())
      if (!ShapedType::isDynamic(dim))
        coefficient *= dim;
    SmallVector<Value> factors(sizesAtEntry);
    int64_t estimate = coefficient;
    for (size_t i = 0; i < factors.size(); ++i)
      estimate *= kDynamicDimGuess;
    llvm::sort(factors, [](Value l, Value r) {
      return l.getAsOpaquePointer() < r.getAsOpaquePointer();
    });
    unsigned group = llvm::find(groupFactors, factors) - groupFactors.begin();
    if (group == groupFactors.size())
      groupFactors.push_back(factors);
    items.push_back({buffer.begin, buffer.end, coefficient, group, estimate});
    ++summary.buffers;
    if (type.hasStaticShape())
      summary.staticBufferBytes += coefficient;
    else
      ++summary.dynamicBuffers;
  }

  // Two layouts; the smaller one by the estimate (exact for static shapes).
  SmallVector<SmallVector<unsigned>> slots = colourSlots(items);
  SmallVector<SmallVector<unsigned>> groups(groupFactors.size());
  for (auto [index, item] : llvm::enumerate(items))
    groups[item.group].push_back(index);
  SmallVector<int64_t> packedOffsets(items.size()), groupUnits;
  int64_t packedEstimate = 0;
  for (auto [group, members] : llvm::enumerate(groups)) {
    groupUnits.push_back(packGroup(items, members, kArenaAlignment, packedOffsets));
    int64_t estimate = groupUnits.back();
    for (size_t i = 0; i < groupFactors[group].size(); ++i)
      estimate *= kDynamicDimGuess;
    packedEstimate += (estimate + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
  }

  SmallVector<Value> offsetOf(buffers.size());
  OpFoldResult offset = b.getIndexAttr(0);
  if (packedEstimate <= estimateSlots(items, slots, kArenaAlignment)) {
    // Group g at the sum of the previous groups' sizes; buffer i of it at
    // packedOffsets[i] times the group's factor.
    for (auto [group, members] : llvm::enumerate(groups)) {
      OpFoldResult factor = b.getIndexAttr(1);
      for (Value value : groupFactors[group])
        factor = sizes.mul(factor, value);
      for (unsigned member : members)
        offsetOf[member] = sizes.value(
            sizes.add(offset, sizes.mul(b.getIndexAttr(packedOffsets[member]), factor)));
      offset = sizes.alignUp(sizes.add(offset, sizes.mul(b.getIndexAttr(groupUnits[group]), factor)));
    }
  } else {
    // Slot sizes (the largest occupant) and offsets (their prefix sums).
    SmallVector<OpFoldResult> bytes;
    for (auto [item, dims] : llvm::zip(items, dynamicSizes)) {
      OpFoldResult size = b.getIndexAttr(item.coefficient);
      for (Value dim : dims)
        size = sizes.mul(size, dim);
      bytes.push_back(sizes.alignUp(size));
    }
    for (auto &slot : slots) {
      OpFoldResult size = bytes[slot.front()];
      for (unsigned member : ArrayRef(slot).drop_front())
        size = sizes.max(size, bytes[member]);
      Value start = sizes.value(offset);
      for (unsigned member : slot)
        offsetOf[member] = start;
      offset = sizes.add(offset, size);
    }
  }
  if (std::optional<int64_t> total = getConstantIntValue(offset))
    summary.arenaBytes = *total;

  Value total = sizes.value(offset);
  Arena arena = createArena(b, fn, total);
  if (!arena.memref)
    return failure();

  // With scratch memory, each distinct offset gets its own opaque pointer
  // (ArenaSource.h: so LLVM vectorizes as it did with separate buffers).
  DenseMap<Value, Value> parts;
  auto source = [&](Value bufferOffset) -> std::pair<Value, Value> {
    if (!arena.pointer)
      return {arena.memref, bufferOffset};
    Value &part = parts[bufferOffset];
    if (!part)
      part = arenaPart(b, loc, arena.pointer, bufferOffset, total);
    return {part, sizes.value(b.getIndexAttr(0))};
  };
  SmallVector<std::pair<Value, Value>> sources;
  for (Value bufferOffset : offsetOf)
    sources.push_back(source(bufferOffset));

  for (auto [buffer, from] : llvm::zip(buffers, sources)) {
    memref::AllocOp alloc = buffer.alloc;
    b.setInsertionPoint(alloc);
    Value view = b.create<memref::ViewOp>(alloc.getLoc(), alloc.getType(), from.first, from.second,
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
