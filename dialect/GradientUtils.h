// GradientUtils.h: a small builder of asg ops for writing VJPs (dialect/Gradients.cpp).
#ifndef ASG_DIALECT_GRADIENTUTILS_H
#define ASG_DIALECT_GRADIENTUTILS_H

#include "dialect/AsgOps.h"

#include "mlir/IR/Builders.h"

namespace asg {

/// Builds asg ops at one location with their result types inferred by the
/// shape functions. Gradient graphs are well-typed by construction, so a
/// failed inference is a compiler bug (reported as an internal error).
class GradBuilder {
public:
  GradBuilder(mlir::OpBuilder &b, mlir::Location loc) : b(b), loc(loc) {}

  /// Any asg op from operands and attributes.
  template <typename OpTy>
  mlir::Value create(mlir::ValueRange operands,
                     llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    return build(OpTy::getOperationName(), operands, attrs);
  }
  mlir::Value build(llvm::StringRef opName, mlir::ValueRange operands,
                    llvm::ArrayRef<mlir::NamedAttribute> attrs);

  mlir::Value add(mlir::Value a, mlir::Value c) { return create<AddOp>({a, c}); }
  mlir::Value sub(mlir::Value a, mlir::Value c) { return create<SubOp>({a, c}); }
  mlir::Value mul(mlir::Value a, mlir::Value c) { return create<MulOp>({a, c}); }
  mlir::Value div(mlir::Value a, mlir::Value c) { return create<DivOp>({a, c}); }
  mlir::Value neg(mlir::Value a) { return create<NegOp>({a}); }
  mlir::Value exp(mlir::Value a) { return create<ExpOp>({a}); }
  mlir::Value log(mlir::Value a) { return create<LogOp>({a}); }
  mlir::Value sqrt(mlir::Value a) { return create<SqrtOp>({a}); }
  mlir::Value tanh(mlir::Value a) { return create<TanhOp>({a}); }
  mlir::Value sigmoid(mlir::Value a) { return create<SigmoidOp>({a}); }
  mlir::Value greater(mlir::Value a, mlir::Value c) { return create<GreaterOp>({a, c}); }
  mlir::Value less(mlir::Value a, mlir::Value c) { return create<LessOp>({a, c}); }
  mlir::Value equal(mlir::Value a, mlir::Value c) { return create<EqualOp>({a, c}); }
  mlir::Value where(mlir::Value cond, mlir::Value a, mlir::Value c) {
    return create<WhereOp>({cond, a, c});
  }
  mlir::Value matmul(mlir::Value a, mlir::Value c) { return create<MatmulOp>({a, c}); }

  /// A rank-0 constant of `elementType` (f32 by default).
  mlir::Value scalar(double value, mlir::Type elementType = {});
  /// Sum over `axes` (normalized), with or without keepdims.
  mlir::Value sum(mlir::Value x, llvm::ArrayRef<int64_t> axes, bool keepdims);
  /// Transposes with `perm`; swapLast2 swaps the two innermost dims.
  mlir::Value transpose(mlir::Value x, llvm::ArrayRef<int64_t> perm);
  mlir::Value swapLast2(mlir::Value x);
  mlir::Value reshape(mlir::Value x, llvm::ArrayRef<int64_t> shape);
  mlir::Value reshapeLike(mlir::Value x, mlir::Value like);
  mlir::Value broadcastInDim(mlir::Value x, mlir::Value like, llvm::ArrayRef<int64_t> dims);
  mlir::Value oneHot(mlir::Value ids, int64_t depth);
  mlir::Value cast(mlir::Value x, mlir::Type elementType);

  /// Sums a broadcast gradient back to `target`'s shape: over leading dims
  /// `target` lacks and over dims where `target` has a static 1.
  mlir::Value unbroadcast(mlir::Value grad, mlir::Type target);
  /// Expands a reduced gradient (reduced over `axes`, with or without
  /// keepdims) back to the shape of `like`.
  mlir::Value expandReduced(mlir::Value grad, mlir::Value like, llvm::ArrayRef<int64_t> axes,
                            bool keepdims);
  /// The number of elements of `x` over `axes`, as an f32 tensor with the
  /// reduced keepdims shape (a constant when those dims are static).
  mlir::Value countOver(mlir::Value x, llvm::ArrayRef<int64_t> axes);

  mlir::OpBuilder &builder() { return b; }
  mlir::Location location() const { return loc; }

private:
  mlir::OpBuilder &b;
  mlir::Location loc;
};

/// Normalized reduction axes of a reduction op (all when absent).
llvm::SmallVector<int64_t> reductionAxesOf(mlir::Operation *op);

} // namespace asg

#endif // ASG_DIALECT_GRADIENTUTILS_H
