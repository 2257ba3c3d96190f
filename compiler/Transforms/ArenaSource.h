// ArenaSource.h: where a function's arena memory comes from (asg-plan-memory).
#ifndef ASG_COMPILER_TRANSFORMS_ARENASOURCE_H
#define ASG_COMPILER_TRANSFORMS_ARENASOURCE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace asg {

/// Creates the arena of `fn` (`memref<?xi8>` of `bytes` bytes, 64-byte
/// aligned) at the builder's insertion point, in the entry block, before
/// any of the function's own ops.
/// - An entry function with the CPU context (`asg.cpu_context`, a trailing
///   `!llvm.ptr`; docs/abi.md, "ABI 3") asks `ctx->scratch(ctx->self, bytes)`.
///   When that yields NULL the function returns at once with status -1 and
///   null result descriptors: the entry block is split after the call.
/// - Any other function allocates it with `memref.alloc` and frees it before
///   each return.
/// Returns null (after reporting an error on `fn`) when the function's
/// results are not memrefs followed by the i32 status.
struct Arena {
  mlir::Value memref;  // memref<?xi8>
  mlir::Value pointer; // its `!llvm.ptr` from ctx->scratch; null for the heap arena
};
Arena createArena(mlir::OpBuilder &b, mlir::func::FuncOp fn, mlir::Value bytes);

/// A `memref<?xi8>` of `bytes` bytes at `offset` (index) into the scratch
/// arena at `pointer`, through a pointer LLVM cannot trace back to the arena
/// (an empty inline asm): LLVM then treats the buffers of the arena as
/// distinct objects, as it did separate mallocs, and vectorizes loops over
/// them with run-time overlap checks instead of giving up on an unknown
/// dependence between two offsets of one object.
mlir::Value arenaPart(mlir::OpBuilder &b, mlir::Location loc, mlir::Value pointer,
                      mlir::Value offset, mlir::Value bytes);

} // namespace asg

#endif // ASG_COMPILER_TRANSFORMS_ARENASOURCE_H
