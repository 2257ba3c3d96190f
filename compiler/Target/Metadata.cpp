// Metadata.cpp: tensor records of the descriptor's metadata text (docs/abi.md).
#include "compiler/Target/Metadata.h"

#include "dialect/Shapes.h"

#include "llvm/ADT/Twine.h"

namespace asg {

std::string metadataTensorLine(llvm::StringRef record, llvm::StringRef name,
                               mlir::RankedTensorType type) {
  std::string line = (record + " " + name + " " + formatDtype(type.getElementType()) + " " +
                      llvm::Twine(type.getRank()))
                         .str();
  for (const Dim &d : getShape(type))
    line += " " + formatDim(d);
  return line;
}

} // namespace asg
