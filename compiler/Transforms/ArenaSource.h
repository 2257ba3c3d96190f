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
mlir::Value createArena(mlir::OpBuilder &b, mlir::func::FuncOp fn, mlir::Value bytes);

} // namespace asg

#endif // ASG_COMPILER_TRANSFORMS_ARENASOURCE_H
