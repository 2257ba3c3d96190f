// CpuAbi.h: constants of the CPU target's ABI shared by its passes (docs/abi.md, "ABI 3";
// the C side is asg_cpu_context in asg/runtime.h).
#ifndef ASG_COMPILER_TRANSFORMS_CPUABI_H
#define ASG_COMPILER_TRANSFORMS_CPUABI_H

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

} // namespace asg

#endif // ASG_COMPILER_TRANSFORMS_CPUABI_H
