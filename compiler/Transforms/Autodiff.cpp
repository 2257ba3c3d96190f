// Autodiff.cpp: asg-autodiff, reverse-mode differentiation of the loss in func @train_step
// plus gradient clipping and the optimizer update (see Passes.td).
#include "compiler/Transforms/Optimizers.h"
#include "compiler/Target/Metadata.h"
#include "compiler/Transforms/Passes.h"
#include "dialect/AsgOps.h"
#include "dialect/Shapes.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGAUTODIFF
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// A parameter argument of train_step.
struct ParamArg {
  std::string name;
  BlockArgument value;
  bool trainable;
};

bool isF32(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getElementType().isF32();
}

/// Values that depend on a trainable parameter through f32 computations.
llvm::DenseSet<Value> activeValues(Block &body, ArrayRef<ParamArg> params) {
  llvm::DenseSet<Value> active;
  for (const ParamArg &p : params)
    if (p.trainable)
      active.insert(p.value);
  for (Operation &op : body.without_terminator())
    if (llvm::any_of(op.getOperands(), [&](Value v) { return active.contains(v); }))
      for (Value r : op.getResults())
        if (isF32(r))
          active.insert(r);
  return active;
}

/// Builds gradients of `loss` for the active values, in reverse op order.
FailureOr<llvm::DenseMap<Value, Value>> differentiate(OpBuilder &b, Block &body, Value loss,
                                                      const llvm::DenseSet<Value> &active) {
  llvm::DenseMap<Value, Value> grads;
  GradBuilder seed(b, loss.getLoc());
  grads[loss] = seed.scalar(1.0);
  SmallVector<Operation *> forward;
  for (Operation &op : body.without_terminator())
    forward.push_back(&op);
  for (Operation *op : llvm::reverse(forward)) {
    if (op->getNumResults() != 1)
      continue;
    Value grad = grads.lookup(op->getResult(0));
    if (!grad)
      continue;
    SmallVector<bool> needed;
    for (Value operand : op->getOperands())
      needed.push_back(active.contains(operand));
    if (llvm::none_of(needed, [](bool n) { return n; }))
      continue;
    auto differentiable = llvm::dyn_cast<DifferentiableOp>(op);
    if (!differentiable)
      return op->emitOpError("has no gradient"), failure();
    SmallVector<Value> operandGrads;
    if (failed(differentiable.buildGradients(b, grad, needed, operandGrads)))
      return failure();
    for (auto [operand, g] : llvm::zip(op->getOperands(), operandGrads)) {
      if (!g || !active.contains(operand))
        continue;
      Value &sum = grads[operand];
      sum = sum ? GradBuilder(b, op->getLoc()).add(sum, g) : g;
    }
  }
  return grads;
}

/// torch.nn.utils.clip_grad_norm_: scale all gradients by
/// min(1, max_norm / (global L2 norm + 1e-6)).
void clipGradients(GradBuilder &g, MutableArrayRef<Value> grads, double maxNorm) {
  Value total;
  for (Value grad : grads) {
    int64_t rank = llvm::cast<RankedTensorType>(grad.getType()).getRank();
    SmallVector<int64_t> all;
    for (int64_t i = 0; i < rank; ++i)
      all.push_back(i);
    Value squares = g.sum(g.mul(grad, grad), all, /*keepdims=*/false);
    total = total ? g.add(total, squares) : squares;
  }
  if (!total)
    return;
  Value coefficient = g.div(g.scalar(maxNorm), g.add(g.sqrt(total), g.scalar(1e-6)));
  coefficient = g.create<MinimumOp>({coefficient, g.scalar(1.0)});
  for (Value &grad : grads)
    grad = g.mul(grad, coefficient);
}

/// Marks the ops of `body` not yet in `tagged` as belonging to `phase`
/// ("backward" or "optimizer"): their location becomes a FusedLoc with the
/// phase as metadata, which --emit dot colours by and diagnostics see through.
void tagPhase(Block &body, llvm::DenseSet<Operation *> &tagged, StringRef phase) {
  MLIRContext *ctx = body.getParentOp()->getContext();
  for (Operation &op : body.without_terminator())
    if (tagged.insert(&op).second)
      op.setLoc(FusedLoc::get(ctx, {op.getLoc()}, StringAttr::get(ctx, phase)));
}

