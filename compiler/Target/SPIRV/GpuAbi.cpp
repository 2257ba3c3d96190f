// GpuAbi.cpp: calls through the runtime's asg_gpu_recorder, in the LLVM dialect.
#include "compiler/Target/SPIRV/GpuAbi.h"

#include "compiler/Transforms/CallbackTable.h"

using namespace mlir;

namespace asg {

Value callRecorder(OpBuilder &b, Location loc, Value recorder, int32_t field,
                   ValueRange operands, Type resultType) {
  return CallbackTable{recorder, kRecorderFields, kRecorderSelf}.call(b, loc, field, operands,
                                                                       resultType);
}

} // namespace asg
