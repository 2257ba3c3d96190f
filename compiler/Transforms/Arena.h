// Arena.h: the attributes by which asg-plan-memory describes each function's arena to later
// passes (the arena's source, the descriptor's `scratch` record) and to `asgc --stats`.
#ifndef ASG_COMPILER_TRANSFORMS_ARENA_H
#define ASG_COMPILER_TRANSFORMS_ARENA_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace asg {

/// Unit attribute of the one `memref.alloc` of a function that holds its
/// arena (`memref<?xi8>`, 64-byte aligned).
/// Also the prefix of the module attribute `asg.arena.<function>`, a
/// dictionary of i64s: `bytes` (the arena size, -1 when it depends on
/// dynamic dims), `buffers` (the buffers placed in it), `dynamic_buffers`
/// (those among them sized by dynamic dims) and `static_buffer_bytes` (the
/// sum of the statically sized ones' sizes, i.e. the bytes without reuse).
constexpr llvm::StringLiteral kArenaAttr = "asg.arena";

/// The arena's alignment; every buffer in it starts at a multiple of it.
constexpr int64_t kArenaAlignment = 64;

} // namespace asg

#endif // ASG_COMPILER_TRANSFORMS_ARENA_H
