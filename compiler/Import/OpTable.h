// OpTable.h: what the importer needs to know of each JSON op: arity and attributes.
#ifndef ASG_COMPILER_IMPORT_OPTABLE_H
#define ASG_COMPILER_IMPORT_OPTABLE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <vector>

namespace asg {

/// How a JSON attribute value becomes an MLIR attribute.
enum class AttrKind {
  Int,     // JSON integer -> i64 IntegerAttr
  Float,   // JSON number -> f64 FloatAttr
  Bool,    // JSON boolean -> BoolAttr
  String,  // JSON string -> StringAttr
  IntList, // JSON array of integers -> DenseI64ArrayAttr
  Dtype,   // "f32" | "i32" | "i64" -> TypeAttr
  Literal, // number or nested list (constant's value; combined with shape and dtype)
};

struct AttrSpec {
  llvm::StringRef name;
  AttrKind kind;
};

/// One v1 op of SPEC section 1; its MLIR op is `asg.<name>`.
struct OpSpec {
  llvm::StringRef name;
  unsigned minInputs, maxInputs; // maxInputs == ~0u: variadic
  std::vector<AttrSpec> attrs;
  const AttrSpec *findAttr(llvm::StringRef attr) const;
};

/// The spec of op `name`, or null for an unknown op.
const OpSpec *lookupOpSpec(llvm::StringRef name);

} // namespace asg

#endif // ASG_COMPILER_IMPORT_OPTABLE_H
