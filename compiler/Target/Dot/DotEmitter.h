// DotEmitter.h: a Graphviz picture of a model's graph (forward, backward and optimizer).
#ifndef ASG_COMPILER_TARGET_DOT_DOTEMITTER_H
#define ASG_COMPILER_TARGET_DOT_DOTEMITTER_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace asg {

/// The Graphviz text of the module's `train_step` (when it has one) or
/// `forward`, on the asg dialect: inputs, parameters and optimizer state as
/// ellipses, ops as boxes coloured by phase (forward blue, backward orange,
/// optimizer green), edges labelled with dtype and shape, results marked.
std::string emitDot(mlir::ModuleOp module);

} // namespace asg

#endif // ASG_COMPILER_TARGET_DOT_DOTEMITTER_H
