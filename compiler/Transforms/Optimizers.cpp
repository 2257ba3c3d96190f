// Optimizers.cpp: SGD (momentum, nesterov, weight decay), Adam and AdamW with the update
// order of torch.optim (PyTorch 1.13, single-tensor path); Adam's bias corrections are
// computed in f32 where torch uses double.
#include "compiler/Transforms/Optimizers.h"

using namespace mlir;

namespace asg {

static double number(DictionaryAttr config, StringRef key) {
  auto value = config.getAs<FloatAttr>(key);
  return value ? value.getValueAsDouble() : 0.0;
}

Optimizer::Optimizer(DictionaryAttr config)
    : kind(config.getAs<StringAttr>("kind").getValue().str()), lr(number(config, "lr")),
      momentum(number(config, "momentum")), weightDecay(number(config, "weight_decay")),
      beta1(number(config, "beta1")), beta2(number(config, "beta2")), eps(number(config, "eps")),
      nesterov(config.getAs<BoolAttr>("nesterov") && config.getAs<BoolAttr>("nesterov").getValue()) {}

SmallVector<std::string> Optimizer::slots() const {
  if (kind == "sgd")
    return momentum != 0 ? SmallVector<std::string>{"momentum_buffer"} : SmallVector<std::string>{};
  return {"exp_avg", "exp_avg_sq"};
}

Value Optimizer::update(GradBuilder &g, Value param, Value grad, ArrayRef<Value> state,
                        Value step, SmallVectorImpl<Value> &newState) const {
  if (kind == "sgd")
    return sgd(g, param, grad, state, newState);
  return adam(g, param, grad, state, step, newState);
}

Value Optimizer::sgd(GradBuilder &g, Value param, Value grad, ArrayRef<Value> state,
                     SmallVectorImpl<Value> &newState) const {
  Value d = grad;
  if (weightDecay != 0)
    d = g.add(d, g.mul(param, g.scalar(weightDecay)));
  if (momentum != 0) {
    // buf = momentum * buf + d (dampening 0); the zero-initialized buffer
    // makes the first step buf = d, as torch's clone.
    Value buf = g.add(g.mul(state[0], g.scalar(momentum)), d);
    newState.push_back(buf);
    d = nesterov ? g.add(d, g.mul(buf, g.scalar(momentum))) : buf;
  }
  return g.sub(param, g.mul(d, g.scalar(lr)));
}

Value Optimizer::adam(GradBuilder &g, Value param, Value grad, ArrayRef<Value> state, Value step,
                      SmallVectorImpl<Value> &newState) const {
  bool decoupled = kind == "adamw";
  if (decoupled && weightDecay != 0)
    param = g.mul(param, g.scalar(1.0 - lr * weightDecay));
  else if (weightDecay != 0)
    grad = g.add(grad, g.mul(param, g.scalar(weightDecay)));
  // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1);
  // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2), in that
  // operand order so the f32 roundings are torch's.
  Value m = g.add(g.mul(state[0], g.scalar(beta1)), g.mul(grad, g.scalar(1.0 - beta1)));
  Value v = g.add(g.mul(state[1], g.scalar(beta2)),
                  g.mul(g.mul(grad, g.scalar(1.0 - beta2)), grad));
  newState.push_back(m);
  newState.push_back(v);
  Value one = g.scalar(1.0);
  Value correction1 = g.sub(one, g.create<PowOp>({g.scalar(beta1), step}));
  Value correction2 = g.sub(one, g.create<PowOp>({g.scalar(beta2), step}));
  Value stepSize = g.div(g.scalar(lr), correction1);
  Value denom = g.add(g.div(g.sqrt(v), g.sqrt(correction2)), g.scalar(eps));
  // param.addcdiv_(exp_avg, denom, value=-step_size): p + (-s * m) / denom.
  return g.sub(param, g.div(g.mul(stepSize, m), denom));
}

} // namespace asg
