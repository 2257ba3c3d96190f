// ArenaLayout.h: where in the arena each buffer goes, given the lifetimes (asg-plan-memory's
// layout algorithms, on integers only).
#ifndef ASG_COMPILER_TRANSFORMS_ARENALAYOUT_H
#define ASG_COMPILER_TRANSFORMS_ARENALAYOUT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace asg {

/// One buffer of the layout: live in [begin, end] (BufferLifetime's
/// positions), `bytes = coefficient * factor`, where the factor is the
/// product of its dynamic sizes (1 for a static shape) and buffers with the
/// same dynamic sizes form a group. `estimate` is its size in bytes with each
/// dynamic dim guessed, used only to choose between layouts.
struct LayoutItem {
  int64_t begin, end;
  int64_t coefficient;
  unsigned group;
  int64_t estimate;
};

/// Greedy interval colouring into slots: each buffer, in order of birth
/// (items are ordered by begin), takes a slot whose occupants are all dead,
/// the smallest that fits its estimate, else the largest, else a new one. A
/// slot's size is its largest occupant's; slots lie back to back. Works for
/// any mix of sizes (slot sizes are `arith.maxui`s of dynamic sizes).
llvm::SmallVector<llvm::SmallVector<unsigned>> colourSlots(llvm::ArrayRef<LayoutItem> items);

/// Offset packing of one group (all its sizes share one factor): largest
/// first, each buffer at the lowest offset (a multiple of `alignment`, in
/// units of the factor) free of every placed buffer whose lifetime overlaps
/// its own. Sets `offsets[i]` for the group's items; returns the group's
/// size in units of its factor.
int64_t packGroup(llvm::ArrayRef<LayoutItem> items, llvm::ArrayRef<unsigned> members,
                  int64_t alignment, llvm::SmallVectorImpl<int64_t> &offsets);

/// The estimated bytes of a slot layout (the items' estimates, each slot
/// rounded up to `alignment`), to compare it with the packed layout.
int64_t estimateSlots(llvm::ArrayRef<LayoutItem> items,
                      llvm::ArrayRef<llvm::SmallVector<unsigned>> slots, int64_t alignment);

} // namespace asg

#endif // ASG_COMPILER_TRANSFORMS_ARENALAYOUT_H
