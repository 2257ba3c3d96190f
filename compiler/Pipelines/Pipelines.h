// Pipelines.h: the pass pipelines from the asg dialect down to the LLVM dialect.
#ifndef ASG_COMPILER_PIPELINES_PIPELINES_H
#define ASG_COMPILER_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace asg {

/// Options shared by the pipelines (the driver's -O level).
struct PipelineOptions {
  unsigned optLevel = 2;
  bool spirv = false; // --target spirv: kernels for Vulkan, host code that records them
  unsigned vectorBits = 512; // the CPU's widest f32 vector registers (cpuVectorBits)
};

/// asg-autodiff (train_step = forward + gradients + update), then
/// canonicalization and CSE so the gradient graph is simplified.
void buildAutodiffPipeline(mlir::OpPassManager &pm, const PipelineOptions &options);
/// asg (after import) -> linalg on tensors: simplification and asg-to-linalg.
void buildAsgToLinalgPipeline(mlir::OpPassManager &pm, const PipelineOptions &options);
/// linalg on tensors -> LLVM dialect, with the entry points and descriptor:
/// the three pipelines below, in order.
void buildLinalgToLLVMPipeline(mlir::OpPassManager &pm, const PipelineOptions &options);
/// Elementwise fusion of linalg ops on tensors (none at -O0).
void buildFusionPipeline(mlir::OpPassManager &pm, const PipelineOptions &options);
/// One-shot bufferization (identity layouts at function boundaries) and
/// ownership-based deallocation of intermediates.
void buildBufferizationPipeline(mlir::OpPassManager &pm, const PipelineOptions &options);
/// Buffers -> loops -> LLVM dialect, then entry points and descriptor.
void buildLoweringToLLVMPipeline(mlir::OpPassManager &pm, const PipelineOptions &options);

/// --target spirv, after bufferization: buffers -> loops -> GPU kernels ->
/// validated SPIR-V words in module attributes; the host code stays in
/// func/memref for buildLoweringToLLVMPipeline.
void buildKernelsToSpirvPipeline(mlir::OpPassManager &pm, const PipelineOptions &options);

/// Registers `asg-cpu-pipeline` and `asg-spirv-pipeline` for asg-opt.
void registerAsgPipelines();

} // namespace asg

#endif // ASG_COMPILER_PIPELINES_PIPELINES_H
