// GradientUtils.cpp: GradBuilder, the asg-op builder used by the VJPs.
#include "dialect/GradientUtils.h"

#include "dialect/Shapes.h"

#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

namespace asg {

Value GradBuilder::build(StringRef opName, ValueRange operands, ArrayRef<NamedAttribute> attrs) {
  MLIRContext *ctx = b.getContext();
  DictionaryAttr dict = DictionaryAttr::get(ctx, attrs);
  SmallVector<Type> types;
  std::string message;
  {
    ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &diag) {
      message = diag.str();
      return success();
    });
    if (failed(inferResultTypes(opName, ctx, loc, operands, dict, types)))
      llvm::report_fatal_error(llvm::Twine("gradient builds an ill-typed '") + opName +
                               "': " + message);
  }
  OperationState state(loc, opName);
  state.addOperands(operands);
  state.addAttributes(attrs);
  state.addTypes(types);
  return b.create(state)->getResult(0);
}

Value GradBuilder::scalar(double value, Type elementType) {
  if (!elementType)
    elementType = b.getF32Type();
  auto type = RankedTensorType::get({}, elementType);
  Attribute element = llvm::isa<FloatType>(elementType)
                          ? Attribute(b.getFloatAttr(elementType, value))
                          : Attribute(b.getIntegerAttr(elementType, static_cast<int64_t>(value)));
  return create<ConstantOp>({}, {b.getNamedAttr("value", DenseElementsAttr::get(type, element))});
}

Value GradBuilder::sum(Value x, ArrayRef<int64_t> axes, bool keepdims) {
  if (axes.empty())
    return x;
  return create<SumOp>({x}, {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes)),
                             b.getNamedAttr("keepdims", b.getBoolAttr(keepdims))});
}

Value GradBuilder::transpose(Value x, ArrayRef<int64_t> perm) {
  return create<TransposeOp>({x}, {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(perm))});
}

Value GradBuilder::swapLast2(Value x) {
  int64_t rank = llvm::cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank; ++i)
    perm.push_back(i);
  std::swap(perm[rank - 1], perm[rank - 2]);
  return transpose(x, perm);
}

Value GradBuilder::reshape(Value x, ArrayRef<int64_t> shape) {
  return create<ReshapeOp>({x}, {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))});
}

Value GradBuilder::reshapeLike(Value x, Value like) {
  if (x.getType() == like.getType() ||
      (getShape(llvm::cast<RankedTensorType>(x.getType())) ==
       getShape(llvm::cast<RankedTensorType>(like.getType()))))
    return x;
  return create<ReshapeLikeOp>({x, like});
}

Value GradBuilder::broadcastInDim(Value x, Value like, ArrayRef<int64_t> dims) {
  return create<BroadcastInDimOp>({x, like}, {b.getNamedAttr("dims", b.getDenseI64ArrayAttr(dims))});
}

Value GradBuilder::oneHot(Value ids, int64_t depth) {
  return create<OneHotOp>({ids}, {b.getNamedAttr("depth", b.getI64IntegerAttr(depth))});
}

Value GradBuilder::cast(Value x, Type elementType) {
  return create<CastOp>({x}, {b.getNamedAttr("dtype", TypeAttr::get(elementType))});
}

Value GradBuilder::unbroadcast(Value grad, Type target) {
  auto g = llvm::cast<RankedTensorType>(grad.getType());
  auto t = llvm::cast<RankedTensorType>(target);
  int64_t lead = g.getRank() - t.getRank();
  SmallVector<int64_t> leading, ones;
  for (int64_t i = 0; i < lead; ++i)
    leading.push_back(i);
  for (int64_t i = 0; i < t.getRank(); ++i)
    if (t.getDimSize(i) == 1 && g.getDimSize(i + lead) != 1)
      ones.push_back(i);
  Value out = sum(grad, leading, /*keepdims=*/false);
  return sum(out, ones, /*keepdims=*/true);
}

Value GradBuilder::expandReduced(Value grad, Value like, ArrayRef<int64_t> axes, bool keepdims) {
  int64_t rank = llvm::cast<RankedTensorType>(like.getType()).getRank();
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < rank; ++i)
    if (keepdims || !llvm::is_contained(axes, i))
      dims.push_back(i);
  return broadcastInDim(grad, like, dims);
}

Value GradBuilder::countOver(Value x, ArrayRef<int64_t> axes) {
  auto type = llvm::cast<RankedTensorType>(x.getType());
  bool isStatic = llvm::all_of(axes, [&](int64_t a) { return !type.isDynamicDim(a); });
  if (isStatic) {
    double count = 1;
    for (int64_t a : axes)
      count *= static_cast<double>(type.getDimSize(a));
    return scalar(count);
  }
  // Ones shaped like x, summed: the run-time count.
  Value ones = broadcastInDim(scalar(1.0), x, {});
  return sum(ones, axes, /*keepdims=*/true);
}

SmallVector<int64_t> reductionAxesOf(Operation *op) {
  auto type = llvm::cast<RankedTensorType>(op->getOperand(0).getType());
  std::optional<SmallVector<int64_t>> axes = reductionAxes(op->getAttrDictionary(), type.getRank());
  return axes ? *axes : SmallVector<int64_t>();
}

} // namespace asg
