// CallbackTable.cpp: calls through the runtime's structs of function pointers.
#include "compiler/Transforms/CallbackTable.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;

namespace asg {

Value CallbackTable::field(OpBuilder &b, Location loc, int32_t field) const {
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  auto type =
      LLVM::LLVMStructType::getLiteral(b.getContext(), SmallVector<Type>(numFields, ptr));
  Value address = b.create<LLVM::GEPOp>(loc, ptr, type, table, ArrayRef<LLVM::GEPArg>{0, field});
  return b.create<LLVM::LoadOp>(loc, ptr, address);
}

Value CallbackTable::call(OpBuilder &b, Location loc, int32_t fieldIndex, ValueRange operands,
                          Type resultType) const {
  SmallVector<Value> calleeAndArgs = {field(b, loc, fieldIndex), field(b, loc, selfField)};
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
