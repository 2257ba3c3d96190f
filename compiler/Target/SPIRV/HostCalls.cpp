// HostCalls.cpp: asg-gpu-host-calls, the host code's buffers come from the device
// allocator of the runtime (see Passes.td).
#include "compiler/Target/SPIRV/GpuAbi.h"
#include "compiler/Transforms/Passes.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGGPUHOSTCALLS
#include "compiler/Transforms/Passes.h.inc"

namespace {

struct AsgGpuHostCallsPass : impl::AsgGpuHostCallsBase<AsgGpuHostCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto ptr = LLVM::LLVMPointerType::get(&getContext());
    WalkResult result = module.walk([&](LLVM::CallOp call) {
      std::optional<StringRef> callee = call.getCallee();
      if (!callee || (*callee != "malloc" && *callee != "free"))
        return WalkResult::advance();
      auto fn = call->getParentOfType<LLVM::LLVMFuncOp>();
      if (!fn->hasAttr(kRecorderArgAttr)) {
        call.emitError("buffer allocation outside a function with a recorder argument");
        return WalkResult::interrupt();
      }
      Value recorder = fn.getArguments().back();
      OpBuilder b(call);
      if (*callee == "malloc") {
        Value buffer = callRecorder(b, call.getLoc(), recorder, kRecorderAlloc,
                                    call.getArgOperands(), ptr);
        call.getResult().replaceAllUsesWith(buffer);
      } else {
        callRecorder(b, call.getLoc(), recorder, kRecorderRelease, call.getArgOperands());
      }
      call.erase();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    for (StringRef name : {"malloc", "free"})
      if (auto decl = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
        if (SymbolTable::symbolKnownUseEmpty(decl, module))
          decl.erase();
  }
};

} // namespace
} // namespace asg
