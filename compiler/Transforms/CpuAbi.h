// CpuAbi.h: constants of the CPU target's ABI shared by its passes (docs/abi.md, "ABI 3";
// the C side is asg_cpu_context in asg/runtime.h).
#ifndef ASG_COMPILER_TRANSFORMS_CPUABI_H
#define ASG_COMPILER_TRANSFORMS_CPUABI_H

#include "mlir/IR/Builders.h"

#include <cstdint>

namespace asg {

/// Fields of `asg_cpu_context`, all pointers: self, scratch, parallel_for.
constexpr int32_t kCpuContextFields = 3;
constexpr int32_t kCpuContextSelf = 0;
constexpr int32_t kCpuContextScratch = 1;
constexpr int32_t kCpuContextParallelFor = 2;

/// Unit attribute, set by asg-cpu-context on the module and on each entry
/// function whose last argument is the context (`!llvm.ptr`).
constexpr const char *kCpuContextAttr = "asg.cpu_context";

/// Loads field `field` (a pointer) of the asg_cpu_context at `context` (an `!llvm.ptr`).
mlir::Value cpuContextField(mlir::OpBuilder &b, mlir::Location loc, mlir::Value context,
                            int32_t field);

/// Calls field `field` of the context at `context` with (self, operands...);
/// returns its result when `resultType` is given.
mlir::Value callCpuContext(mlir::OpBuilder &b, mlir::Location loc, mlir::Value context,
                           int32_t field, mlir::ValueRange operands,
                           mlir::Type resultType = nullptr);

} // namespace asg

#endif // ASG_COMPILER_TRANSFORMS_CPUABI_H
