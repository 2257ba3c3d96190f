// LoopBuilders.cpp: building blocks for passes that write loops over linalg ops on buffers.
#include "compiler/Transforms/LoopBuilders.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace asg {

Value product(OpBuilder &b, Location loc, ArrayRef<Value> values) {
  Value result = b.create<arith::ConstantIndexOp>(loc, 1);
  for (Value v : values)
    result = b.create<arith::MulIOp>(loc, result, v);
  return result;
}

SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear,
                               ArrayRef<Value> extents) {
  SmallVector<Value> indices(extents.size());
  Value rest = linear;
  for (int64_t k = static_cast<int64_t>(extents.size()) - 1; k >= 0; --k) {
    if (k == 0) {
      indices[k] = rest;
      break;
    }
    indices[k] = b.create<arith::RemSIOp>(loc, rest, extents[k]);
    rest = b.create<arith::DivSIOp>(loc, rest, extents[k]);
  }
  return indices;
}

SmallVector<Value> loopSizes(OpBuilder &b, Location loc, linalg::LinalgOp op) {
  SmallVector<Value> sizes;
  for (Range range : op.createLoopRanges(b, loc))
    sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
  return sizes;
}

namespace {
SmallVector<Value> indicesOf(OpBuilder &b, Location loc, AffineMap map, ValueRange ivs) {
  SmallVector<Value> indices;
  for (AffineExpr expr : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr))
      indices.push_back(ivs[dim.getPosition()]);
    else
      indices.push_back(b.create<affine::AffineApplyOp>(
          loc, AffineMap::get(map.getNumDims(), 0, expr), ivs));
  }
  return indices;
}
} // namespace

SmallVector<Value> operandIndices(OpBuilder &b, Location loc, linalg::LinalgOp op,
                                  OpOperand &operand, ValueRange ivs) {
  return indicesOf(b, loc, op.getMatchingIndexingMap(&operand), ivs);
}

Value loadOperand(OpBuilder &b, Location loc, linalg::LinalgOp op, OpOperand &operand,
                  ValueRange ivs) {
  Value memref = operand.get();
  if (!isa<MemRefType>(memref.getType()))
    return memref; // a scalar operand
  return b.create<memref::LoadOp>(
      loc, memref, indicesOf(b, loc, op.getMatchingIndexingMap(&operand), ivs));
}

void storeOperand(OpBuilder &b, Location loc, linalg::LinalgOp op, OpOperand &operand,
                  Value value, ValueRange ivs) {
  b.create<memref::StoreOp>(loc, value, operand.get(),
                            indicesOf(b, loc, op.getMatchingIndexingMap(&operand), ivs));
}

} // namespace asg
