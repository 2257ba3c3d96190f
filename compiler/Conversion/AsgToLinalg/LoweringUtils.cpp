// LoweringUtils.cpp: dims, empty tensors, run-time dim guards and the broadcasting
// elementwise builder shared by the asg-to-linalg patterns.
#include "compiler/Conversion/AsgToLinalg/LoweringUtils.h"

#include "dialect/Shapes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace asg {

std::string describeNode(Operation *op) {
  std::string node;
  op->getLoc()->walk([&](Location loc) {
    if (auto named = llvm::dyn_cast<NameLoc>(loc)) {
      node = named.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  std::string out = "'" + op->getName().stripDialect().str() + "'";
  if (!node.empty())
    out += " node '" + node + "'";
  return out;
}

Value getDim(OpBuilder &b, Location loc, Value tensor, int64_t i) {
  auto type = llvm::cast<RankedTensorType>(tensor.getType());
  if (!type.isDynamicDim(i))
    return b.create<arith::ConstantIndexOp>(loc, type.getDimSize(i));
  return b.create<tensor::DimOp>(loc, tensor, i);
}

SmallVector<Value> getDims(OpBuilder &b, Location loc, Value tensor) {
  SmallVector<Value> dims;
  int64_t rank = llvm::cast<RankedTensorType>(tensor.getType()).getRank();
  for (int64_t i = 0; i < rank; ++i)
    dims.push_back(getDim(b, loc, tensor, i));
  return dims;
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type, ArrayRef<Value> dims) {
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(dims[i]);
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType(), dynamic);
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type, ArrayRef<Value> dims,
                   Value value) {
  Value empty = emptyTensor(b, loc, type, dims);
  return b.create<linalg::FillOp>(loc, value, empty).getResult(0);
}

bool sameNamedDims(Value a, int64_t i, Value b, int64_t j) {
  auto ta = llvm::dyn_cast<RankedTensorType>(a.getType());
  auto tb = llvm::dyn_cast<RankedTensorType>(b.getType());
  if (!ta || !tb || i >= ta.getRank() || j >= tb.getRank())
    return false;
  Dim da = getShape(ta)[i], db = getShape(tb)[j];
  return da.isDynamic() && db.isDynamic() && da.name && da.name == db.name;
}

OpFoldResult sizeOf(OpBuilder &b, int64_t staticSize, Value dynamic) {
  if (ShapedType::isDynamic(staticSize))
    return dynamic;
  return b.getIndexAttr(staticSize);
}

AxisSlice axisSlice(OpBuilder &b, ArrayRef<OpFoldResult> sizes, int64_t axis,
                    OpFoldResult offset, int64_t step) {
  AxisSlice slice;
  slice.sizes.assign(sizes.begin(), sizes.end());
  slice.offsets.assign(sizes.size(), b.getIndexAttr(0));
  slice.strides.assign(sizes.size(), b.getIndexAttr(1));
  slice.offsets[axis] = offset;
  slice.strides[axis] = b.getIndexAttr(step);
  return slice;
}

std::pair<OpFoldResult, OpFoldResult> clampSliceBounds(OpBuilder &b, Location loc, Value tensor,
                                                       int64_t axis, int64_t start,
                                                       std::optional<int64_t> end, int64_t step) {
  auto type = llvm::cast<RankedTensorType>(tensor.getType());
  if (!type.isDynamicDim(axis)) {
    SliceBounds bounds = clampSlice(type.getDimSize(axis), start, end, step);
    return {b.getIndexAttr(bounds.start), b.getIndexAttr(bounds.size)};
  }
  Value d = b.create<tensor::DimOp>(loc, tensor, axis);
  Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
  // clampSlice at run time: a negative bound counts from the end; both are
  // clamped to [0, d] (d >= 0, so min(0, d) is 0).
  auto clamp = [&](int64_t v) -> Value {
    if (v == 0)
      return zero;
    Value c = b.create<arith::ConstantIndexOp>(loc, v);
    if (v > 0)
      return b.create<arith::MinSIOp>(loc, c, d);
    return b.create<arith::MaxSIOp>(loc, b.create<arith::AddIOp>(loc, c, d), zero);
  };
  Value s = clamp(start);
  Value e = end ? clamp(*end) : d;
  // count = ceil(max(e - s, 0) / step), with unsigned division on a
  // non-negative span (arith.ceildivsi needs arith-expand, which the CPU
  // pipeline does not run).
  Value span = b.create<arith::MaxSIOp>(loc, b.create<arith::SubIOp>(loc, e, s), zero);
  Value count = span;
  if (step != 1) {
    Value bumped =
        b.create<arith::AddIOp>(loc, span, b.create<arith::ConstantIndexOp>(loc, step - 1));
    count = b.create<arith::DivUIOp>(loc, bumped, b.create<arith::ConstantIndexOp>(loc, step));
  }
  return {s, count};
}

Value flattenTo1D(OpBuilder &b, Location loc, Value tensor) {
  auto type = llvm::cast<RankedTensorType>(tensor.getType());
  if (type.getRank() == 0)
    return b.create<tensor::ExpandShapeOp>(loc, RankedTensorType::get({1}, type.getElementType()),
                                           tensor, ArrayRef<ReassociationIndices>{},
                                           ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  if (type.getRank() == 1)
    return tensor;
  ReassociationIndices all;
  for (int64_t i = 0; i < type.getRank(); ++i)
    all.push_back(i);
  return b.create<tensor::CollapseShapeOp>(loc, tensor, ArrayRef<ReassociationIndices>{all});
}

Value expandFrom1D(OpBuilder &b, Location loc, Value flat, RankedTensorType type,
                   ArrayRef<OpFoldResult> outputShape) {
  auto flatType = RankedTensorType::get(
      {type.hasStaticShape() ? type.getNumElements() : ShapedType::kDynamic},
      type.getElementType());
  if (flat.getType() != flatType)
    flat = b.create<tensor::CastOp>(loc, flatType, flat);
  if (type.getRank() == 0)
    return b.create<tensor::CollapseShapeOp>(loc, type, flat, ArrayRef<ReassociationIndices>{});
  if (type.getRank() == 1)
    return flat;
  if (type.getNumDynamicDims() > 1) {
    // The bufferization of tensor.expand_shape drops output_shape and cannot
    // infer several dynamic dims of one group: tensor.reshape with a shape
    // tensor instead.
    SmallVector<Value> sizes;
    for (OpFoldResult size : outputShape)
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, size));
    Value shape = b.create<tensor::FromElementsOp>(loc, sizes);
    return b.create<tensor::ReshapeOp>(loc, type, flat, shape);
  }
  ReassociationIndices all;
  for (int64_t i = 0; i < type.getRank(); ++i)
    all.push_back(i);
  return b.create<tensor::ExpandShapeOp>(loc, type, flat, ArrayRef<ReassociationIndices>{all},
                                         outputShape);
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto f = llvm::dyn_cast<FloatType>(type))
    return b.create<arith::ConstantOp>(loc, b.getFloatAttr(f, value));
  return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

/// True when two index values are known equal without running anything.
static bool knownEqual(Value a, Value b) {
  if (a == b)
    return true;
  std::optional<int64_t> ca = getConstantIntValue(a), cb = getConstantIntValue(b);
  if (ca && cb)
    return *ca == *cb;
  auto da = a.getDefiningOp<tensor::DimOp>(), db = b.getDefiningOp<tensor::DimOp>();
  return da && db && da.getSource() == db.getSource() &&
         getConstantIntValue(da.getIndex()) == getConstantIntValue(db.getIndex()) &&
         getConstantIntValue(da.getIndex()).has_value();
}

Value guardDims(OpBuilder &b, Location loc, Value tensor, ArrayRef<std::optional<Value>> expected,
                RuntimeChecks &checks, const std::string &message) {
  auto type = llvm::cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> actual = getDims(b, loc, tensor), standInDims = actual;
  Value failed;
  for (auto [i, want] : llvm::enumerate(expected)) {
    if (!want || knownEqual(actual[i], *want))
      continue;
    standInDims[i] = *want;
    Value differs = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, actual[i], *want);
    failed = failed ? b.create<arith::OrIOp>(loc, failed, differs).getResult() : differs;
  }
  if (!failed)
    return tensor;
  checks.add(failed, message);
  Value standIn = emptyTensor(b, loc, type, standInDims);
  return b.create<arith::SelectOp>(loc, failed, standIn, tensor);
}

