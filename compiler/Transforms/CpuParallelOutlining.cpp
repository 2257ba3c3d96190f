// CpuParallelOutlining.cpp: asg-cpu-parallel-outlining, the outermost scf.parallel loops of
// the CPU entry functions run through asg_cpu_context.parallel_for (see Passes.td).
#include "compiler/Transforms/CpuAbi.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGCPUPARALLELOUTLINING
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// Iterations assumed for a nested loop whose trip count only run time knows.
constexpr int64_t kUnknownTripCount = 16;

/// Chunks of a loop whose body is straight-line code (LLVM vectorizes the loop
/// itself) start at multiples of this many iterations of its innermost dim: a
/// multiple of any vector width times interleave, so each element is computed
/// by the same instructions (vector body or remainder, with the same FMA
/// contractions) whatever the split, as in a run on one thread.
constexpr int64_t kStraightLineBlock = 256;

int64_t saturatingMul(int64_t a, int64_t b) {
  if (a != 0 && b > INT64_MAX / a)
    return INT64_MAX;
  return a * b;
}

int64_t saturatingAdd(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }

/// The trip count of a loop dim from constant bounds, or nothing.
std::optional<int64_t> staticTripCount(Value lb, Value ub, Value step) {
  std::optional<int64_t> l = getConstantIntValue(lb), u = getConstantIntValue(ub),
                         s = getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0)
    return std::nullopt;
  return *u <= *l ? 0 : (*u - *l + *s - 1) / *s;
}

/// The work of one execution of a block: its ops, nested loops counted once per
/// iteration (kUnknownTripCount when dynamic).
int64_t blockCost(Block &block) {
  int64_t cost = 0;
  for (Operation &op : block) {
    int64_t trips = 1;
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      trips = staticTripCount(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())
                  .value_or(kUnknownTripCount);
    } else if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
      for (auto [lb, ub, step] :
           llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()))
        trips = saturatingMul(trips, staticTripCount(lb, ub, step).value_or(kUnknownTripCount));
    }
    int64_t inner = 1;
    for (Region &region : op.getRegions())
      for (Block &nested : region)
        inner = saturatingAdd(inner, blockCost(nested));
    cost = saturatingAdd(cost, saturatingMul(trips, inner));
  }
  return cost;
}

/// Whether a region of `op` holds a loop.
bool containsLoop(Operation *op) {
  return op->walk([&](LoopLikeOpInterface loop) {
           return loop.getOperation() == op ? WalkResult::advance() : WalkResult::interrupt();
         }).wasInterrupted();
}

/// Whether `op` runs inside a loop of its function (then it is not outermost).
bool insideLoop(Operation *op) {
  for (Operation *parent = op->getParentOp(); parent && !isa<func::FuncOp>(parent);
       parent = parent->getParentOp())
    if (isa<LoopLikeOpInterface>(parent))
      return true;
  return false;
}

/// How a value from above travels in the captures struct; null when it cannot.
Type captureType(Type type, const LLVMTypeConverter &converter) {
  if (isa<IndexType>(type))
    return IntegerType::get(type.getContext(), 64);
  if (isa<IntegerType, FloatType, LLVM::LLVMPointerType>(type))
    return type;
  if (auto vector = dyn_cast<VectorType>(type))
    return vector.getRank() == 1 && !vector.isScalable() ? type : Type();
  if (auto memref = dyn_cast<MemRefType>(type))
    return converter.convertType(memref);
  return Type();
}

class Outliner {
public:
  Outliner(ModuleOp module, func::FuncOp entry, int64_t minWork)
      : module(module), entry(entry), minWork(minWork), converter(module.getContext()) {}

  /// Outlines `loop` if it has enough work; leaves it alone otherwise.
  void run(scf::ParallelOp loop);

private:
  /// The values the body needs from outside: those used above, and the bounds.
  bool collectCaptures(scf::ParallelOp loop);
  func::FuncOp buildBody(scf::ParallelOp loop, ArrayRef<Value> tripCounts, Value blocksPerRow,
                         int64_t block, LLVM::LLVMStructType captures);
  /// Replaces `loop` by the parallel_for call (behind a run-time threshold
  /// unless the loop is known to be large).
  void buildCall(scf::ParallelOp loop, func::FuncOp body, Value n, Value captures,
                 LLVM::LLVMStructType structType, int64_t bodyCost, int64_t block,
                 bool staticallyLarge);

