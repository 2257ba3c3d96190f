// Registration.cpp: dialect, interface and pass registration shared by asg-opt and asgc.
#include "compiler/Registration.h"

#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Transforms/Passes.h"
#include "dialect/AsgDialect.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

namespace asg {

void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<AsgDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
}

void registerAllPasses() {
  mlir::registerAllPasses();
  registerAsgPasses();
  registerAsgPipelines();
}

} // namespace asg
