// FlattenKernelMemrefs.cpp: asg-flatten-kernel-memrefs, launch bodies see only 1-D buffers
// (see Passes.td).
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/GPU/Transforms/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGFLATTENKERNELMEMREFS
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// A memref captured by a launch, seen as a flat buffer plus index arithmetic.
struct FlatView {
  Value flat;                   // memref<?xT> over the whole base buffer (host value)
  Value offset;                 // in elements
  SmallVector<Value> sizes, strides;
};

/// Builds the host side of a view: the base buffer as memref<?xT> and the
/// layout as values (static parts as constants, materialized where `inside`
/// points so kernels do not need them as arguments).
FlatView flatten(OpBuilder &host, OpBuilder &inside, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  auto meta = host.create<memref::ExtractStridedMetadataOp>(loc, memref);
  int64_t staticOffset;
  SmallVector<int64_t> staticStrides;
  if (failed(getStridesAndOffset(type, staticStrides, staticOffset))) {
    staticOffset = ShapedType::kDynamic;
    staticStrides.assign(type.getRank(), ShapedType::kDynamic);
  }
  auto pick = [&](int64_t value, Value dynamic) -> Value {
    if (ShapedType::isDynamic(value))
      return dynamic;
    return inside.create<arith::ConstantIndexOp>(loc, value);
  };
  FlatView view;
  view.offset = pick(staticOffset, meta.getOffset());
  for (int64_t k = 0; k < type.getRank(); ++k) {
    view.sizes.push_back(pick(type.getDimSize(k), meta.getSizes()[k]));
    view.strides.push_back(pick(staticStrides[k], meta.getStrides()[k]));
  }
  // The extent of the flat buffer: an upper bound of the last element read.
  Value extent = meta.getOffset();
  for (int64_t k = 0; k < type.getRank(); ++k)
    extent = host.create<arith::AddIOp>(
        loc, extent, host.create<arith::MulIOp>(loc, meta.getSizes()[k], meta.getStrides()[k]));
  extent = host.create<arith::AddIOp>(loc, extent, host.create<arith::ConstantIndexOp>(loc, 1));
  auto flatType = MemRefType::get({ShapedType::kDynamic}, type.getElementType());
  view.flat = host.create<memref::ReinterpretCastOp>(
      loc, flatType, meta.getBaseBuffer(), OpFoldResult(host.getIndexAttr(0)),
      ArrayRef<OpFoldResult>{extent}, ArrayRef<OpFoldResult>{host.getIndexAttr(1)});
  return view;
}

Value linearIndex(OpBuilder &b, Location loc, const FlatView &view, ValueRange indices) {
  Value index = view.offset;
  for (auto [i, stride] : llvm::zip(indices, view.strides))
    index = b.create<arith::AddIOp>(loc, index, b.create<arith::MulIOp>(loc, i, stride));
  return index;
}

LogicalResult flattenLaunch(gpu::LaunchOp launch) {
  Region &body = launch.getBody();
  SetVector<Value> captured;
  launch.walk([&](Operation *op) {
    for (Value operand : op->getOperands())
      if (isa<MemRefType>(operand.getType()) && !body.isAncestor(operand.getParentRegion()))
        captured.insert(operand);
  });
  OpBuilder host(launch);
  OpBuilder inside(launch.getContext());
  for (Value memref : captured) {
    Location loc = memref.getLoc();
    // (Re)set each time: the first op of the body may have been rewritten.
    inside.setInsertionPointToStart(&body.front());
    FlatView view = flatten(host, inside, loc, memref);
    for (OpOperand &use : llvm::make_early_inc_range(memref.getUses())) {
      Operation *user = use.getOwner();
      if (!body.isAncestor(user->getParentRegion()))
        continue;
      OpBuilder b(user);
      if (auto load = dyn_cast<memref::LoadOp>(user)) {
        Value index = linearIndex(b, load.getLoc(), view, load.getIndices());
        load.replaceAllUsesWith(
            b.create<memref::LoadOp>(load.getLoc(), view.flat, ValueRange{index}).getResult());
        load.erase();
      } else if (auto store = dyn_cast<memref::StoreOp>(user)) {
        Value index = linearIndex(b, store.getLoc(), view, store.getIndices());
        b.create<memref::StoreOp>(store.getLoc(), store.getValueToStore(), view.flat,
                                  ValueRange{index});
        store.erase();
      } else if (auto dim = dyn_cast<memref::DimOp>(user)) {
        std::optional<int64_t> k = dim.getConstantIndex();
        if (!k)
          return dim.emitError("a kernel asks for a dim that is not a constant index");
        dim.replaceAllUsesWith(view.sizes[*k]);
        dim.erase();
      } else {
        return user->emitError("a kernel uses a buffer through '")
               << user->getName() << "', which asg-flatten-kernel-memrefs does not handle";
      }
    }
  }
  // Constants and integer casts are cloned in: only real run-time values
  // remain arguments, and those are index, i1 or 32-bit values (push
  // constant words), not the i64 copies of dims the host made.
  return sinkOperationsIntoLaunchOp(launch, [](Operation *op) {
    return matchPattern(op, m_Constant()) ||
           isa<arith::IndexCastOp, arith::IndexCastUIOp, arith::ExtSIOp, arith::ExtUIOp,
               arith::TruncIOp>(op);
  });
}

struct AsgFlattenKernelMemrefsPass
    : impl::AsgFlattenKernelMemrefsBase<AsgFlattenKernelMemrefsPass> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([](gpu::LaunchOp launch) {
      return failed(flattenLaunch(launch)) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
} // namespace asg
