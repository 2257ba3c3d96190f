// AsgOps.h: the generated op classes of the `asg` dialect.
#ifndef ASG_DIALECT_ASGOPS_H
#define ASG_DIALECT_ASGOPS_H

#include "dialect/AsgDialect.h"
#include "dialect/AsgInterfaces.h"
#include "dialect/Shapes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialect/AsgOps.h.inc"

#endif // ASG_DIALECT_ASGOPS_H
