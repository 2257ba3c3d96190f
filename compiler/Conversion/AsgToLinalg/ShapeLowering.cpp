// ShapeLowering.cpp: lowering of asg Shape ops to linalg (being written).
#include "compiler/Conversion/AsgToLinalg/LoweringUtils.h"

#include "dialect/AsgOps.h"

using namespace mlir;

namespace asg {
void populateShapeLoweringPatterns(const TypeConverter &, RewritePatternSet &, RuntimeChecks &) {}
} // namespace asg
