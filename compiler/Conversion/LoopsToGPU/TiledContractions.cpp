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
    } else if (a.isFunctionOfDim(d) && !b.isFunctionOfDim(d) && !i) {
      i = d;
    } else if (b.isFunctionOfDim(d) && !a.isFunctionOfDim(d) && !j) {
      j = d;
    } else {
      c.batch.push_back(d);
    }
  }
  if (!i || !j || !k || !a.isFunctionOfDim(*k) || !b.isFunctionOfDim(*k))
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

/// Each thread computes kMicro x kMicro output elements, spread kThreads
/// apart so that neighbouring threads touch neighbouring addresses.
constexpr int64_t kMicro = 2;

/// One workgroup of t x t threads (t = `threads`) per output tile of
/// (t * kMicro)^2 elements (grid-stride over the tiles): per step of t along
/// k, the threads copy a tile of A and of B into workgroup memory, then each
/// thread accumulates its kMicro x kMicro elements in registers, starting
/// from the output's value and adding in order of k (as the CPU does).
void lowerContraction(const Contraction &c, int64_t threads) {
  linalg::GenericOp op = c.op;
  // Every output element is written: a fill just before becomes the start
  // value (looked up before this function adds ops in between).
  OpOperand &init = op.getDpsInitsMutable()[0];
  linalg::FillOp fill = initializingFill(op, init);
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<Value> sizes = loopSizes(b, loc, op);
  const int64_t tile = threads * kMicro;
  auto index = [&](int64_t v) -> Value { return b.create<arith::ConstantIndexOp>(loc, v); };
  Value tileSize = index(tile), step = index(threads);
  Value tilesI = b.create<arith::CeilDivSIOp>(loc, sizes[c.i], tileSize);
  Value tilesJ = b.create<arith::CeilDivSIOp>(loc, sizes[c.j], tileSize);
  SmallVector<Value> tileSpace;
  for (unsigned d : c.batch)
    tileSpace.push_back(sizes[d]);
  tileSpace.push_back(tilesI);
  tileSpace.push_back(tilesJ);
  Value tiles = product(b, loc, tileSpace);
  Value groups = b.create<arith::MinSIOp>(loc, tiles, index(kMaxWorkgroups));
  gpu::LaunchOp launch = createLaunch(b, loc, groups, index(threads * threads));

  Type elementType = op.getRegionOutputArgs()[0].getType();
  Type lhsType = op.getMatchingBlockArgument(c.lhs).getType();
  Type rhsType = op.getMatchingBlockArgument(c.rhs).getType();
  Attribute workgroup = b.getI64IntegerAttr(3); // Vulkan mapping: Workgroup
  // A: rows of i by columns of k; B: rows of k by columns of j.
  Value sharedA = b.create<memref::AllocOp>(
      loc, MemRefType::get({tile, threads}, lhsType, nullptr, workgroup));
  Value sharedB = b.create<memref::AllocOp>(
      loc, MemRefType::get({threads, tile}, rhsType, nullptr, workgroup));
  Value tid = launch.getThreadIds().x;
  Value tx = b.create<arith::RemSIOp>(loc, tid, step);
  Value ty = b.create<arith::DivSIOp>(loc, tid, step);
  Value zeroIndex = index(0);
  auto zeroOf = [&](Type type) -> Value {
    return b.create<arith::ConstantOp>(loc, b.getZeroAttr(type));
  };
  Value zeroA = zeroOf(lhsType), zeroB = zeroOf(rhsType), zeroC = zeroOf(elementType);
  // Offsets of the micro-tile: thread (ty, tx) has rows ty + r*t, columns tx + c*t.
  SmallVector<Value> spread;
  for (int64_t r = 0; r < kMicro; ++r)
    spread.push_back(index(r * threads));

  auto tileLoop = b.create<scf::ForOp>(loc, launch.getBlockIds().x, tiles, launch.getGridSize().x);
  b.setInsertionPoint(tileLoop.getBody()->getTerminator());
  SmallVector<Value> position = delinearize(b, loc, tileLoop.getInductionVar(), tileSpace);
  SmallVector<Value> ivs(sizes.size(), zeroIndex);
  for (auto [d, iv] : llvm::zip(c.batch, position))
    ivs[d] = iv;
  Value i0 = b.create<arith::MulIOp>(loc, position[position.size() - 2], tileSize);
  Value j0 = b.create<arith::MulIOp>(loc, position.back(), tileSize);
  SmallVector<Value> rows, cols;
  for (Value offset : spread) {
    rows.push_back(b.create<arith::AddIOp>(loc, b.create<arith::AddIOp>(loc, i0, ty), offset));
    cols.push_back(b.create<arith::AddIOp>(loc, b.create<arith::AddIOp>(loc, j0, tx), offset));
  }
  // The kMicro^2 elements, row-major: which are inside C, and their start values.
  SmallVector<Value> mine, starts;
  SmallVector<SmallVector<Value>> outIvs;
  for (int64_t r = 0; r < kMicro; ++r)
    for (int64_t q = 0; q < kMicro; ++q) {
      SmallVector<Value> at = ivs;
      at[c.i] = rows[r];
      at[c.j] = cols[q];
      Value inside = both(b, loc, below(b, loc, rows[r], sizes[c.i]), below(b, loc, cols[q], sizes[c.j]));
      mine.push_back(inside);
      starts.push_back(fill ? b.create<arith::SelectOp>(loc, inside, fill.getInputs().front(), zeroC)
                            : guardedLoad(b, loc, op, init, at,
                                          {{c.i, sizes[c.i]}, {c.j, sizes[c.j]}}, inside, zeroC));
      outIvs.push_back(at);
    }

  Value length = sizes[c.k];
  auto steps = b.create<scf::ForOp>(loc, zeroIndex, length, step, starts);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(steps.getBody());
    Value k0 = steps.getInductionVar();
    for (int64_t r = 0; r < kMicro; ++r) {
      // A[i0 + ty + r*t][k0 + tx] and B[k0 + ty][j0 + tx + r*t].
      SmallVector<Value> aIvs = ivs, bIvs = ivs;
      aIvs[c.i] = rows[r];
      aIvs[c.k] = b.create<arith::AddIOp>(loc, k0, tx);
      bIvs[c.k] = b.create<arith::AddIOp>(loc, k0, ty);
      bIvs[c.j] = cols[r];
      Value aIn = both(b, loc, below(b, loc, rows[r], sizes[c.i]), below(b, loc, aIvs[c.k], length));
      Value bIn = both(b, loc, below(b, loc, bIvs[c.k], length), below(b, loc, cols[r], sizes[c.j]));
      Value a = guardedLoad(b, loc, op, *c.lhs, aIvs, {{c.i, sizes[c.i]}, {c.k, length}}, aIn,
                            zeroA);
      Value bv = guardedLoad(b, loc, op, *c.rhs, bIvs, {{c.k, length}, {c.j, sizes[c.j]}}, bIn,
                             zeroB);
      Value localRow = b.create<arith::AddIOp>(loc, ty, spread[r]);
      Value localCol = b.create<arith::AddIOp>(loc, tx, spread[r]);
      b.create<memref::StoreOp>(loc, a, sharedA, ValueRange{localRow, tx});
      b.create<memref::StoreOp>(loc, bv, sharedB, ValueRange{ty, localCol});
    }
    b.create<gpu::BarrierOp>(loc);
    // Only the k < length part of the last tile: padding never enters a sum.
    Value count = b.create<arith::MinSIOp>(loc, step, b.create<arith::SubIOp>(loc, length, k0));
    auto inner = b.create<scf::ForOp>(loc, zeroIndex, count, index(1),
                                      steps.getRegionIterArgs());
    {
      OpBuilder::InsertionGuard innerGuard(b);
      b.setInsertionPointToStart(inner.getBody());
      Value kk = inner.getInductionVar();
      SmallVector<Value> as, bs;
      for (Value offset : spread) {
        as.push_back(b.create<memref::LoadOp>(
            loc, sharedA, ValueRange{b.create<arith::AddIOp>(loc, ty, offset), kk}));
        bs.push_back(b.create<memref::LoadOp>(
            loc, sharedB, ValueRange{kk, b.create<arith::AddIOp>(loc, tx, offset)}));
      }
      auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
      SmallVector<Value> next;
      for (int64_t r = 0; r < kMicro; ++r)
        for (int64_t q = 0; q < kMicro; ++q) {
          IRMapping mapping;
          mapping.map(op.getMatchingBlockArgument(c.lhs), as[r]);
          mapping.map(op.getMatchingBlockArgument(c.rhs), bs[q]);
          mapping.map(op.getRegionOutputArgs()[0], inner.getRegionIterArgs()[r * kMicro + q]);
          cloneBody(b, op, mapping, ivs);
          next.push_back(mapping.lookupOrDefault(yield.getOperand(0)));
        }
      b.create<scf::YieldOp>(loc, next);
    }
    // The tiles are reused by the next step.
    b.create<gpu::BarrierOp>(loc);
    b.create<scf::YieldOp>(loc, inner.getResults());
  }
  for (auto [n, inside] : llvm::enumerate(mine)) {
    Value total = steps.getResult(n);
    auto write = b.create<scf::IfOp>(loc, inside, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(write.thenBlock());
    storeOperand(b, loc, op, init, total, outIvs[n]);
  }
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
