// Shapes.h: dims with optional names, asg tensor types, and the op shape functions.
#ifndef ASG_DIALECT_SHAPES_H
#define ASG_DIALECT_SHAPES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/ValueRange.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace asg {

/// One dim of an asg tensor: static (size >= 0), or dynamic with an optional
/// name (`name` is null for anonymous dynamic dims and for static dims).
struct Dim {
  int64_t size = mlir::ShapedType::kDynamic;
  mlir::StringAttr name;

  static Dim fixed(int64_t size) { return Dim{size, {}}; }
  static Dim dynamic(mlir::StringAttr name = {}) { return Dim{mlir::ShapedType::kDynamic, name}; }
  bool isDynamic() const { return mlir::ShapedType::isDynamic(size); }
  bool isStatic() const { return !isDynamic(); }
  bool operator==(const Dim &other) const { return size == other.size && name == other.name; }
  bool operator!=(const Dim &other) const { return !(*this == other); }
};
using Shape = llvm::SmallVector<Dim, 4>;

/// The dims of a ranked tensor type; names come from its encoding.
Shape getShape(mlir::RankedTensorType type);
/// Builds the asg tensor type with these dims; the encoding holds the names
/// (only when at least one dim is named).
mlir::RankedTensorType makeTensorType(mlir::MLIRContext *ctx, llvm::ArrayRef<Dim> dims,
                                      mlir::Type elementType);
/// The same type without dim names (what lowering to linalg uses).
mlir::RankedTensorType stripDimNames(mlir::RankedTensorType type);
/// Is `encoding` a valid asg dim-name encoding for a tensor of this rank?
bool isDimNameEncoding(mlir::Attribute encoding, int64_t rank);

/// `[batch,128]`: sizes, names, `?` for anonymous dims.
std::string formatShape(llvm::ArrayRef<Dim> dims);
std::string formatDim(const Dim &dim);
/// `f32`, `i32`, `i64`, or the MLIR spelling of anything else.
std::string formatDtype(mlir::Type elementType);
/// Parses `f32`/`i32`/`i64`; null for anything else.
mlir::Type parseDtype(mlir::MLIRContext *ctx, llvm::StringRef name);

/// Static facts about how two dims relate.
enum class DimMatch { Equal, NeedsRuntimeCheck, Mismatch };
/// Can `a` and `b` be the same dim (no broadcasting)?
DimMatch matchDims(const Dim &a, const Dim &b);

/// NumPy broadcasting of two shapes with asg's dynamic-dim rules; nullopt if
/// they cannot broadcast.
std::optional<Shape> broadcastShapes(llvm::ArrayRef<Dim> a, llvm::ArrayRef<Dim> b);

/// Normalizes a possibly negative axis; nullopt if out of range for `rank`.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Python slice semantics on a static dim: the clamped [start, end) and the
/// result size.
struct SliceBounds {
  int64_t start, end, size;
};
SliceBounds clampSlice(int64_t dimSize, int64_t start, std::optional<int64_t> end, int64_t step);

/// The result dims of a reduction over `axes` (already normalized, sorted).
Shape reducedShape(llvm::ArrayRef<Dim> dims, llvm::ArrayRef<int64_t> axes, bool keepDims);
/// Normalized, sorted reduction axes from an optional `axes` attribute
/// (absent = all); nullopt on an out-of-range or duplicate axis.
std::optional<llvm::SmallVector<int64_t>> reductionAxes(mlir::DictionaryAttr attrs, int64_t rank);

/// The shape function of every asg op, by op name (`asg.add`, ...): checks
/// operand dtypes, ranks, shapes and attribute values, and computes the result
/// type. Errors are emitted at `location` when it is given.
mlir::LogicalResult inferResultTypes(llvm::StringRef opName, mlir::MLIRContext *ctx,
                                     std::optional<mlir::Location> location,
                                     mlir::ValueRange operands, mlir::DictionaryAttr attrs,
                                     llvm::SmallVectorImpl<mlir::Type> &results);
/// The same on operand types (what the importer has before any op exists).
mlir::LogicalResult inferResultTypes(llvm::StringRef opName, mlir::MLIRContext *ctx,
                                     std::optional<mlir::Location> location,
                                     mlir::TypeRange operandTypes, mlir::DictionaryAttr attrs,
                                     llvm::SmallVectorImpl<mlir::Type> &results);

} // namespace asg

#endif // ASG_DIALECT_SHAPES_H
