// WorkgroupReductions.cpp: asg-gpu-workgroup-reductions, long linalg reductions as GPU
// kernels where a workgroup cooperates on each output element (see Passes.td).
#include "compiler/Conversion/LoopsToGPU/KernelBuilder.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGGPUWORKGROUPREDUCTIONS
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// Threads per workgroup of the one-thread-per-output reductions.
constexpr int64_t kPerThreadWorkgroup = 64;

/// A linalg.generic reduction with a single output. When its reduction is
/// long and the output is `out = combiner(out, value)` with an associative,
/// commutative combiner that has a neutral element, a workgroup reduces each
/// output element (`combiner` set); otherwise one thread does (`combiner` null).
struct Reduction {
  linalg::GenericOp op;
  Operation *combiner;
  TypedAttr neutral;
};

/// The neutral element of a combiner, or null when it is not one we reassociate.
TypedAttr neutralElement(Operation *combiner) {
  Type type = combiner->getResult(0).getType();
  Builder b(combiner->getContext());
  if (auto floatType = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &sem = floatType.getFloatSemantics();
    if (isa<arith::AddFOp>(combiner))
      return b.getFloatAttr(type, llvm::APFloat::getZero(sem, /*Negative=*/true));
    if (isa<arith::MulFOp>(combiner))
      return b.getFloatAttr(type, llvm::APFloat::getOne(sem));
    if (isa<arith::MaximumFOp, arith::MaxNumFOp>(combiner))
      return b.getFloatAttr(type, llvm::APFloat::getInf(sem, /*Negative=*/true));
    if (isa<arith::MinimumFOp, arith::MinNumFOp>(combiner))
      return b.getFloatAttr(type, llvm::APFloat::getInf(sem));
    return nullptr;
  }
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType)
    return nullptr;
  unsigned width = intType.getWidth();
  if (isa<arith::AddIOp, arith::OrIOp, arith::XOrIOp, arith::MaxUIOp>(combiner))
    return b.getIntegerAttr(type, llvm::APInt::getZero(width));
  if (isa<arith::MulIOp>(combiner))
    return b.getIntegerAttr(type, llvm::APInt(width, 1));
  if (isa<arith::AndIOp, arith::MinUIOp>(combiner))
    return b.getIntegerAttr(type, llvm::APInt::getAllOnes(width));
  if (isa<arith::MaxSIOp>(combiner))
    return b.getIntegerAttr(type, llvm::APInt::getSignedMinValue(width));
  if (isa<arith::MinSIOp>(combiner))
    return b.getIntegerAttr(type, llvm::APInt::getSignedMaxValue(width));
  return nullptr;
}

/// Whether `op` is a reduction this pass makes a kernel of: on buffers, one
/// output, not a contraction (those get tiled kernels); a workgroup reduction
/// when it also has a recognized combiner and a long reduction (dynamic or
/// >= minLength).
std::optional<Reduction> matchReduction(linalg::GenericOp op, int64_t minLength) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0 || linalg::isaContractionOpInterface(op))
    return std::nullopt;
  int64_t length = 1;
  for (auto [size, kind] : llvm::zip(op.getStaticLoopRanges(), op.getIteratorTypesArray()))
    if (kind == utils::IteratorType::reduction)
      length = ShapedType::isDynamic(size) || ShapedType::isDynamic(length)
                   ? ShapedType::kDynamic
                   : length * size;
  Reduction perThread{op, nullptr, nullptr};
  if (!ShapedType::isDynamic(length) && length < minLength)
    return perThread;
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  Operation *combiner = yield.getOperand(0).getDefiningOp();
  BlockArgument out = op.getRegionOutputArgs()[0];
  if (!combiner || combiner->getBlock() != op.getBody() || combiner->getNumOperands() != 2 ||
      !out.hasOneUse() || out.getUses().begin()->getOwner() != combiner)
    return perThread;
  TypedAttr neutral = neutralElement(combiner);
  if (!neutral)
    return perThread;
  return Reduction{op, combiner, neutral};
}

/// combiner(lhs, rhs), cloned from the op's combiner.
Value combine(OpBuilder &b, Operation *combiner, Value lhs, Value rhs) {
  IRMapping mapping;
  mapping.map(combiner->getOperand(0), lhs);
  mapping.map(combiner->getOperand(1), rhs);
  return b.clone(*combiner, mapping)->getResult(0);
}

