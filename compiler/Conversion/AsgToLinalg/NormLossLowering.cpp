// NormLossLowering.cpp: lowering of asg NormLoss ops to linalg (being written).
#include "compiler/Conversion/AsgToLinalg/LoweringUtils.h"

#include "dialect/AsgOps.h"

using namespace mlir;

namespace asg {
void populateNormLossLoweringPatterns(const TypeConverter &, RewritePatternSet &, RuntimeChecks &) {}
} // namespace asg
