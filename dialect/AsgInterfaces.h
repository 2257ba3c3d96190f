// AsgInterfaces.h: the generated op interfaces of the asg dialect (DifferentiableOp).
#ifndef ASG_DIALECT_ASGINTERFACES_H
#define ASG_DIALECT_ASGINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

#include "dialect/AsgInterfaces.h.inc"

#endif // ASG_DIALECT_ASGINTERFACES_H