/// The loops of a reduction split into the output's (parallel) and the
/// reduced ones, with their sizes.
struct LoopSplit {
  SmallVector<unsigned> parallel, reduced;
  SmallVector<Value> outerSizes, innerSizes;
};

LoopSplit splitLoops(linalg::GenericOp op, ArrayRef<Value> sizes) {
  LoopSplit split;
  for (auto [i, kind] : llvm::enumerate(op.getIteratorTypesArray())) {
    bool reduced = kind == utils::IteratorType::reduction;
    (reduced ? split.reduced : split.parallel).push_back(i);
    (reduced ? split.innerSizes : split.outerSizes).push_back(sizes[i]);
  }
  return split;
}

/// One workgroup per output element (grid-stride over the outputs): each
/// thread folds a strided share of the reduction into a partial, the
/// partials meet in a tree in workgroup memory, and thread 0 folds the
/// result into the output.
void lowerReduction(const Reduction &reduction, int64_t threads) {
  linalg::GenericOp op = reduction.op;
  OpBuilder b(op);
  Location loc = op.getLoc();
  // Every output element is written: a fill just before is folded in.
  linalg::FillOp fill = initializingFill(op, op.getDpsInitsMutable()[0]);
  SmallVector<Value> sizes = loopSizes(b, loc, op);
  auto [parallel, reduced, outerSizes, innerSizes] = splitLoops(op, sizes);
  Value outputs = product(b, loc, outerSizes), length = product(b, loc, innerSizes);
  Value groups = b.create<arith::MinSIOp>(
      loc, outputs, b.create<arith::ConstantIndexOp>(loc, kMaxWorkgroups));
  Value threadCount = b.create<arith::ConstantIndexOp>(loc, threads);
  gpu::LaunchOp launch = createLaunch(b, loc, groups, threadCount);
  Value tid = launch.getThreadIds().x;
  Operation *combiner = reduction.combiner;
  Type type = combiner->getResult(0).getType();
  // Memory space 3 is Workgroup in the Vulkan storage class mapping.
  auto sharedType = MemRefType::get({threads}, type, nullptr, b.getI64IntegerAttr(3));
  Value shared = b.create<memref::AllocOp>(loc, sharedType);
  Value neutral = b.create<arith::ConstantOp>(loc, reduction.neutral);

  auto outer = b.create<scf::ForOp>(loc, launch.getBlockIds().x, outputs, launch.getGridSize().x);
  b.setInsertionPoint(outer.getBody()->getTerminator());
  SmallVector<Value> outerIvs = delinearize(b, loc, outer.getInductionVar(), outerSizes);
  // Reduction dims are 0 outside the inner loop (the output's map has none).
  SmallVector<Value> ivs(sizes.size(), b.create<arith::ConstantIndexOp>(loc, 0));
  for (auto [d, iv] : llvm::zip(parallel, outerIvs))
    ivs[d] = iv;

  // Each thread's partial.
  auto inner = b.create<scf::ForOp>(loc, tid, length, threadCount, ValueRange{neutral});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(inner.getBody());
    SmallVector<Value> innerIvs = delinearize(b, loc, inner.getInductionVar(), innerSizes);
    SmallVector<Value> all = ivs;
    for (auto [d, iv] : llvm::zip(reduced, innerIvs))
      all[d] = iv;
    IRMapping mapping;
    for (OpOperand *input : op.getDpsInputOperands())
      mapping.map(op.getMatchingBlockArgument(input), loadOperand(b, loc, op, *input, all));
    cloneBody(b, op, mapping, all, {combiner});
    BlockArgument out = op.getRegionOutputArgs()[0];
    Value value = combiner->getOperand(0) == out ? combiner->getOperand(1)
                                                 : combiner->getOperand(0);
    Value partial = combine(b, combiner, inner.getRegionIterArgs()[0],
                            mapping.lookupOrDefault(value));
    b.create<scf::YieldOp>(loc, partial);
  }

  // The tree in workgroup memory.
  b.create<memref::StoreOp>(loc, inner.getResult(0), shared, tid);
  b.create<gpu::BarrierOp>(loc);
  for (int64_t stride = threads / 2; stride >= 1; stride /= 2) {
    Value strideValue = b.create<arith::ConstantIndexOp>(loc, stride);
    Value active = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, tid, strideValue);
    auto ifOp = b.create<scf::IfOp>(loc, active, /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value mine = b.create<memref::LoadOp>(loc, shared, tid);
      Value other = b.create<memref::LoadOp>(
          loc, shared, ValueRange{b.create<arith::AddIOp>(loc, tid, strideValue)});
      b.create<memref::StoreOp>(loc, combine(b, combiner, mine, other), shared, tid);
    }
    b.create<gpu::BarrierOp>(loc);
  }
  Value first = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, tid,
                                        b.create<arith::ConstantIndexOp>(loc, 0));
  auto write = b.create<scf::IfOp>(loc, first, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(write.thenBlock());
    OpOperand &init = op.getDpsInitsMutable()[0];
    Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
    Value total = b.create<memref::LoadOp>(loc, shared, ValueRange{zero});
    Value previous = fill ? fill.getInputs().front() : loadOperand(b, loc, op, init, ivs);
    storeOperand(b, loc, op, init, combine(b, combiner, previous, total), ivs);
  }
  // The next output reuses the workgroup memory.
  b.create<gpu::BarrierOp>(loc);
  op.erase();
  if (fill)
    fill.erase();
}

