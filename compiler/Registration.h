// Registration.h: registers the dialects and passes asgc uses (for asg-opt and the driver).
#ifndef ASG_COMPILER_REGISTRATION_H
#define ASG_COMPILER_REGISTRATION_H

#include "mlir/IR/DialectRegistry.h"

namespace asg {
/// The asg dialect, every dialect the pipelines produce, and their
/// bufferization and LLVM-translation interfaces.
void registerAllDialects(mlir::DialectRegistry &registry);
/// asgc's own passes and pipelines plus upstream MLIR's passes.
void registerAllPasses();
} // namespace asg

#endif // ASG_COMPILER_REGISTRATION_H
