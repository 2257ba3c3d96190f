// Pipelines.cpp: the CPU pass pipelines, asg -> linalg on tensors -> buffers -> LLVM dialect.
#include "compiler/Pipelines/Pipelines.h"

#include "compiler/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/SPIRV/Transforms/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace asg {

namespace {

/// Register tiles that fill the vector registers: 6 x (vectors per row)
/// accumulators, the row's vectors and one broadcast (32 registers with
/// AVX-512, 16 with AVX2 and SSE). The cache blocks are the pass's defaults
/// (measured on 1024^3, 1000^3 and 256x1024x1024 on Zen 5; bench/README.md).
AsgCpuContractionsOptions cpuContractionBlocking(const PipelineOptions &options) {
  AsgCpuContractionsOptions blocking;
  blocking.vectorWidth = std::max(4u, options.vectorBits / 32);
  blocking.tileRows = 6;
  blocking.tileVectors = options.vectorBits >= 512 ? 4 : 2;
  return blocking;
}

} // namespace

void buildAutodiffPipeline(OpPassManager &pm, const PipelineOptions &) {
  pm.addPass(createAsgAutodiff());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildAsgToLinalgPipeline(OpPassManager &pm, const PipelineOptions &) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createAsgToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildFusionPipeline(OpPassManager &pm, const PipelineOptions &options) {
  if (options.optLevel > 0) {
    pm.addPass(createAsgFuse());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    // The CPU's loop order; GPU kernels want the parallel dims outermost.
    if (!options.spirv)
      pm.addPass(createAsgContractionLoopOrder());
  }
  if (options.spirv) {
    pm.addPass(createAsgStatusToTensor());
    pm.addPass(createCanonicalizerPass());
  }
}

void buildBufferizationPipeline(OpPassManager &pm, const PipelineOptions &options) {
  // Tensors -> buffers. Function boundaries get identity layouts, so the
  // runtime sees plain row-major buffers (docs/abi.md).
  pm.addPass(createAsgPrivateFills());
  bufferization::OneShotBufferizationOptions bufferization;
  // Device buffers are opaque handles: no pointer arithmetic to align them.
  if (options.spirv)
    bufferization.bufferAlignment = 0;
  bufferization.bufferizeFunctionBoundaries = true;
  bufferization.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  pm.addPass(bufferization::createEmptyTensorToAllocTensorPass());
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  pm.addPass(createCanonicalizerPass());
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);
}

void buildKernelsToSpirvPipeline(OpPassManager &pm, const PipelineOptions &) {
  pm.addPass(createBufferizationToMemRefPass()); // clones of returned arguments
  pm.addPass(createAsgExpandCopies());
  pm.addNestedPass<func::FuncOp>(createAsgGpuTiledContractions());
  pm.addNestedPass<func::FuncOp>(createAsgGpuWorkgroupReductions());
  pm.addPass(createAsgParallelDimsOutermost());
  pm.addPass(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createAsgMathApproximation());
  pm.addPass(arith::createArithExpandOpsPass());
  pm.addNestedPass<func::FuncOp>(createAsgMapParallelLoopsToGpu());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Last before outlining: it sinks constants into the launches, where the
  // canonicalizer would hoist them out again.
  pm.addNestedPass<func::FuncOp>(createAsgFlattenKernelMemrefs());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createAsgGpuDispatchAbi());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createAsgKernelsToSpirv());
  OpPassManager &kernels = pm.nest<spirv::ModuleOp>();
  kernels.addPass(spirv::createSPIRVLowerABIAttributesPass());
  pm.addPass(createAsgSerializeKernels()); // execution modes, VCE triple, words

}

void buildLoweringToLLVMPipeline(OpPassManager &pm, const PipelineOptions &options) {
  // Buffers -> loops -> LLVM dialect, with nothing left for a runtime library.
  if (options.spirv)
    buildKernelsToSpirvPipeline(pm, options);
  else
    pm.addPass(createAsgCpuContext()); // the asg_cpu_context argument of entry functions
  pm.addPass(createBufferizationToMemRefPass()); // clones of returned arguments
  if (!options.spirv)
    pm.addPass(createAsgPlanMemory()); // the SPIR-V target's buffers are the runtime's
  pm.addPass(createAsgExpandCopies());
  if (options.spirv) {
    pm.addPass(createConvertLinalgToLoopsPass()); // what is left of the host code
    pm.addPass(createLowerAffinePass());
  } else {
    if (options.optLevel > 0) {
      pm.addPass(createAsgCpuContractions(cpuContractionBlocking(options)));
      pm.addPass(createAsgReassociateSums());
    }
    // Parallel iterators become scf.parallel, reductions scf.for inside them;
    // the outermost large loops run through the context's parallel_for.
    pm.addPass(createConvertLinalgToParallelLoopsPass());
    pm.addPass(createLowerAffinePass());
    pm.addPass(createAsgCpuParallelOutlining());
  }
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createAsgMathApproximation());
  pm.addPass(arith::createArithExpandOpsPass()); // ceildivsi & co. have no LLVM lowering
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  if (options.spirv)
    pm.addPass(createAsgGpuHostCalls());
  pm.addPass(createAsgEmitEntryPoints());
  pm.addPass(createCanonicalizerPass());
}

void buildLinalgToLLVMPipeline(OpPassManager &pm, const PipelineOptions &options) {
  buildFusionPipeline(pm, options);
  buildBufferizationPipeline(pm, options);
  buildLoweringToLLVMPipeline(pm, options);
}

void registerAsgPipelines() {
  PassPipelineRegistration<>(
      "asg-cpu-pipeline", "Lower an imported asg module to the LLVM dialect for the CPU",
      [](OpPassManager &pm) {
        PipelineOptions options;
        buildAsgToLinalgPipeline(pm, options);
        buildLinalgToLLVMPipeline(pm, options);
      });
  PassPipelineRegistration<>(
      "asg-spirv-pipeline",
      "Lower an imported asg module to SPIR-V kernels and LLVM-dialect host code",
      [](OpPassManager &pm) {
        PipelineOptions options;
        options.spirv = true;
        buildAsgToLinalgPipeline(pm, options);
        buildLinalgToLLVMPipeline(pm, options);
      });
  PassPipelineRegistration<>("asg-linalg-to-llvm",
                             "Lower linalg on tensors (after asg-to-linalg) to the LLVM dialect",
                             [](OpPassManager &pm) {
                               buildLinalgToLLVMPipeline(pm, PipelineOptions{});
                             });
}

} // namespace asg