/// One thread per output element (a grid-stride loop over the outputs): the
/// element is carried in a register through the whole reduction, in order,
/// starting from the output's value (or the fill's), and stored once.
void lowerPerThreadReduction(linalg::GenericOp op, int64_t threads) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  OpOperand &init = op.getDpsInitsMutable()[0];
  linalg::FillOp fill = initializingFill(op, init);
  SmallVector<Value> sizes = loopSizes(b, loc, op);
  auto [parallel, reduced, outerSizes, innerSizes] = splitLoops(op, sizes);
  Value outputs = product(b, loc, outerSizes), length = product(b, loc, innerSizes);
  Value output = launchPerItem(b, loc, outputs, threads);
  SmallVector<Value> ivs(sizes.size(), b.create<arith::ConstantIndexOp>(loc, 0));
  for (auto [d, iv] : llvm::zip(parallel, delinearize(b, loc, output, outerSizes)))
    ivs[d] = iv;
  Value start = fill ? fill.getInputs().front() : loadOperand(b, loc, op, init, ivs);
  Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
  auto inner = b.create<scf::ForOp>(loc, zero, length, b.create<arith::ConstantIndexOp>(loc, 1),
                                    ValueRange{start});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(inner.getBody());
    SmallVector<Value> all = ivs;
    for (auto [d, iv] : llvm::zip(reduced, delinearize(b, loc, inner.getInductionVar(), innerSizes)))
      all[d] = iv;
    IRMapping mapping;
    for (OpOperand *input : op.getDpsInputOperands())
      mapping.map(op.getMatchingBlockArgument(input), loadOperand(b, loc, op, *input, all));
    mapping.map(op.getRegionOutputArgs()[0], inner.getRegionIterArgs()[0]);
    cloneBody(b, op, mapping, all);
    auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
    b.create<scf::YieldOp>(loc, mapping.lookupOrDefault(yield.getOperand(0)));
  }
  storeOperand(b, loc, op, init, inner.getResult(0), ivs);
  op.erase();
  if (fill)
    fill.erase();
}

struct AsgGpuWorkgroupReductionsPass
    : impl::AsgGpuWorkgroupReductionsBase<AsgGpuWorkgroupReductionsPass> {
  using AsgGpuWorkgroupReductionsBase::AsgGpuWorkgroupReductionsBase;
  void runOnOperation() override {
    if (workgroupSize < 2 || workgroupSize > 1024 || !llvm::isPowerOf2_64(workgroupSize)) {
      getOperation()->emitError("workgroup-size must be a power of two in [2, 1024]");
      return signalPassFailure();
    }
    SmallVector<Reduction> reductions;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (std::optional<Reduction> reduction = matchReduction(op, minLength))
        reductions.push_back(*reduction);
    });
    for (const Reduction &reduction : reductions) {
      if (reduction.combiner)
        lowerReduction(reduction, workgroupSize);
      else
        lowerPerThreadReduction(reduction.op, kPerThreadWorkgroup);
    }
  }
};

} // namespace
} // namespace asg
