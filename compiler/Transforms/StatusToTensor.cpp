// StatusToTensor.cpp: asg-status-to-tensor, the status result computed by device code.
#include "compiler/Transforms/Passes.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGSTATUSTOTENSOR
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// Rewrites `ret`'s last operand (the i32 status) into a tensor<i32> computed
/// by a 0-d linalg.generic. The ops of the status computation that depend on
/// extracted tensor elements are cloned into the generic's body, where each
/// `tensor.extract` of a 0-d tensor becomes a block argument; everything else
/// (dims, constants) is used from above.
LogicalResult rewriteStatus(func::ReturnOp ret) {
  Value status = ret.getOperands().back();
  OpBuilder b(ret);
  Location loc = ret.getLoc();

  // The ops between the extracted elements and the status, in program order.
  SetVector<Operation *> dependent;
  SmallVector<tensor::ExtractOp> extracts;
  std::function<bool(Value)> visit = [&](Value v) -> bool {
    Operation *def = v.getDefiningOp();
    if (!def || def->getBlock() != ret->getBlock())
      return false;
    if (dependent.contains(def))
      return true;
    if (auto extract = dyn_cast<tensor::ExtractOp>(def)) {
      if (extract.getTensor().getType().getRank() != 0)
        return false;
      extracts.push_back(extract);
      dependent.insert(def);
      return true;
    }
    bool any = false;
    for (Value operand : def->getOperands())
      any |= visit(operand);
    if (any)
      dependent.insert(def);
    return any;
  };
  visit(status);
  for (Operation *op : dependent)
    if (op->getNumRegions() || !isMemoryEffectFree(op))
      return op->emitError("asg-status-to-tensor: unexpected op in the status computation");
  SmallVector<Operation *> ordered(dependent.begin(), dependent.end());
  llvm::sort(ordered, [](Operation *a, Operation *c) { return a->isBeforeInBlock(c); });

  SmallVector<Value> inputs;
  for (tensor::ExtractOp extract : extracts)
    inputs.push_back(extract.getTensor());
  MLIRContext *ctx = b.getContext();
  auto resultType = RankedTensorType::get({}, b.getI32Type());
  Value init = b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{}, b.getI32Type());
  SmallVector<AffineMap> maps(inputs.size() + 1, AffineMap::get(0, 0, {}, ctx));
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
      ArrayRef<utils::IteratorType>{}, [&](OpBuilder &nb, Location nl, ValueRange args) {
        IRMapping mapping;
        for (auto [extract, arg] : llvm::zip(extracts, args))
          mapping.map(extract.getResult(), arg);
        for (Operation *op : ordered)
          if (!isa<tensor::ExtractOp>(op))
            nb.clone(*op, mapping);
        nb.create<linalg::YieldOp>(nl, mapping.lookupOrDefault(status));
      });
  ret.getOperandsMutable()[ret.getNumOperands() - 1].set(generic.getResult(0));
  return success();
}

struct AsgStatusToTensorPass : impl::AsgStatusToTensorBase<AsgStatusToTensorPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (fn.isExternal() || fn.getNumResults() == 0 ||
          !fn.getResultTypes().back().isInteger(32))
        continue;
      WalkResult result = fn.walk([](func::ReturnOp ret) {
        return failed(rewriteStatus(ret)) ? WalkResult::interrupt() : WalkResult::advance();
      });
      if (result.wasInterrupted())
        return signalPassFailure();
      SmallVector<Type> results(fn.getResultTypes());
      results.back() = RankedTensorType::get({}, IntegerType::get(&getContext(), 32));
      fn.setType(FunctionType::get(&getContext(), fn.getArgumentTypes(), results));
    }
  }
};

} // namespace
} // namespace asg
