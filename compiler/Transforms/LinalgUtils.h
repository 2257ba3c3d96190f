// LinalgUtils.h: rewrites of linalg ops shared by asgc's loop-order and fusion passes.
#ifndef ASG_COMPILER_TRANSFORMS_LINALGUTILS_H
#define ASG_COMPILER_TRANSFORMS_LINALGUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace asg {

/// `op` itself if it is a linalg.generic, else its generalization (named ops
/// have fixed indexing maps; a generic's can be rewritten).
mlir::FailureOr<mlir::linalg::GenericOp> asGeneric(mlir::RewriterBase &rewriter,
                                                  mlir::linalg::LinalgOp op);

/// Rewrites `op` as a linalg.generic (generalizing a named op first) whose
/// loop i is the op's loop order[i].
mlir::LogicalResult interchangeLoops(mlir::PatternRewriter &rewriter, mlir::linalg::LinalgOp op,
                                     llvm::ArrayRef<unsigned> order);

} // namespace asg

#endif // ASG_COMPILER_TRANSFORMS_LINALGUTILS_H
