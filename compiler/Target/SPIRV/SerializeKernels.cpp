// SerializeKernels.cpp: asg-serialize-kernels, SPIR-V words for every kernel, checked by
// the SPIRV-Tools validator (see Passes.td).
#include "compiler/Target/SPIRV/GpuAbi.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/SPIRV/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/SPIRV/Serialization.h"

#include "spirv-tools/libspirv.hpp"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGSERIALIZEKERNELS
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// The validator's messages for `words`, empty when the module is valid for Vulkan 1.1.
std::string validate(ArrayRef<uint32_t> words) {
  spvtools::SpirvTools tools(SPV_ENV_VULKAN_1_1);
  std::string messages;
  tools.SetMessageConsumer([&](spv_message_level_t, const char *, const spv_position_t &position,
                               const char *message) {
    messages += "word " + std::to_string(position.index) + ": " + message + "\n";
  });
  spvtools::ValidatorOptions options;
  if (!tools.Validate(words.data(), words.size(), options) && messages.empty())
    messages = "invalid module\n";
  return messages;
}

struct AsgSerializeKernelsPass : impl::AsgSerializeKernelsBase<AsgSerializeKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(&getContext());
    auto table = module->getAttrOfType<ArrayAttr>(kKernelTableAttr);
    if (!table) {
      module.emitError("asg-serialize-kernels needs the kernel table of asg-gpu-dispatch-abi");
      return signalPassFailure();
    }
    llvm::StringMap<spirv::ModuleOp> byName;
    for (auto spirvModule : module.getOps<spirv::ModuleOp>())
      if (std::optional<StringRef> name = spirvModule.getName())
        byName[*name] = spirvModule;

    SmallVector<Attribute> words;
    for (auto kernel : table.getAsRange<DictionaryAttr>()) {
      // GPU-to-SPIR-V names the module of gpu.module @m "__spv__m".
      std::string name = ("__spv__" + kernel.getAs<StringAttr>("module").getValue()).str();
      spirv::ModuleOp spirvModule = byName.lookup(name);
      if (!spirvModule) {
        module.emitError("no SPIR-V module for kernel ") << kernel.get("name");
        return signalPassFailure();
      }
      // f32 NaN, inf and -0 are preserved (the driver may not fold them away).
      for (auto entry : llvm::to_vector(spirvModule.getOps<spirv::EntryPointOp>())) {
        OpBuilder after(entry->getBlock(), std::next(entry->getIterator()));
        after.create<spirv::ExecutionModeOp>(
            entry.getLoc(), entry.getFn(), spirv::ExecutionMode::SignedZeroInfNanPreserve,
            after.getI32ArrayAttr({32}));
      }
      OpPassManager vce(spirv::ModuleOp::getOperationName());
      vce.addPass(spirv::createSPIRVUpdateVCEPass());
      if (failed(runPipeline(vce, spirvModule)))
        return signalPassFailure();
      SmallVector<uint32_t, 0> binary;
      if (failed(spirv::serialize(spirvModule, binary)))
        return signalPassFailure();
      if (std::string errors = validate(binary); !errors.empty()) {
        spirvModule.emitError("SPIR-V validation failed for kernel ")
            << kernel.get("name") << ":\n"
            << errors;
        return signalPassFailure();
      }
      SmallVector<int32_t> signedWords(binary.begin(), binary.end());
      words.push_back(b.getDenseI32ArrayAttr(signedWords));
    }
    module->setAttr(kSpirvWordsAttr, b.getArrayAttr(words));
    for (auto spirvModule : llvm::to_vector(module.getOps<spirv::ModuleOp>()))
      spirvModule.erase();
    for (auto gpuModule : llvm::to_vector(module.getOps<gpu::GPUModuleOp>()))
      gpuModule.erase();
    module->removeAttr("gpu.container_module");
  }
};

} // namespace
} // namespace asg
