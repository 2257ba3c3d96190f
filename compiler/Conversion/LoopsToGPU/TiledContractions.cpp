// TiledContractions.cpp: asg-gpu-tiled-contractions, matmul-like linalg ops as GPU kernels
// that stage tiles of both operands in workgroup memory (see Passes.td).
#include "compiler/Conversion/LoopsToGPU/KernelBuilder.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGGPUTILEDCONTRACTIONS
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// A contraction C[batch.., i, j] += A[.., i, .., k] * B[.., k, .., j] (in any
/// layout the indexing maps say): the loop dims of its roles.
struct Contraction {
  linalg::GenericOp op;
  OpOperand *lhs, *rhs;        // A (uses i, not j) and B (uses j, not i)
  unsigned i, j, k;
  SmallVector<unsigned> batch; // the other parallel dims, in loop order
};

bool usesDim(AffineMap map, unsigned dim) {
  return map.isFunctionOfDim(dim);
}

std::optional<Contraction> matchContraction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 || op.getNumDpsInputs() != 2 ||
      op.getNumReductionLoops() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands())
    if (!op.getMatchingIndexingMap(&operand).isProjectedPermutation())
      return std::nullopt;
  Contraction c{op, op.getDpsInputOperand(0), op.getDpsInputOperand(1), 0, 0, 0, {}};
  AffineMap a = op.getMatchingIndexingMap(c.lhs), b = op.getMatchingIndexingMap(c.rhs);
  std::optional<unsigned> i, j, k;
  for (auto [d, kind] : llvm::enumerate(op.getIteratorTypesArray())) {
    if (kind == utils::IteratorType::reduction) {
      k = d;
    } else if (usesDim(a, d) && !usesDim(b, d) && !i) {
      i = d;
    } else if (usesDim(b, d) && !usesDim(a, d) && !j) {
      j = d;
    } else {
      c.batch.push_back(d);
    }
  }
  if (!i || !j || !k || !usesDim(a, *k) || !usesDim(b, *k))
    return std::nullopt;
  c.i = *i;
  c.j = *j;
  c.k = *k;
  return c;
}

/// The element of `operand` at `ivs`, or `zero` where `inRange` is false
/// (indices are clamped so the load stays inside the buffer).
Value guardedLoad(OpBuilder &b, Location loc, linalg::GenericOp op, OpOperand &operand,
                  SmallVector<Value> ivs, ArrayRef<std::pair<unsigned, Value>> clampTo,
                  Value inRange, Value zero) {
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  Value zeroIndex = b.create<arith::ConstantIndexOp>(loc, 0);
  for (auto [dim, size] : clampTo) {
    Value last = b.create<arith::MaxSIOp>(loc, b.create<arith::SubIOp>(loc, size, one), zeroIndex);
    ivs[dim] = b.create<arith::MinSIOp>(loc, ivs[dim], last);
  }
  Value value = loadOperand(b, loc, op, operand, ivs);
  return b.create<arith::SelectOp>(loc, inRange, value, zero);
}

Value both(OpBuilder &b, Location loc, Value x, Value y) {
  return b.create<arith::AndIOp>(loc, x, y);
}
Value below(OpBuilder &b, Location loc, Value x, Value bound) {
  return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, x, bound);
}

