// LinalgUtils.cpp: rewrites of linalg ops shared by asgc's loop-order passes.
#include "compiler/Transforms/LinalgUtils.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"

using namespace mlir;

namespace asg {

LogicalResult interchangeLoops(PatternRewriter &rewriter, linalg::LinalgOp op,
                               ArrayRef<unsigned> order) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic) {
    FailureOr<linalg::GenericOp> generalized = linalg::generalizeNamedOp(rewriter, op);
    if (failed(generalized))
      return rewriter.notifyMatchFailure(op, "cannot generalize");
    generic = *generalized;
  }
  if (failed(linalg::interchangeGenericOp(rewriter, generic, order)))
    return rewriter.notifyMatchFailure(op, "interchange failed");
  return success();
}

} // namespace asg
