// ArenaLayout.cpp: slot colouring and offset packing of buffers with known lifetimes
// (see ArenaLayout.h).
#include "compiler/Transforms/ArenaLayout.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>

namespace asg {
namespace {

int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

bool overlap(const LayoutItem &a, const LayoutItem &b) {
  return a.begin <= b.end && b.begin <= a.end;
}

} // namespace

llvm::SmallVector<llvm::SmallVector<unsigned>> colourSlots(llvm::ArrayRef<LayoutItem> items) {
  struct Slot {
    llvm::SmallVector<unsigned> members;
    int64_t lastEnd = -1;
    int64_t estimate = 0;
  };
  llvm::SmallVector<Slot> slots;
  for (auto [index, item] : llvm::enumerate(items)) {
    Slot *best = nullptr;
    for (Slot &slot : slots) {
      if (slot.lastEnd >= item.begin)
        continue;
      bool fits = slot.estimate >= item.estimate;
      bool bestFits = best && best->estimate >= item.estimate;
      if (!best || (fits && (!bestFits || slot.estimate < best->estimate)) ||
          (!fits && !bestFits && slot.estimate > best->estimate))
        best = &slot;
    }
    if (!best)
      best = &slots.emplace_back();
    best->members.push_back(index);
    best->lastEnd = item.end;
    best->estimate = std::max(best->estimate, item.estimate);
  }
  llvm::SmallVector<llvm::SmallVector<unsigned>> result;
  for (Slot &slot : slots)
    result.push_back(std::move(slot.members));
  return result;
}

int64_t packGroup(llvm::ArrayRef<LayoutItem> items, llvm::ArrayRef<unsigned> members,
                  int64_t alignment, llvm::SmallVectorImpl<int64_t> &offsets) {
  llvm::SmallVector<unsigned> order(members);
  llvm::stable_sort(order, [&](unsigned a, unsigned b) {
    return items[a].coefficient > items[b].coefficient;
  });
  llvm::SmallVector<unsigned> placed;
  int64_t total = 0;
  for (unsigned i : order) {
    llvm::SmallVector<std::pair<int64_t, int64_t>> taken; // [offset, end) of live neighbours
    for (unsigned j : placed)
      if (overlap(items[i], items[j]))
        taken.push_back({offsets[j], offsets[j] + items[j].coefficient});
    llvm::sort(taken);
    int64_t candidate = 0;
    for (auto [start, end] : taken) {
      if (candidate + items[i].coefficient <= start)
        break;
      candidate = std::max(candidate, alignUp(end, alignment));
    }
    offsets[i] = candidate;
    total = std::max(total, candidate + items[i].coefficient);
    placed.push_back(i);
  }
  return total;
}

int64_t estimateSlots(llvm::ArrayRef<LayoutItem> items,
                      llvm::ArrayRef<llvm::SmallVector<unsigned>> slots, int64_t alignment) {
  int64_t total = 0;
  for (const auto &slot : slots) {
    int64_t size = 0;
    for (unsigned member : slot)
      size = std::max(size, alignUp(items[member].estimate, alignment));
    total += size;
  }
  return total;
}

} // namespace asg
