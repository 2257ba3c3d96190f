// AsgInterfaces.td: op interfaces of the asg dialect (the per-op gradient, VJP).
#ifndef ASG_INTERFACES_TD
#define ASG_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Asg_DifferentiableOpInterface : OpInterface<"DifferentiableOp"> {
  let cppNamespace = "::asg";
  let description = [{
    The vector-Jacobian product of an op, built from asg ops: given the
    gradient of a scalar loss with respect to the op's result, the gradients
    with respect to its operands. Every asg op implements it beside its
    definition (dialect/Gradients.cpp), so a new op brings its gradient.
  }];
  let methods = [
    InterfaceMethod<[{
        Appends one value per operand to `operandGrads`: the gradient with
        respect to that operand, of exactly the operand's type, or a null
        value where none flows (integer operands, ops with zero gradient) or
        where `needed` is false (the caller does not want it: skip the work).
      }],
      "::llvm::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::Value":$resultGrad,
           "::llvm::ArrayRef<bool>":$needed,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

#endif // ASG_INTERFACES_TD
