// GpuAbi.cpp: calls through the runtime's asg_gpu_recorder, in the LLVM dialect.
#include "compiler/Target/SPIRV/GpuAbi.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;

namespace asg {

namespace {
/// The pointer stored in field `field` of the recorder struct.
Value recorderField(OpBuilder &b, Location loc, Value recorder, int32_t field) {
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  auto type = LLVM::LLVMStructType::getLiteral(b.getContext(),
                                               SmallVector<Type>(kRecorderFields, ptr));
  Value address =
      b.create<LLVM::GEPOp>(loc, ptr, type, recorder, ArrayRef<LLVM::GEPArg>{0, field});
  return b.create<LLVM::LoadOp>(loc, ptr, address);
}
} // namespace

Value callRecorder(OpBuilder &b, Location loc, Value recorder, int32_t field,
                   ValueRange operands, Type resultType) {
  SmallVector<Value> calleeAndArgs = {recorderField(b, loc, recorder, field),
                                      recorderField(b, loc, recorder, kRecorderSelf)};
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
