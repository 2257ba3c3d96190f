// AsgDialect.h: the `asg` dialect class and the shape-function entry point its ops use.
#ifndef ASG_DIALECT_ASGDIALECT_H
#define ASG_DIALECT_ASGDIALECT_H

#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpImplementation.h"

#include "dialect/AsgDialect.h.inc"

#endif // ASG_DIALECT_ASGDIALECT_H
