// MatmulLowering.cpp: asg.matmul -> linalg.matmul (rank-2 rhs, lhs batch dims folded
// into M), linalg.batch_matmul (one batch dim on both sides), or a contraction
// linalg.generic (several or broadcast batch dims).
#include "compiler/Conversion/AsgToLinalg/LoweringUtils.h"

#include "dialect/AsgOps.h"
#include "dialect/Shapes.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace asg {

namespace {

/// [d0, ..., dn-1] grouped as [[0..n-2], [n-1]]: leading dims folded into one.
SmallVector<ReassociationIndices> foldLeading(int64_t rank, int64_t keep) {
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t i = 0; i <= rank - keep - 1; ++i)
    groups[0].push_back(i);
  for (int64_t i = rank - keep; i < rank; ++i)
    groups.push_back({i});
  return groups;
}

/// Expands a product computed with folded leading dims back to `type`
/// (`dims` holds every dim of the result).
Value expandToResult(OpBuilder &b, Location loc, RankedTensorType type, Value product,
                     ArrayRef<ReassociationIndices> groups, ArrayRef<Value> dims) {
  SmallVector<OpFoldResult> shape;
  for (int64_t i = 0; i < type.getRank(); ++i)
    shape.push_back(type.isDynamicDim(i) ? OpFoldResult(dims[i])
                                         : b.getIndexAttr(type.getDimSize(i)));
  return b.create<tensor::ExpandShapeOp>(loc, type, product, groups, shape);
}

struct MatmulLowering : AsgLoweringPattern<MatmulOp> {
  using AsgLoweringPattern::AsgLoweringPattern;

  LogicalResult matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lt = llvm::cast<RankedTensorType>(lhs.getType());
    auto rt = llvm::cast<RankedTensorType>(rhs.getType());
    RankedTensorType type = resultType(op);
    int64_t ra = lt.getRank(), rb = rt.getRank(), rank = type.getRank();
    if (ra < 2 || rb < 2 || rank != std::max(ra, rb))
      return rewriter.notifyMatchFailure(op, "operands must have rank >= 2");
    if (!lt.getElementType().isF32() || !rt.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "matmul takes f32 only");
    int64_t batch = rank - 2;
    std::string node = describeNode(op);

    // Is operand dim j (of rank r) a broadcast against result dim i?
    auto isBroadcast = [&](RankedTensorType t, int64_t j) {
      int64_t i = j + rank - t.getRank();
      return t.getDimSize(j) == 1 && type.getDimSize(i) != 1;
    };

    // Result dims: batch (static, else the first operand that does not
    // broadcast there), M from lhs, N from rhs.
    SmallVector<Value> dims(rank);
    for (int64_t i = 0; i < batch; ++i) {
      if (!type.isDynamicDim(i)) {
        dims[i] = b.create<arith::ConstantIndexOp>(loc, type.getDimSize(i));
        continue;
      }
      for (auto [v, t] : {std::pair(lhs, lt), std::pair(rhs, rt)}) {
        int64_t j = i - (rank - t.getRank());
        if (j >= 0 && !isBroadcast(t, j)) {
          dims[i] = getDim(b, loc, v, j);
          break;
        }
      }
    }
    dims[rank - 2] = getDim(b, loc, lhs, ra - 2);
    dims[rank - 1] = getDim(b, loc, rhs, rb - 1);
    Value k = getDim(b, loc, lhs, ra - 1);

