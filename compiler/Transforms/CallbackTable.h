// CallbackTable.h: calls through the runtime's structs of function pointers
// (asg_cpu_context, asg_gpu_recorder), in the LLVM dialect.
#ifndef ASG_COMPILER_TRANSFORMS_CALLBACKTABLE_H
#define ASG_COMPILER_TRANSFORMS_CALLBACKTABLE_H

#include "mlir/IR/Builders.h"

#include <cstdint>

namespace asg {

/// A struct of `numFields` pointers at `table` (an `!llvm.ptr`) whose field
/// `selfField` is the first argument of each of its functions.
struct CallbackTable {
  mlir::Value table;
  int32_t numFields, selfField;

  /// Loads field `field` (a pointer).
  mlir::Value field(mlir::OpBuilder &b, mlir::Location loc, int32_t field) const;
  /// Calls field `field` with (self, operands...); returns its result when
  /// `resultType` is given.
  mlir::Value call(mlir::OpBuilder &b, mlir::Location loc, int32_t field,
                   mlir::ValueRange operands, mlir::Type resultType = nullptr) const;
};

} // namespace asg

#endif // ASG_COMPILER_TRANSFORMS_CALLBACKTABLE_H