  ModuleOp module;
  func::FuncOp entry;
  int64_t minWork;
  LLVMTypeConverter converter;
  unsigned counter = 0;
  llvm::SetVector<Value> captured; // packed into the struct, in field order
  SmallVector<Type> fieldTypes;
};

bool Outliner::collectCaptures(scf::ParallelOp loop) {
  captured.clear();
  fieldTypes.clear();
  llvm::SetVector<Value> above;
  getUsedValuesDefinedAbove(loop.getRegion(), above);
  above.insert(loop.getLowerBound().begin(), loop.getLowerBound().end());
  above.insert(loop.getStep().begin(), loop.getStep().end());
  for (Value v : above) {
    if (matchPattern(v, m_Constant()))
      continue; // rematerialized in the body
    Type type = captureType(v.getType(), converter);
    if (!type)
      return false;
    captured.insert(v);
    fieldTypes.push_back(type);
  }
  return true;
}

void Outliner::run(scf::ParallelOp loop) {
  if (loop.getNumResults() != 0 || loop.getNumLoops() == 0)
    return;
  // Work: the iterations times the cost of one, when both are known.
  int64_t bodyCost = std::max<int64_t>(1, blockCost(*loop.getBody()));
  std::optional<int64_t> iterations = 1;
  for (auto [lb, ub, step] : llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    std::optional<int64_t> trips = staticTripCount(lb, ub, step);
    iterations = trips && iterations ? std::optional(saturatingMul(*iterations, *trips)) : std::nullopt;
  }
  if (iterations && (*iterations < 2 || saturatingMul(*iterations, bodyCost) < minWork))
    return; // too little work to share
  if (!collectCaptures(loop))
    return; // a value the struct cannot carry: stays serial

  Location loc = loop.getLoc();
  OpBuilder b(loop);
  // Trip counts: max(ub - lb, 0) ceildiv step (steps are positive in scf.parallel).
  auto constant = [&](int64_t v) -> Value { return b.create<arith::ConstantIndexOp>(loc, v); };
  SmallVector<Value> tripCounts;
  for (auto [lb, ub, step] : llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    if (std::optional<int64_t> trips = staticTripCount(lb, ub, step)) {
      tripCounts.push_back(constant(*trips));
      continue;
    }
    Value span = b.create<arith::MaxSIOp>(loc, b.create<arith::SubIOp>(loc, ub, lb), constant(0));
    Value rounded = b.create<arith::SubIOp>(loc, b.create<arith::AddIOp>(loc, span, step), constant(1));
    tripCounts.push_back(b.create<arith::DivUIOp>(loc, rounded, step));
  }
  // parallel_for's iterations: the outer dims' rows times blocks of the
  // innermost dim (single iterations when the body has loops of its own).
  int64_t block = containsLoop(loop) ? 1 : kStraightLineBlock;
  Value blocksPerRow = tripCounts.back();
  std::optional<int64_t> staticInner = getConstantIntValue(tripCounts.back());
  if (block > 1 && staticInner)
    blocksPerRow = constant((*staticInner + block - 1) / block);
  else if (block > 1)
    blocksPerRow = b.create<arith::DivUIOp>(
        loc, b.create<arith::AddIOp>(loc, tripCounts.back(), constant(block - 1)), constant(block));
  std::optional<int64_t> staticN = getConstantIntValue(blocksPerRow);
  for (Value count : ArrayRef<Value>(tripCounts).drop_back()) {
    std::optional<int64_t> c = getConstantIntValue(count);
    staticN = staticN && c ? std::optional(saturatingMul(*staticN, *c)) : std::nullopt;
  }
  Value n = blocksPerRow;
  if (staticN)
    n = constant(*staticN);
  else
    for (Value count : ArrayRef<Value>(tripCounts).drop_back())
      n = b.create<arith::MulIOp>(loc, n, count);
  // The counts the body delinearizes with travel too (static ones are constants).
  SmallVector<Value> bodyCounts(tripCounts.begin(), tripCounts.end());
  bodyCounts.push_back(blocksPerRow);
  for (Value count : bodyCounts)
    if (!matchPattern(count, m_Constant()) && captured.insert(count))
      fieldTypes.push_back(b.getI64Type());

  auto structType = LLVM::LLVMStructType::getLiteral(b.getContext(), fieldTypes);
  func::FuncOp body = buildBody(loop, tripCounts, blocksPerRow, block, structType);

  // The captures struct: one stack slot per loop, in the entry block.
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  Value capturesPtr;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&entry.getBody().front());
    Value count = b.create<LLVM::ConstantOp>(loc, b.getI64Type(), b.getI64IntegerAttr(1));
    capturesPtr = b.create<LLVM::AllocaOp>(loc, ptr, structType, count);
  }
  buildCall(loop, body, n, capturesPtr, structType, bodyCost, block, iterations.has_value());
  // The body rematerialized the static counts it needs.
  llvm::SetVector<Value> counts(tripCounts.begin(), tripCounts.end());
  counts.insert(blocksPerRow);
  for (Value count : counts)
    if (Operation *def = count.getDefiningOp(); def && isOpTriviallyDead(def))
      def->erase();
}

