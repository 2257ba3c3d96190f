// LoopBuilders.h: building blocks for passes that write loops over linalg ops on buffers
// by hand (index arithmetic, operand loads and stores through indexing maps).
#ifndef ASG_COMPILER_TRANSFORMS_LOOPBUILDERS_H
#define ASG_COMPILER_TRANSFORMS_LOOPBUILDERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace asg {

/// The product of index values (1 for none).
mlir::Value product(mlir::OpBuilder &b, mlir::Location loc, llvm::ArrayRef<mlir::Value> values);

/// Indices of `linear` in a row-major space of `extents` (the last fastest).
llvm::SmallVector<mlir::Value> delinearize(mlir::OpBuilder &b, mlir::Location loc,
                                           mlir::Value linear,
                                           llvm::ArrayRef<mlir::Value> extents);

/// The loop sizes of a linalg op as index values.
llvm::SmallVector<mlir::Value> loopSizes(mlir::OpBuilder &b, mlir::Location loc,
                                         mlir::linalg::LinalgOp op);

/// The indices of operand `operand` of a linalg op at the loop indices `ivs`
/// (through its indexing map).
llvm::SmallVector<mlir::Value> operandIndices(mlir::OpBuilder &b, mlir::Location loc,
                                              mlir::linalg::LinalgOp op, mlir::OpOperand &operand,
                                              mlir::ValueRange ivs);

/// Loads operand `operand` of a linalg op on buffers at the loop indices `ivs`
/// (through its indexing map).
mlir::Value loadOperand(mlir::OpBuilder &b, mlir::Location loc, mlir::linalg::LinalgOp op,
                        mlir::OpOperand &operand, mlir::ValueRange ivs);

/// Stores `value` into init operand `operand` at the loop indices `ivs`.
void storeOperand(mlir::OpBuilder &b, mlir::Location loc, mlir::linalg::LinalgOp op,
                  mlir::OpOperand &operand, mlir::Value value, mlir::ValueRange ivs);

} // namespace asg

#endif // ASG_COMPILER_TRANSFORMS_LOOPBUILDERS_H
