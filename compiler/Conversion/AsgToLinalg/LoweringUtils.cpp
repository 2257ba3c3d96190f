// LoweringUtils.cpp: dims, empty tensors, run-time dim guards and the broadcasting
// elementwise builder shared by the asg-to-linalg patterns.
#include "compiler/Conversion/AsgToLinalg/LoweringUtils.h"

#include "dialect/Shapes.h"

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