    // Guards: the rhs K equals the lhs K; non-broadcast batch dims equal the result's.
    // Dims of the same name agree already (the runtime checks names).
    auto expectedBatch = [&](RankedTensorType t, Value asgOperand) {
      SmallVector<std::optional<Value>> expected(t.getRank());
      for (int64_t j = 0; j < t.getRank() - 2; ++j) {
        int64_t i = j + rank - t.getRank();
        if (!isBroadcast(t, j) && !sameNamedDims(asgOperand, j, op.getResult(), i))
          expected[j] = dims[i];
      }
      return expected;
    };
    SmallVector<std::optional<Value>> lhsExpected = expectedBatch(lt, op.getLhs());
    SmallVector<std::optional<Value>> rhsExpected = expectedBatch(rt, op.getRhs());
    if (!sameNamedDims(op.getLhs(), ra - 1, op.getRhs(), rb - 2))
      rhsExpected[rb - 2] = k;
    lhs = guardDims(b, loc, lhs, lhsExpected, checks,
                    node + ": the batch dims of input 1 do not match at run time");
    rhs = guardDims(b, loc, rhs, rhsExpected, checks,
                    node + ": the contracting or batch dims of input 2 do not match input 1 "
                           "at run time");

    Value zero = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(0.0f));

    // rhs is a matrix: fold the lhs batch dims into M and use linalg.matmul.
    if (rb == 2) {
      Value a = lhs;
      SmallVector<ReassociationIndices> groups = foldLeading(ra, 1);
      if (ra > 2)
        a = b.create<tensor::CollapseShapeOp>(loc, lhs, groups);
      auto at = llvm::cast<RankedTensorType>(a.getType());
      auto mmType = RankedTensorType::get({at.getDimSize(0), type.getDimSize(rank - 1)},
                                          type.getElementType());
      Value init = filledTensor(b, loc, mmType, {getDim(b, loc, a, 0), dims[rank - 1]}, zero);
      Value mm = b.create<linalg::MatmulOp>(loc, TypeRange{mmType}, ValueRange{a, rhs},
                                            ValueRange{init})
                     .getResult(0);
      if (ra > 2)
        mm = expandToResult(b, loc, type, mm, groups, dims);
      rewriter.replaceOp(op, mm);
      return success();
    }

    // One batch dim on both sides: linalg.batch_matmul. (Several stay a
    // generic with one loop each, below: collapsing them into one would hide
    // the transposes of attention heads that asg-fuse folds into the maps.)
    bool sameBatch = ra == rb && batch == 1;
    for (int64_t j = 0; sameBatch && j < batch; ++j)
      sameBatch = !isBroadcast(lt, j) && !isBroadcast(rt, j);
    if (sameBatch) {
      Value init = filledTensor(b, loc, type, dims, zero);
      Value mm = b.create<linalg::BatchMatmulOp>(loc, TypeRange{type}, ValueRange{lhs, rhs},
                                                 ValueRange{init})
                     .getResult(0);
      rewriter.replaceOp(op, mm);
      return success();
    }

    // General case: loops (batch..., m, n, k) with broadcast batch dims read at 0.
    int64_t loops = rank + 1, m = rank - 2, n = rank - 1, kk = rank;
    auto operandMap = [&](RankedTensorType t, int64_t row, int64_t col) {
      SmallVector<AffineExpr> exprs;
      int64_t off = rank - t.getRank();
      for (int64_t j = 0; j < t.getRank() - 2; ++j)
        exprs.push_back(isBroadcast(t, j) ? getAffineConstantExpr(0, ctx)
                                          : getAffineDimExpr(j + off, ctx));
      exprs.push_back(getAffineDimExpr(row, ctx));
      exprs.push_back(getAffineDimExpr(col, ctx));
      return AffineMap::get(loops, 0, exprs, ctx);
    };
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<AffineMap> maps = {operandMap(lt, m, kk), operandMap(rt, kk, n),
                                   AffineMap::get(loops, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value init = filledTensor(b, loc, type, dims, zero);
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{type}, ValueRange{lhs, rhs}, ValueRange{init}, maps, iterators,
        [](OpBuilder &nb, Location nl, ValueRange args) {
          Value prod = nb.create<arith::MulFOp>(nl, args[0], args[1]);
          nb.create<linalg::YieldOp>(nl, nb.create<arith::AddFOp>(nl, args[2], prod).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateMatmulLoweringPatterns(const TypeConverter &tc, RewritePatternSet &p,
                                    RuntimeChecks &c) {
  p.add<MatmulLowering>(tc, p.getContext(), c);
}

} // namespace asg
