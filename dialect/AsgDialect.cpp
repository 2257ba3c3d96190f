// AsgDialect.cpp: registration of the `asg` dialect and its constant materializer.
#include "dialect/AsgDialect.h"
#include "dialect/AsgOps.h"

using namespace mlir;
using namespace asg;

#include "dialect/AsgDialect.cpp.inc"
#include "dialect/AsgInterfaces.cpp.inc"

void AsgDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialect/AsgOps.cpp.inc"
      >();
}

Operation *AsgDialect::materializeConstant(OpBuilder &builder, Attribute value, Type type,
                                           Location loc) {
  auto elements = llvm::dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, type, elements);
}
