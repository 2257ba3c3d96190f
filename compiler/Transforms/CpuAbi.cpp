// CpuAbi.cpp: calls through the runtime's asg_cpu_context, in the LLVM dialect.
#include "compiler/Transforms/CpuAbi.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;

namespace asg {

Value cpuContextField(OpBuilder &b, Location loc, Value context, int32_t field) {
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  auto type = LLVM::LLVMStructType::getLiteral(b.getContext(),
                                               SmallVector<Type>(kCpuContextFields, ptr));
  Value address =
      b.create<LLVM::GEPOp>(loc, ptr, type, context, ArrayRef<LLVM::GEPArg>{0, field});
  return b.create<LLVM::LoadOp>(loc, ptr, address);
}

Value callCpuContext(OpBuilder &b, Location loc, Value context, int32_t field,
                     ValueRange operands, Type resultType) {
  SmallVector<Value> calleeAndArgs = {cpuContextField(b, loc, context, field),
                                      cpuContextField(b, loc, context, kCpuContextSelf)};
  calleeAndArgs.append(operands.begin(), operands.end());
  SmallVector<Type> types;
  for (Value v : ArrayRef<Value>(calleeAndArgs).drop_front())
    types.push_back(v.getType());
  Type result = resultType ? resultType : LLVM::LLVMVoidType::get(b.getContext());
  auto call = b.create<LLVM::CallOp>(loc, LLVM::LLVMFunctionType::get(result, types),
                                     calleeAndArgs);
  return resultType ? call.getResult() : Value();
}

} // namespace asg