Value buildBroadcastElementwise(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange operands,
    RuntimeChecks &checks, const std::string &node,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  int64_t rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();

  // Which operand dims broadcast (a static 1 against a result dim that is not 1).
  auto isBroadcast = [&](RankedTensorType t, int64_t j, int64_t i) {
    return t.getDimSize(j) == 1 && resultType.getDimSize(i) != 1;
  };

  // Result dims: static, or the first non-broadcast operand dim.
  SmallVector<Value> resultDims(rank);
  for (int64_t i = 0; i < rank; ++i) {
    if (!resultType.isDynamicDim(i)) {
      resultDims[i] = b.create<arith::ConstantIndexOp>(loc, resultType.getDimSize(i));
      continue;
    }
    for (Value operand : operands) {
      auto t = llvm::cast<RankedTensorType>(operand.getType());
      int64_t j = i - (rank - t.getRank());
      if (j >= 0 && !isBroadcast(t, j, i)) {
        resultDims[i] = getDim(b, loc, operand, j);
        break;
      }
    }
  }

  SmallVector<Value> guarded;
  SmallVector<AffineMap> maps;
  for (auto [k, operand] : llvm::enumerate(operands)) {
    auto t = llvm::cast<RankedTensorType>(operand.getType());
    int64_t offset = rank - t.getRank();
    SmallVector<AffineExpr> exprs;
    SmallVector<std::optional<Value>> expected;
    for (int64_t j = 0; j < t.getRank(); ++j) {
      if (isBroadcast(t, j, j + offset)) {
        exprs.push_back(getAffineConstantExpr(0, ctx));
        expected.push_back(std::nullopt);
      } else {
        exprs.push_back(getAffineDimExpr(j + offset, ctx));
        expected.push_back(resultDims[j + offset]);
      }
    }
    guarded.push_back(guardDims(b, loc, operand, expected, checks,
                                node + ": the dims of input " + std::to_string(k + 1) +
                                    " do not match the other inputs at run time"));
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));

  Value init = emptyTensor(b, loc, resultType, resultDims);
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{resultType}, guarded, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value v = body(nb, nl, args.drop_back());
        nb.create<linalg::YieldOp>(nl, v);
      });
  return generic.getResult(0);
}

