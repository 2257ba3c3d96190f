// GpuAbi.h: constants of the SPIR-V target's ABI shared by its passes (docs/abi.md,
// "The SPIR-V target"; the C side is asg_gpu_recorder in asg/runtime.h).
#ifndef ASG_COMPILER_TARGET_SPIRV_GPUABI_H
#define ASG_COMPILER_TARGET_SPIRV_GPUABI_H

#include "mlir/IR/Builders.h"

#include <cstdint>

namespace asg {

/// Fields of `asg_gpu_recorder`, all pointers: self, alloc, release, upload, dispatch.
constexpr int32_t kRecorderFields = 5;
constexpr int32_t kRecorderSelf = 0;
constexpr int32_t kRecorderAlloc = 1;
constexpr int32_t kRecorderRelease = 2;
constexpr int32_t kRecorderUpload = 3;
constexpr int32_t kRecorderDispatch = 4;

/// Marks host functions whose last argument is the recorder (`!llvm.ptr`).
constexpr const char *kRecorderArgAttr = "asg.gpu.recorder_arg";

/// Vulkan's guaranteed minimum of maxPushConstantsSize (128 bytes), in words.
constexpr unsigned kMaxPushConstantWords = 32;

/// Module attributes: the kernel table (asg-gpu-dispatch-abi) and the
/// validated SPIR-V words of each kernel (asg-serialize-kernels).
constexpr const char *kKernelTableAttr = "asg.gpu.kernels";
constexpr const char *kSpirvWordsAttr = "asg.gpu.spirv";

/// The SPIR-V environment of every kernel: SPIR-V 1.3 (Vulkan 1.1), 64-bit
/// integers for i64 tensors, and float controls so drivers keep NaN, inf
/// and signed zeros (SPEC's NaN propagation; without SignedZeroInfNanPreserve
/// a driver may treat them as undefined, and NVIDIA's does).
constexpr const char *kTargetEnv =
    "#spirv.target_env<#spirv.vce<v1.3, [Shader, Int64, SignedZeroInfNanPreserve], "
    "[SPV_KHR_storage_buffer_storage_class, SPV_KHR_float_controls]>, #spirv.resource_limits<>>";

/// Calls field `field` of the recorder struct at `recorder` (an `!llvm.ptr`)
/// with (self, operands...); returns its result when `resultType` is given.
mlir::Value callRecorder(mlir::OpBuilder &b, mlir::Location loc, mlir::Value recorder,
                         int32_t field, mlir::ValueRange operands,
                         mlir::Type resultType = nullptr);

} // namespace asg

#endif // ASG_COMPILER_TARGET_SPIRV_GPUABI_H