/// One workgroup of tile x tile threads per output tile (grid-stride over the
/// tiles): per step of `tile` along k, the threads copy a tile of A and of B
/// into workgroup memory, then each thread accumulates its output element,
/// starting from the output's value and adding in order of k (as the CPU does).
void lowerContraction(const Contraction &c, int64_t tile) {
  linalg::GenericOp op = c.op;
  // Every output element is written: a fill just before becomes the start
  // value (looked up before this function adds ops in between).
  OpOperand &init = op.getDpsInitsMutable()[0];
  linalg::FillOp fill = initializingFill(op, init);
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<Value> sizes = loopSizes(b, loc, op);
  Value tileSize = b.create<arith::ConstantIndexOp>(loc, tile);
  Value tilesI = b.create<arith::CeilDivSIOp>(loc, sizes[c.i], tileSize);
  Value tilesJ = b.create<arith::CeilDivSIOp>(loc, sizes[c.j], tileSize);
  SmallVector<Value> tileSpace;
  for (unsigned d : c.batch)
    tileSpace.push_back(sizes[d]);
  tileSpace.push_back(tilesI);
  tileSpace.push_back(tilesJ);
  Value tiles = product(b, loc, tileSpace);
  Value groups = b.create<arith::MinSIOp>(
      loc, tiles, b.create<arith::ConstantIndexOp>(loc, kMaxWorkgroups));
  gpu::LaunchOp launch =
      createLaunch(b, loc, groups, b.create<arith::ConstantIndexOp>(loc, tile * tile));

  Type elementType = op.getRegionOutputArgs()[0].getType();
  Type lhsType = op.getMatchingBlockArgument(c.lhs).getType();
  Type rhsType = op.getMatchingBlockArgument(c.rhs).getType();
  Attribute workgroup = b.getI64IntegerAttr(3); // Vulkan mapping: Workgroup
  Value sharedA = b.create<memref::AllocOp>(
      loc, MemRefType::get({tile, tile}, lhsType, nullptr, workgroup));
  Value sharedB = b.create<memref::AllocOp>(
      loc, MemRefType::get({tile, tile}, rhsType, nullptr, workgroup));
  Value tid = launch.getThreadIds().x;
  Value tx = b.create<arith::RemSIOp>(loc, tid, tileSize);
  Value ty = b.create<arith::DivSIOp>(loc, tid, tileSize);
  Value zeroIndex = b.create<arith::ConstantIndexOp>(loc, 0);
  auto zeroOf = [&](Type type) -> Value {
    return b.create<arith::ConstantOp>(loc, b.getZeroAttr(type));
  };
  Value zeroA = zeroOf(lhsType), zeroB = zeroOf(rhsType), zeroC = zeroOf(elementType);

  auto tileLoop = b.create<scf::ForOp>(loc, launch.getBlockIds().x, tiles, launch.getGridSize().x);
  b.setInsertionPoint(tileLoop.getBody()->getTerminator());
  SmallVector<Value> position = delinearize(b, loc, tileLoop.getInductionVar(), tileSpace);
  SmallVector<Value> ivs(sizes.size(), zeroIndex);
  for (auto [d, iv] : llvm::zip(c.batch, position))
    ivs[d] = iv;
  Value i0 = b.create<arith::MulIOp>(loc, position[position.size() - 2], tileSize);
  Value j0 = b.create<arith::MulIOp>(loc, position.back(), tileSize);
  Value row = b.create<arith::AddIOp>(loc, i0, ty), col = b.create<arith::AddIOp>(loc, j0, tx);
  Value mine = both(b, loc, below(b, loc, row, sizes[c.i]), below(b, loc, col, sizes[c.j]));
  SmallVector<Value> outIvs = ivs;
  outIvs[c.i] = row;
  outIvs[c.j] = col;
  Value start = fill ? b.create<arith::SelectOp>(loc, mine, fill.getInputs().front(), zeroC)
                     : guardedLoad(b, loc, op, init, outIvs,
                                   {{c.i, sizes[c.i]}, {c.j, sizes[c.j]}}, mine, zeroC);

  Value length = sizes[c.k];
  auto steps = b.create<scf::ForOp>(loc, zeroIndex, length, tileSize, ValueRange{start});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(steps.getBody());
    Value k0 = steps.getInductionVar();
    // A tile: rows of i, columns of k; B tile: rows of k, columns of j.
    SmallVector<Value> aIvs = ivs, bIvs = ivs;
    aIvs[c.i] = row;
    aIvs[c.k] = b.create<arith::AddIOp>(loc, k0, tx);
    bIvs[c.k] = b.create<arith::AddIOp>(loc, k0, ty);
    bIvs[c.j] = col;
    Value aIn = both(b, loc, below(b, loc, row, sizes[c.i]), below(b, loc, aIvs[c.k], length));
    Value bIn = both(b, loc, below(b, loc, bIvs[c.k], length), below(b, loc, col, sizes[c.j]));
    Value a = guardedLoad(b, loc, op, *c.lhs, aIvs, {{c.i, sizes[c.i]}, {c.k, length}}, aIn,
                          zeroA);
    Value bv = guardedLoad(b, loc, op, *c.rhs, bIvs, {{c.k, length}, {c.j, sizes[c.j]}}, bIn,
                           zeroB);
    b.create<memref::StoreOp>(loc, a, sharedA, ValueRange{ty, tx});
    b.create<memref::StoreOp>(loc, bv, sharedB, ValueRange{ty, tx});
    b.create<gpu::BarrierOp>(loc);
    // Only the k < length part of the last tile: padding never enters a sum.
    Value count = b.create<arith::MinSIOp>(loc, tileSize,
                                           b.create<arith::SubIOp>(loc, length, k0));
    auto inner = b.create<scf::ForOp>(loc, zeroIndex, count,
                                      b.create<arith::ConstantIndexOp>(loc, 1),
                                      ValueRange{steps.getRegionIterArgs()[0]});
    {
      OpBuilder::InsertionGuard innerGuard(b);
      b.setInsertionPointToStart(inner.getBody());
      Value kk = inner.getInductionVar();
      IRMapping mapping;
      mapping.map(op.getMatchingBlockArgument(c.lhs),
                  b.create<memref::LoadOp>(loc, sharedA, ValueRange{ty, kk}));
      mapping.map(op.getMatchingBlockArgument(c.rhs),
                  b.create<memref::LoadOp>(loc, sharedB, ValueRange{kk, tx}));
      mapping.map(op.getRegionOutputArgs()[0], inner.getRegionIterArgs()[0]);
      cloneBody(b, op, mapping, ivs);
      auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
      b.create<scf::YieldOp>(loc, mapping.lookupOrDefault(yield.getOperand(0)));
    }
    // The tile is reused by the next step.
    b.create<gpu::BarrierOp>(loc);
    b.create<scf::YieldOp>(loc, inner.getResult(0));
  }
  // SCF-to-SPIR-V defines a loop's results only once its body ran.
  Value ran = below(b, loc, zeroIndex, length);
  Value total = b.create<arith::SelectOp>(loc, ran, steps.getResult(0), start);
  auto write = b.create<scf::IfOp>(loc, mine, /*withElseRegion=*/false);
  b.setInsertionPointToStart(write.thenBlock());
  storeOperand(b, loc, op, init, total, outIvs);
  op.erase();
  if (fill)
    fill.erase();
}

struct AsgGpuTiledContractionsPass
    : impl::AsgGpuTiledContractionsBase<AsgGpuTiledContractionsPass> {
  using AsgGpuTiledContractionsBase::AsgGpuTiledContractionsBase;
  void runOnOperation() override {
    if (tileSize < 1 || tileSize * tileSize > 1024) {
      getOperation()->emitError("tile-size must be in [1, 32]");
      return signalPassFailure();
    }
    // Named contractions (matmul, batch_matmul, ...) in generic form; fills
    // stay named so initializingFill finds them.
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> named;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::GenericOp>(op) && linalg::isaContractionOpInterface(op))
        named.push_back(op);
    });
    for (linalg::LinalgOp op : named) {
      rewriter.setInsertionPoint(op);
      (void)linalg::generalizeNamedOp(rewriter, op);
    }
    SmallVector<Contraction> contractions;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (std::optional<Contraction> c = matchContraction(op))
        contractions.push_back(*c);
    });
    for (const Contraction &c : contractions)
      lowerContraction(c, tileSize);
  }
};

} // namespace
} // namespace asg