func::FuncOp Outliner::buildBody(scf::ParallelOp loop, ArrayRef<Value> tripCounts,
                                 Value blocksPerRow, int64_t block,
                                 LLVM::LLVMStructType structType) {
  MLIRContext *ctx = module.getContext();
  Location loc = loop.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  OpBuilder b(ctx);
  b.setInsertionPointAfter(entry);
  std::string name;
  do {
    name = (entry.getSymName() + "_par" + Twine(counter++)).str();
  } while (module.lookupSymbol(name));
  auto fn = b.create<func::FuncOp>(loc, name, b.getFunctionType({ptr, i64, i64}, {}));
  fn.setPrivate();
  Block *entryBlock = fn.addEntryBlock();
  b.setInsertionPointToStart(entryBlock);
  Value begin = b.create<arith::IndexCastOp>(loc, b.getIndexType(), entryBlock->getArgument(1));
  Value end = b.create<arith::IndexCastOp>(loc, b.getIndexType(), entryBlock->getArgument(2));
  b.create<func::ReturnOp>(loc);
  b.setInsertionPoint(entryBlock->getTerminator());
  // An empty chunk does nothing (and never divides by a zero trip count).
  Value nonEmpty = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, begin, end);
  auto guard = b.create<scf::IfOp>(loc, nonEmpty, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&guard.getThenRegion().front());

  // Unpack the captures; rematerialize constants.
  IRMapping map;
  Value capturesPtr = entryBlock->getArgument(0);
  for (auto [field, value] : llvm::enumerate(captured)) {
    Value address = b.create<LLVM::GEPOp>(loc, ptr, structType, capturesPtr,
                                          ArrayRef<LLVM::GEPArg>{0, int32_t(field)});
    Value loaded = b.create<LLVM::LoadOp>(loc, structType.getBody()[field], address);
    if (isa<IndexType>(value.getType()))
      loaded = b.create<arith::IndexCastOp>(loc, b.getIndexType(), loaded);
    else if (isa<MemRefType>(value.getType()))
      loaded = b.create<UnrealizedConversionCastOp>(loc, value.getType(), loaded).getResult(0);
    map.map(value, loaded);
  }
  llvm::SetVector<Value> above;
  getUsedValuesDefinedAbove(loop.getRegion(), above);
  above.insert(loop.getLowerBound().begin(), loop.getLowerBound().end());
  above.insert(loop.getStep().begin(), loop.getStep().end());
  above.insert(tripCounts.begin(), tripCounts.end());
  above.insert(blocksPerRow);
  for (Value v : above)
    if (!map.contains(v) && matchPattern(v, m_Constant()))
      map.map(v, b.clone(*v.getDefiningOp())->getResult(0));

  // Iterations [begin, end) of parallel_for are blocks of rows of the
  // innermost dim, row-major: per row, one plain loop over its part of the
  // innermost dim (which LLVM vectorizes), outer indices delinearized once.
  unsigned dims = loop.getNumLoops();
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  Value perRow = map.lookup(blocksPerRow);
  SmallVector<Value> ivs(dims);
  auto index = [&](unsigned d, Value position) {
    Value scaled = b.create<arith::MulIOp>(loc, position, map.lookup(loop.getStep()[d]));
    return b.create<arith::AddIOp>(loc, map.lookup(loop.getLowerBound()[d]), scaled).getResult();
  };
  // A row in one block (a short innermost dim): chunks are whole rows and the
  // innermost loop keeps its static bounds.
  bool wholeRows = dims > 1 && getConstantIntValue(blocksPerRow) == 1;
  Value blockSize = block > 1 && !wholeRows
                        ? b.create<arith::ConstantIndexOp>(loc, block).getResult()
                        : Value();
  Value blockBegin = begin, blockEnd = end; // blocks within the row
  if (dims > 1) {
    Value firstRow = begin, rowsEnd = end;
    if (!wholeRows) {
      firstRow = b.create<arith::DivUIOp>(loc, begin, perRow);
      Value lastRow = b.create<arith::DivUIOp>(loc, b.create<arith::SubIOp>(loc, end, one), perRow);
      rowsEnd = b.create<arith::AddIOp>(loc, lastRow, one);
    }
    auto rows = b.create<scf::ForOp>(loc, firstRow, rowsEnd, one);
    b.setInsertionPoint(rows.getBody()->getTerminator());
    Value row = rows.getInductionVar();
    Value rest = row;
    for (int d = static_cast<int>(dims) - 2; d >= 0; --d) {
      Value position = rest;
      if (d > 0) {
        Value count = map.lookup(tripCounts[d]);
        position = b.create<arith::RemUIOp>(loc, rest, count);
        rest = b.create<arith::DivUIOp>(loc, rest, count);
      }
      ivs[d] = index(d, position);
    }
    if (!wholeRows) {
      Value rowStart = b.create<arith::MulIOp>(loc, row, perRow);
      Value rowEnd = b.create<arith::AddIOp>(loc, rowStart, perRow);
      blockBegin =
          b.create<arith::SubIOp>(loc, b.create<arith::MaxUIOp>(loc, begin, rowStart), rowStart);
      blockEnd = b.create<arith::SubIOp>(loc, b.create<arith::MinUIOp>(loc, end, rowEnd), rowStart);
    }
  }
  Value jBegin = blockBegin, jEnd = blockEnd;
  if (wholeRows) {
    jBegin = b.create<arith::ConstantIndexOp>(loc, 0);
    jEnd = map.lookup(tripCounts.back());
  } else if (block > 1) {
    jBegin = b.create<arith::MulIOp>(loc, blockBegin, blockSize);
    jEnd = b.create<arith::MinUIOp>(loc, b.create<arith::MulIOp>(loc, blockEnd, blockSize),
                                    map.lookup(tripCounts.back()));
  }
  auto columns = b.create<scf::ForOp>(loc, jBegin, jEnd, one);
  b.setInsertionPoint(columns.getBody()->getTerminator());
  ivs[dims - 1] = index(dims - 1, columns.getInductionVar());
  for (auto [iv, value] : llvm::zip(loop.getInductionVars(), ivs))
    map.map(iv, value);
  // Stack buffers of one iteration (packing buffers of blocked matmuls) are
  // released after it: each thread runs many iterations of the loop.
  bool allocates = llvm::any_of(loop.getBody()->without_terminator(),
                                [](Operation &op) { return isa<memref::AllocaOp>(op); });
  // (A memref.alloca_scope would have to hold a single block, which the
  // body's loops are not once convert-scf-to-cf has run.)
  Value stack;
  if (allocates)
    stack = b.create<LLVM::StackSaveOp>(loc, ptr);
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, map);
  if (allocates)
    b.create<LLVM::StackRestoreOp>(loc, stack);
  return fn;
}

