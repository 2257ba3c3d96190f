// HeaderEmitter.h: the C header declaring a compiled model's descriptor.
#ifndef ASG_COMPILER_TARGET_CPU_HEADEREMITTER_H
#define ASG_COMPILER_TARGET_CPU_HEADEREMITTER_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace asg {

/// The header text for an imported module (uses its `asg.*` attributes):
/// the descriptor `<name>_model` and, as documentation, the entry points
/// with their inputs, outputs and parameters.
std::string emitHeader(mlir::ModuleOp module);

} // namespace asg

#endif // ASG_COMPILER_TARGET_CPU_HEADEREMITTER_H
