// LoweringUtils.h: shared helpers of the asg-to-linalg patterns (dims, empty tensors,
// broadcasting linalg.generic builders, run-time checks).
#ifndef ASG_CONVERSION_ASGTOLINALG_LOWERINGUTILS_H
#define ASG_CONVERSION_ASGTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/DialectConversion.h"

#include <string>

namespace asg {

/// The run-time checks of the function being lowered. Each check is an `i1`
/// that is true when the check *failed*, and a message; the pass turns them
/// into the function's status result (the 1-based number of the first
/// failed check). Generated code must stay in bounds even when a check fails.
class RuntimeChecks {
public:
  struct Check {
    mlir::Value failed;
    std::string message;
  };
  /// Records a check; returns nothing since the status is assembled later.
  void add(mlir::Value failed, std::string message) {
    checks.push_back({failed, std::move(message)});
  }
  llvm::ArrayRef<Check> all() const { return checks; }
  void clear() { checks.clear(); }

private:
  llvm::SmallVector<Check> checks;
};

/// "'add' node 'hb'": how messages name the op being lowered (from its NameLoc).
std::string describeNode(mlir::Operation *op);

/// Index values of every dim of a ranked tensor.
llvm::SmallVector<mlir::Value> getDims(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor);
/// Index value of dim `i` (a constant when static).
mlir::Value getDim(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor, int64_t i);
/// tensor.empty of `type`, taking the sizes of its dynamic dims from `dims`
/// (one value per dim of `type`; static entries are ignored).
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                        llvm::ArrayRef<mlir::Value> dims);
/// A tensor filled with `value` (a scalar of the element type).
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                         llvm::ArrayRef<mlir::Value> dims, mlir::Value value);

/// Checks at run time that `tensor`'s dims equal `expected` (dims equal by
/// their static types are not checked). When they differ the check fails and
/// the returned tensor is a same-typed stand-in with the expected dims, so
/// code that uses it stays in bounds.
mlir::Value guardDims(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor,
                      llvm::ArrayRef<std::optional<mlir::Value>> expected, RuntimeChecks &checks,
                      const std::string &message);

/// Builds `linalg.generic` computing `body` elementwise over `operands`
/// broadcast to `resultType` with NumPy rules (static-1 dims broadcast;
/// dynamic dims are checked to agree). `body` gets one scalar per operand.
mlir::Value buildBroadcastElementwise(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType resultType,
    mlir::ValueRange operands, RuntimeChecks &checks, const std::string &node,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)> body);

/// An `i1` that is true when `predicate` holds for any element of `tensor`
/// (a linalg reduction; used for data-dependent run-time checks).
mlir::Value reduceAny(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor,
                      llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                                     mlir::Value)> predicate);

/// A static size as an attribute, a dynamic one as the given value.
mlir::OpFoldResult sizeOf(mlir::OpBuilder &b, int64_t staticSize, mlir::Value dynamic);

/// Python slice clamping of [start:end:step] along dim `axis` of `tensor`:
/// the offset and the element count, as attributes when the dim is static
/// and as index arithmetic when it is dynamic. `step` must be > 0.
std::pair<mlir::OpFoldResult, mlir::OpFoldResult>
clampSliceBounds(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor, int64_t axis,
                 int64_t start, std::optional<int64_t> end, int64_t step);

/// Offsets, sizes and strides of a slice with stride `step` from `offset`
/// along `axis`, whole elsewhere (offset 0, stride 1); `sizes` holds the
/// slice's size in every dim.
struct AxisSlice {
  llvm::SmallVector<mlir::OpFoldResult> offsets, sizes, strides;
};
AxisSlice axisSlice(mlir::OpBuilder &b, llvm::ArrayRef<mlir::OpFoldResult> sizes, int64_t axis,
                    mlir::OpFoldResult offset, int64_t step);

/// `tensor` as 1-D (rank 0 expands to 1 element, rank > 1 collapses).
mlir::Value flattenTo1D(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor);
/// The inverse: a 1-D tensor expanded to `type` whose dims are `outputShape`
/// (one per dim of `type`; static dims as attributes). `flat` is first cast
/// to the 1-D type of `type`'s element count (the caller guarantees the count
/// at run time). Several dynamic dims use tensor.reshape with a shape tensor.
mlir::Value expandFrom1D(mlir::OpBuilder &b, mlir::Location loc, mlir::Value flat,
                         mlir::RankedTensorType type, llvm::ArrayRef<mlir::OpFoldResult> outputShape);

/// Whether dim `i` of `a` and dim `j` of `b` (asg-typed values) are dynamic
/// dims with the same name: the runtime checks named dims, so lowerings need
/// no check between them.
bool sameNamedDims(mlir::Value a, int64_t i, mlir::Value b, int64_t j);

/// Float and integer constants of a given element type.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type, double value);

/// The type converter of asg-to-linalg: drops dim names from tensor types.
class AsgTypeConverter : public mlir::TypeConverter {
public:
  AsgTypeConverter();
};

/// Adds every asg op's lowering pattern. Patterns record run-time checks in `checks`.
void populateAsgToLinalgPatterns(const mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns, RuntimeChecks &checks);
void populateElementwiseLoweringPatterns(const mlir::TypeConverter &converter,
                                         mlir::RewritePatternSet &patterns, RuntimeChecks &checks);
void populateMatmulLoweringPatterns(const mlir::TypeConverter &converter,
                                    mlir::RewritePatternSet &patterns, RuntimeChecks &checks);
void populateReductionLoweringPatterns(const mlir::TypeConverter &converter,
                                       mlir::RewritePatternSet &patterns, RuntimeChecks &checks);
void populateShapeLoweringPatterns(const mlir::TypeConverter &converter,
                                   mlir::RewritePatternSet &patterns, RuntimeChecks &checks);
void populateGradientOpLoweringPatterns(const mlir::TypeConverter &converter,
                                        mlir::RewritePatternSet &patterns, RuntimeChecks &checks);
void populateNormLossLoweringPatterns(const mlir::TypeConverter &converter,
                                      mlir::RewritePatternSet &patterns, RuntimeChecks &checks);

/// Base of asg lowering patterns: an OpConversionPattern with access to the checks.
template <typename OpTy>
class AsgLoweringPattern : public mlir::OpConversionPattern<OpTy> {
public:
  AsgLoweringPattern(const mlir::TypeConverter &converter, mlir::MLIRContext *ctx,
                     RuntimeChecks &checks)
      : mlir::OpConversionPattern<OpTy>(converter, ctx), checks(checks) {}

protected:
  /// The converted (name-free) result type of `op`.
  mlir::RankedTensorType resultType(OpTy op) const {
    return llvm::cast<mlir::RankedTensorType>(
        this->getTypeConverter()->convertType(op->getResult(0).getType()));
  }
  RuntimeChecks &checks;
};

} // namespace asg

#endif // ASG_CONVERSION_ASGTOLINALG_LOWERINGUTILS_H
