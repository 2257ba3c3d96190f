// Optimizers.h: the parameter updates of torch.optim's SGD, Adam and AdamW, built from asg ops.
#ifndef ASG_COMPILER_TRANSFORMS_OPTIMIZERS_H
#define ASG_COMPILER_TRANSFORMS_OPTIMIZERS_H

#include "dialect/GradientUtils.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <string>

namespace asg {

/// One optimizer as configured by the model's `train.optimizer` (every
/// hyperparameter present: the importer fills in SPEC's defaults).
class Optimizer {
public:
  explicit Optimizer(mlir::DictionaryAttr config);

  /// The per-parameter state slots, named as in torch.optim
  /// (`momentum_buffer`, `exp_avg`, `exp_avg_sq`); stored as optim.<param>.<slot>.
  llvm::SmallVector<std::string> slots() const;

  /// The new value of `param` from its gradient and its state (in slot
  /// order); appends the new state to `newState`. `step` is the f32 count of
  /// steps including this one (1 on the first step).
  mlir::Value update(GradBuilder &g, mlir::Value param, mlir::Value grad,
                     llvm::ArrayRef<mlir::Value> state, mlir::Value step,
                     llvm::SmallVectorImpl<mlir::Value> &newState) const;

private:
  std::string kind;
  double lr, momentum, weightDecay, beta1, beta2, eps;
  bool nesterov;

  mlir::Value sgd(GradBuilder &g, mlir::Value param, mlir::Value grad,
                  llvm::ArrayRef<mlir::Value> state,
                  llvm::SmallVectorImpl<mlir::Value> &newState) const;
  mlir::Value adam(GradBuilder &g, mlir::Value param, mlir::Value grad,
                   llvm::ArrayRef<mlir::Value> state, mlir::Value step,
                   llvm::SmallVectorImpl<mlir::Value> &newState) const;
};

} // namespace asg

#endif // ASG_COMPILER_TRANSFORMS_OPTIMIZERS_H
