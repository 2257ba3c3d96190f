// EntrySizes.cpp: buffer sizes recomputed at a function's entry (see EntrySizes.h).
#include "compiler/Transforms/EntrySizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace asg {

Value EntrySizes::unique(Operation *op) {
  for (Operation *earlier : created)
    if (earlier->getName() == op->getName() &&
        earlier->getAttrDictionary() == op->getAttrDictionary() &&
        llvm::equal(earlier->getOperands(), op->getOperands()) &&
        llvm::equal(earlier->getResultTypes(), op->getResultTypes())) {
      op->erase();
      return earlier->getResult(0);
    }
  created.push_back(op);
  return op->getResult(0);
}

Value EntrySizes::dim(Value buffer, int64_t index) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type || index < 0 || index >= type.getRank())
    return nullptr;
  Location loc = buffer.getLoc();
  if (!type.isDynamicDim(index))
    return unique(b.create<arith::ConstantIndexOp>(loc, type.getDimSize(index)));
  if (auto argument = dyn_cast<BlockArgument>(buffer)) {
    if (argument.getOwner() != entry)
      return nullptr;
    Value position = unique(b.create<arith::ConstantIndexOp>(loc, index));
    return unique(b.create<memref::DimOp>(loc, buffer, position));
  }
  Operation *op = buffer.getDefiningOp();
  if (auto alloc = dyn_cast<memref::AllocOp>(op))
    return compute(alloc.getDynamicSizes()[type.getDynamicDimIndex(index)]);
  if (auto cast = dyn_cast<memref::CastOp>(op))
    return dim(cast.getSource(), index);
  if (auto select = dyn_cast<arith::SelectOp>(op)) {
    Value condition = compute(select.getCondition());
    Value ifTrue = condition ? dim(select.getTrueValue(), index) : nullptr;
    Value ifFalse = ifTrue ? dim(select.getFalseValue(), index) : nullptr;
    if (!ifFalse)
      return nullptr;
    return unique(b.create<arith::SelectOp>(loc, condition, ifTrue, ifFalse));
  }
  if (auto collapse = dyn_cast<memref::CollapseShapeOp>(op)) {
    Value product;
    SmallVector<ReassociationIndices> groups = collapse.getReassociationIndices();
    for (int64_t source : groups[index]) {
      Value size = dim(collapse.getSrc(), source);
      if (!size)
        return nullptr;
      product = product ? unique(b.create<arith::MulIOp>(loc, product, size)) : size;
    }
    return product;
  }
  if (auto expand = dyn_cast<memref::ExpandShapeOp>(op)) // output_shape: the dynamic dims
    return compute(expand.getOutputShape()[type.getDynamicDimIndex(index)]);
  return nullptr;
}

Value EntrySizes::compute(Value value) {
  if (Value mapped = mapping.lookupOrNull(value))
    return mapped;
  if (auto argument = dyn_cast<BlockArgument>(value))
    return argument.getOwner() == entry ? value : nullptr;
  Operation *op = value.getDefiningOp();
  Value result;
  if (auto dimOp = dyn_cast<memref::DimOp>(op)) {
    if (std::optional<int64_t> index = getConstantIntValue(dimOp.getIndex()))
      result = dim(dimOp.getSource(), *index);
  } else if (op->getNumRegions() == 0 && op->getNumResults() == 1 && isMemoryEffectFree(op)) {
    IRMapping operands;
    bool ok = true;
    for (Value operand : op->getOperands()) {
      Value atEntry = compute(operand);
      if (!atEntry) {
        ok = false;
        break;
      }
      operands.map(operand, atEntry);
    }
    if (ok)
      result = unique(b.clone(*op, operands));
  }
  if (result)
    mapping.map(value, result);
  return result;
}

} // namespace asg
