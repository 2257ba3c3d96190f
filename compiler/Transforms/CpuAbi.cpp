// CpuAbi.cpp: calls through the runtime's asg_cpu_context, in the LLVM dialect.
#include "compiler/Transforms/CpuAbi.h"

#include "compiler/Transforms/CallbackTable.h"

using namespace mlir;

namespace asg {

Value cpuContextField(OpBuilder &b, Location loc, Value context, int32_t field) {
  return CallbackTable{context, kCpuContextFields, kCpuContextSelf}.field(b, loc, field);
}

Value callCpuContext(OpBuilder &b, Location loc, Value context, int32_t field,
                     ValueRange operands, Type resultType) {
  return CallbackTable{context, kCpuContextFields, kCpuContextSelf}.call(b, loc, field, operands,
                                                                          resultType);
}

} // namespace asg
