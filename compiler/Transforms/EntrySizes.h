// EntrySizes.h: recomputing buffer sizes at a function's entry (asg-plan-memory needs every
// planned buffer's size before the function's first op, to ask for the arena once).
#ifndef ASG_COMPILER_TRANSFORMS_ENTRYSIZES_H
#define ASG_COMPILER_TRANSFORMS_ENTRYSIZES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace asg {

/// Recomputes index values at the builder's insertion point, in the entry
/// block, from the function's arguments: side-effect-free ops without
/// regions are cloned, and `memref.dim` of a buffer becomes that dim's size
/// where it is known from how the buffer is made: an argument's
/// `memref.dim`, an alloc's size operand, an `arith.select` of buffers (a
/// select of their dims), `memref.collapse_shape` (the product of the
/// collapsed dims), `memref.expand_shape` (its output shape), `memref.cast`.
/// Equal computations are made once.
class EntrySizes {
public:
  EntrySizes(mlir::OpBuilder &b, mlir::Block *entry) : b(b), entry(entry) {}

  /// The value at the entry, or null when it cannot be recomputed there
  /// (e.g. it is loaded from memory or computed inside a loop).
  mlir::Value compute(mlir::Value value);

private:
  mlir::Value dim(mlir::Value buffer, int64_t index);
  /// `op` (just created) or an equal op created before, which it replaces.
  mlir::Value unique(mlir::Operation *op);

  mlir::OpBuilder &b;
  mlir::Block *entry;
  mlir::IRMapping mapping;
  llvm::SmallVector<mlir::Operation *> created;
};

} // namespace asg

#endif // ASG_COMPILER_TRANSFORMS_ENTRYSIZES_H