LogicalResult buildTrainStep(ModuleOp module, func::FuncOp fn, DictionaryAttr config) {
  MLIRContext *ctx = module.getContext();
  Block &body = fn.getBody().front();
  auto ret = llvm::cast<func::ReturnOp>(body.getTerminator());
  Value loss = ret.getOperand(0);

  SmallVector<ParamArg> params;
  for (BlockArgument arg : body.getArguments()) {
    if (auto name = fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "asg.param")) {
      auto trainable = fn.getArgAttrOfType<BoolAttr>(arg.getArgNumber(), "asg.trainable");
      params.push_back({name.str(), arg, trainable && trainable.getValue()});
    }
  }

  OpBuilder b(ret);
  llvm::DenseSet<Operation *> tagged;
  for (Operation &op : body.without_terminator())
    tagged.insert(&op);
  llvm::DenseSet<Value> active = activeValues(body, params);
  FailureOr<llvm::DenseMap<Value, Value>> grads = differentiate(b, body, loss, active);
  if (failed(grads))
    return failure();
  tagPhase(body, tagged, "backward");

  // Parameters that get an update: trainable ones the loss depends on
  // (torch.optim skips parameters without a gradient).
  SmallVector<ParamArg> updated;
  SmallVector<Value> paramGrads;
  for (const ParamArg &p : params)
    if (Value g = grads->lookup(p.value)) {
      updated.push_back(p);
      paramGrads.push_back(g);
    }

  GradBuilder g(b, fn.getLoc());
  if (auto clip = config.getAs<FloatAttr>("clip_grad_norm"))
    clipGradients(g, paramGrads, clip.getValueAsDouble());

  Optimizer optimizer(config.getAs<DictionaryAttr>("optimizer"));
  SmallVector<std::string> slots = optimizer.slots();
  std::string header, entry;
  SmallVector<Value> newParams, newStates;
  SmallVector<std::pair<std::string, Type>> stateArgs;
  for (const ParamArg &p : updated)
    for (const std::string &slot : slots)
      stateArgs.push_back({"optim." + p.name + "." + slot, p.value.getType()});
  auto stepType = RankedTensorType::get({}, IntegerType::get(ctx, 64));
  stateArgs.push_back({"optim.step", stepType});

  SmallVector<Value> stateValues;
  for (auto &[name, type] : stateArgs) {
    stateValues.push_back(body.addArgument(type, fn.getLoc()));
    header += metadataTensorLine("state", name, llvm::cast<RankedTensorType>(type)) + "\n";
    entry += "arg state " + name + "\n";
  }
  Value step = g.add(stateValues.back(), g.scalar(1.0, IntegerType::get(ctx, 64)));
  Value stepF32 = g.cast(step, Float32Type::get(ctx));
  for (auto [i, p] : llvm::enumerate(updated)) {
    ArrayRef<Value> state = ArrayRef<Value>(stateValues).slice(i * slots.size(), slots.size());
    newParams.push_back(optimizer.update(g, p.value, paramGrads[i], state, stepF32, newStates));
  }
  newStates.push_back(step);

  // The new signature: ... state args; results: loss, params, state.
  SmallVector<Value> results = {loss};
  std::string updates;
  for (auto [p, v] : llvm::zip(updated, newParams)) {
    results.push_back(v);
    updates += metadataTensorLine("update", p.name, llvm::cast<RankedTensorType>(v.getType())) + "\n";
  }
  for (auto [state, v] : llvm::zip(stateArgs, newStates)) {
    results.push_back(v);
    updates += metadataTensorLine("update", state.first, llvm::cast<RankedTensorType>(v.getType())) + "\n";
  }
  tagPhase(body, tagged, "optimizer");
  b.create<func::ReturnOp>(ret.getLoc(), results);
  ret.erase();
  SmallVector<Type> argTypes(body.getArgumentTypes());
  SmallVector<Type> resultTypes;
  for (Value v : results)
    resultTypes.push_back(v.getType());
  fn.setType(FunctionType::get(ctx, argTypes, resultTypes));
  for (unsigned i = 0; i < fn.getNumArguments(); ++i)
    fn.setArgAttrs(i, DictionaryAttr::get(ctx, {}));

  // Metadata: the state records and the entry's state args and updates.
  std::string entryText = module->getAttrOfType<StringAttr>("asg.entry.train_step").str();
  std::string args, resultLines;
  for (StringRef line : llvm::split(entryText, '\n'))
    if (line.starts_with("arg "))
      args += line.str() + "\n";
    else if (!line.empty())
      resultLines += line.str() + "\n";
  for (StringRef line : llvm::split(entry, '\n'))
    if (!line.empty())
      args += line.str() + "\n";
  module->setAttr("asg.entry.train_step", StringAttr::get(ctx, args + resultLines + updates));
  std::string metadata = module->getAttrOfType<StringAttr>("asg.metadata").str();
  module->setAttr("asg.metadata", StringAttr::get(ctx, metadata + header));
  return success();
}

struct AsgAutodiffPass : impl::AsgAutodiffBase<AsgAutodiffPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto config = module->getAttrOfType<DictionaryAttr>("asg.train");
    if (!config)
      return;
    auto fn = module.lookupSymbol<func::FuncOp>("train_step");
    if (!fn) {
      module.emitError("asg.train is set but there is no func @train_step");
      return signalPassFailure();
    }
    if (failed(buildTrainStep(module, fn, config)))
      return signalPassFailure();
    module->removeAttr("asg.train"); // done: train_step is now the whole step
  }
};

} // namespace
} // namespace asg
