// MatmulLowering.cpp: lowering of asg Matmul ops to linalg (being written).
#include "compiler/Conversion/AsgToLinalg/LoweringUtils.h"

#include "dialect/AsgOps.h"

using namespace mlir;

namespace asg {
void populateMatmulLoweringPatterns(const TypeConverter &, RewritePatternSet &, RuntimeChecks &) {}
} // namespace asg
