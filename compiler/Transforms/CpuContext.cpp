// CpuContext.cpp: asg-cpu-context, the asg_cpu_context argument of the CPU entry
// functions (docs/abi.md, "ABI 3"; see Passes.td).
#include "compiler/Transforms/CpuAbi.h"
#include "compiler/Transforms/Passes.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGCPUCONTEXT
#include "compiler/Transforms/Passes.h.inc"

namespace {

struct AsgCpuContextPass : impl::AsgCpuContextBase<AsgCpuContextPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto entries = module->getAttrOfType<ArrayAttr>("asg.entries");
    if (!entries) {
      module.emitError("asg-cpu-context needs the module attribute asg.entries (set by the importer)");
      return signalPassFailure();
    }
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    for (auto entry : entries.getAsValueRange<StringAttr>()) {
      auto fn = module.lookupSymbol<func::FuncOp>(entry);
      if (!fn || fn.isExternal()) {
        module.emitError("entry point '") << entry << "' has no function body";
        return signalPassFailure();
      }
      if (fn->hasAttr(kCpuContextAttr))
        continue;
      fn.insertArgument(fn.getNumArguments(), ptr, {}, fn.getLoc());
      fn->setAttr(kCpuContextAttr, UnitAttr::get(ctx));
    }
    module->setAttr(kCpuContextAttr, UnitAttr::get(ctx));
  }
};

} // namespace
} // namespace asg
