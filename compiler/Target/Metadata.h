// Metadata.h: how tensors are spelled in the descriptor's metadata text (docs/abi.md).
#ifndef ASG_COMPILER_TARGET_METADATA_H
#define ASG_COMPILER_TARGET_METADATA_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace asg {

/// `RECORD NAME DTYPE RANK DIM...`, e.g. `input x f32 2 batch 784`: dims are
/// sizes, dim names or `?`.
std::string metadataTensorLine(llvm::StringRef record, llvm::StringRef name,
                               mlir::RankedTensorType type);

} // namespace asg

#endif // ASG_COMPILER_TARGET_METADATA_H
