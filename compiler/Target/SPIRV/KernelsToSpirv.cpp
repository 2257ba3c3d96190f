// KernelsToSpirv.cpp: asg-kernels-to-spirv, each gpu.module of outlined kernels becomes a
// spirv.module (see Passes.td).
#include "compiler/Target/SPIRV/GpuAbi.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Conversion/ArithToSPIRV/ArithToSPIRV.h"
#include "mlir/Conversion/GPUToSPIRV/GPUToSPIRV.h"
#include "mlir/Conversion/MathToSPIRV/MathToSPIRV.h"
#include "mlir/Conversion/MemRefToSPIRV/MemRefToSPIRV.h"
#include "mlir/Conversion/SCFToSPIRV/SCFToSPIRV.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"
#include "mlir/Dialect/SPIRV/Transforms/SPIRVConversion.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGKERNELSTOSPIRV
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// SCF-to-SPIR-V carries a loop's values in variables that only the body
/// writes, so the results of a loop that runs no iteration are undefined
/// (scf.for says they are the initial values). Make them explicit:
/// result = lb < ub ? result : init.
void defineZeroTripResults(gpu::GPUModuleOp module) {
  module.walk([](scf::ForOp loop) {
    if (loop.getNumResults() == 0)
      return;
    OpBuilder b(loop->getContext());
    b.setInsertionPointAfter(loop);
    Location loc = loop.getLoc();
    Value ran = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, loop.getLowerBound(),
                                        loop.getUpperBound());
    for (auto [result, init] : llvm::zip(loop.getResults(), loop.getInitArgs())) {
      auto select = b.create<arith::SelectOp>(loc, ran, result, init);
      result.replaceAllUsesExcept(select, select);
    }
  });
}

struct AsgKernelsToSpirvPass : impl::AsgKernelsToSpirvBase<AsgKernelsToSpirvPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    auto targetEnv = dyn_cast_or_null<spirv::TargetEnvAttr>(parseAttribute(kTargetEnv, ctx));
    if (!targetEnv) {
      getOperation().emitError("cannot parse the SPIR-V target environment");
      return signalPassFailure();
    }
    for (auto gpuModule : llvm::to_vector(getOperation().getOps<gpu::GPUModuleOp>())) {
      gpuModule->setAttr(spirv::getTargetEnvAttrName(), targetEnv);
      defineZeroTripResults(gpuModule);
      // Default-memory-space buffers are Vulkan storage buffers.
      spirv::MemorySpaceToStorageClassConverter storageClasses(
          spirv::mapMemorySpaceToVulkanStorageClass);
      spirv::convertMemRefTypesAndAttrs(gpuModule, storageClasses);
      std::unique_ptr<ConversionTarget> target = SPIRVConversionTarget::get(targetEnv);
      SPIRVTypeConverter typeConverter(targetEnv);
      RewritePatternSet patterns(ctx);
      populateGPUToSPIRVPatterns(typeConverter, patterns);
      ScfToSPIRVContext scfContext;
      populateSCFToSPIRVPatterns(typeConverter, scfContext, patterns);
      arith::populateArithToSPIRVPatterns(typeConverter, patterns);
      populateMathToSPIRVPatterns(typeConverter, patterns);
      populateMemRefToSPIRVPatterns(typeConverter, patterns);
      if (failed(applyFullConversion(gpuModule, *target, std::move(patterns))))
        return signalPassFailure();
    }
  }
};

} // namespace
} // namespace asg