Value reduceAny(OpBuilder &b, Location loc, Value tensor,
                function_ref<Value(OpBuilder &, Location, Value)> predicate) {
  auto type = llvm::cast<RankedTensorType>(tensor.getType());
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  auto resultType = RankedTensorType::get({}, b.getI1Type());
  Value init = filledTensor(b, loc, resultType, {}, b.create<arith::ConstantIntOp>(loc, 0, 1));
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, {}, ctx)};
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::reduction);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{resultType}, ValueRange{tensor}, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value hit = predicate(nb, nl, args[0]);
        nb.create<linalg::YieldOp>(nl, nb.create<arith::OrIOp>(nl, hit, args[1]).getResult());
      });
  return b.create<tensor::ExtractOp>(loc, generic.getResult(0), ValueRange{});
}

AsgTypeConverter::AsgTypeConverter() {
  addConversion([](Type type) { return type; });
  addConversion([](RankedTensorType type) -> Type { return stripDimNames(type); });
}

void populateAsgToLinalgPatterns(const TypeConverter &converter, RewritePatternSet &patterns,
                                 RuntimeChecks &checks) {
  populateElementwiseLoweringPatterns(converter, patterns, checks);
  populateMatmulLoweringPatterns(converter, patterns, checks);
  populateReductionLoweringPatterns(converter, patterns, checks);
  populateShapeLoweringPatterns(converter, patterns, checks);
  populateNormLossLoweringPatterns(converter, patterns, checks);
  populateGradientOpLoweringPatterns(converter, patterns, checks);
}

} // namespace asg
