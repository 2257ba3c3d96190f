// BufferLifetimes.h: the heap buffers of a function that may share one arena, and when each
// is live (asg-plan-memory's analysis).
#ifndef ASG_COMPILER_TRANSFORMS_BUFFERLIFETIMES_H
#define ASG_COMPILER_TRANSFORMS_BUFFERLIFETIMES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace asg {

/// A `memref.alloc` whose memory may come from the arena: it does not escape
/// the function and it is freed by exactly one unconditional `memref.dealloc`.
struct BufferLifetime {
  mlir::memref::AllocOp alloc;
  llvm::SmallVector<mlir::Operation *, 1> deallocs; // of the buffer or of a view of it
  /// Live from `begin` to `end` (inclusive) in a pre-order numbering of the
  /// function's ops. A use nested in an op of the alloc's block keeps the
  /// buffer live to the end of that op (a loop, say), so two buffers whose
  /// ranges do not overlap are never live at the same time.
  int64_t begin = 0, end = 0;
};

/// The buffers of `fn` that may share an arena, ordered by `begin`. A buffer
/// qualifies when:
/// - it has an identity layout, the default memory space, an integer or
///   float element type and asks for no more than 64-byte alignment;
/// - every op between it and the function is sequential (scf.for, scf.if,
///   scf.while, scf.index_switch, scf.execute_region): one live instance at
///   a time;
/// - every use, through views (ViewLikeOpInterface) and `arith.select`s of
///   memrefs (whose result may be either buffer), reads or writes it in
///   place (linalg, memref, vector and affine ops without memref results);
///   a terminator (return, yield), a call, a pointer extraction, an LLVM op
///   or any other op that could keep it makes it escape;
/// - exactly one `memref.dealloc` frees it (or a view of it), in the alloc's
///   block, after its last use (a conditional dealloc is in another block).
/// (asg-plan-memory also needs its size at the entry: EntrySizes.h.)
/// `fn` must have a single block; otherwise nothing qualifies.
llvm::SmallVector<BufferLifetime> findArenaBuffers(mlir::func::FuncOp fn);

} // namespace asg

#endif // ASG_COMPILER_TRANSFORMS_BUFFERLIFETIMES_H