void Outliner::buildCall(scf::ParallelOp loop, func::FuncOp body, Value n, Value capturesPtr,
                         LLVM::LLVMStructType structType, int64_t bodyCost, int64_t block,
                         bool staticallyLarge) {
  Location loc = loop.getLoc();
  OpBuilder b(loop);
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  Value context = entry.getArguments().back();
  // The captures, stored once; the trip count as i64.
  for (auto [field, value] : llvm::enumerate(captured)) {
    Value stored = value;
    if (isa<IndexType>(value.getType()))
      stored = b.create<arith::IndexCastOp>(loc, b.getI64Type(), value);
    else if (isa<MemRefType>(value.getType()))
      stored = b.create<UnrealizedConversionCastOp>(loc, fieldTypes[field], value).getResult(0);
    Value address = b.create<LLVM::GEPOp>(loc, ptr, structType, capturesPtr,
                                          ArrayRef<LLVM::GEPArg>{0, int32_t(field)});
    b.create<LLVM::StoreOp>(loc, stored, address);
  }
  Value n64 = b.create<arith::IndexCastOp>(loc, b.getI64Type(), n);
  // ctx->parallel_for(ctx->self, @body, captures, n).
  auto parallelFor = [&](OpBuilder &b) {
    // The body's address: func.constant becomes llvm.mlir.addressof with the
    // function; the casts cancel out in reconcile-unrealized-casts.
    Value fn = b.create<func::ConstantOp>(loc, body.getFunctionType(), body.getSymName());
    Value address = b.create<UnrealizedConversionCastOp>(loc, ptr, fn).getResult(0);
    callCpuContext(b, loc, context, kCpuContextParallelFor, {address, capturesPtr, n64});
  };
  if (staticallyLarge) {
    parallelFor(b);
    loop.erase();
    return;
  }
  // Trip counts known at run time: parallel_for when the loop has enough
  // work, else the body function called directly on the calling thread for
  // all of [0, n) (one copy of the loop's code, not two).
  int64_t unitCost = saturatingMul(bodyCost, block); // one iteration of parallel_for
  int64_t minIterations = std::max<int64_t>(2, (minWork + unitCost - 1) / unitCost);
  Value threshold = b.create<arith::ConstantIndexOp>(loc, minIterations);
  Value large = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::uge, n, threshold);
  auto branch = b.create<scf::IfOp>(loc, large, /*withElseRegion=*/true);
  OpBuilder thenBuilder = branch.getThenBodyBuilder();
  parallelFor(thenBuilder);
  OpBuilder elseBuilder = branch.getElseBodyBuilder();
  Value begin = elseBuilder.create<arith::ConstantIntOp>(loc, 0, 64);
  elseBuilder.create<func::CallOp>(loc, body, ValueRange{capturesPtr, begin, n64});
  loop.erase();
}

struct AsgCpuParallelOutliningPass
    : impl::AsgCpuParallelOutliningBase<AsgCpuParallelOutliningPass> {
  using AsgCpuParallelOutliningBase::AsgCpuParallelOutliningBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn->hasAttr(kCpuContextAttr) && !fn.isExternal())
        entries.push_back(fn);
    for (func::FuncOp entry : entries) {
      if (entry.getNumArguments() == 0 ||
          !isa<LLVM::LLVMPointerType>(entry.getArguments().back().getType())) {
        entry.emitError("asg-cpu-parallel-outlining: entry function '")
            << entry.getSymName() << "' is marked asg.cpu_context but its last argument is not "
            << "an !llvm.ptr";
        return signalPassFailure();
      }
      SmallVector<scf::ParallelOp> loops;
      entry.walk([&](scf::ParallelOp loop) {
        if (!insideLoop(loop))
          loops.push_back(loop);
      });
      Outliner outliner(module, entry, minWork);
      for (scf::ParallelOp loop : loops)
        outliner.run(loop);
    }
  }
};

} // namespace
} // namespace asg
