// LinalgUtils.cpp: rewrites of linalg ops shared by asgc's loop-order and fusion passes.
#include "compiler/Transforms/LinalgUtils.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"

using namespace mlir;

namespace asg {

FailureOr<linalg::GenericOp> asGeneric(RewriterBase &rewriter, linalg::LinalgOp op) {
  if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation()))
    return generic;
  return linalg::generalizeNamedOp(rewriter, op);
}

LogicalResult interchangeLoops(PatternRewriter &rewriter, linalg::LinalgOp op,
                               ArrayRef<unsigned> order) {
  FailureOr<linalg::GenericOp> generic = asGeneric(rewriter, op);
  if (failed(generic))
    return rewriter.notifyMatchFailure(op, "cannot generalize");
  if (failed(linalg::interchangeGenericOp(rewriter, *generic, order)))
    return rewriter.notifyMatchFailure(op, "interchange failed");
  return success();
}

} // namespace asg
