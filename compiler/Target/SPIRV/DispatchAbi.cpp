// DispatchAbi.cpp: asg-gpu-dispatch-abi, the binding of outlined kernels to the runtime's
// asg_gpu_recorder (docs/abi.md, "The SPIR-V target"; see Passes.td).
#include "compiler/Target/SPIRV/GpuAbi.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"
#include "mlir/Dialect/SPIRV/Transforms/SPIRVConversion.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGGPUDISPATCHABI
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// What the host needs to know to dispatch a kernel.
struct KernelInfo {
  gpu::GPUFuncOp func;
  unsigned index;
  std::string entry; // the host function launching it
  SmallVector<unsigned> bufferArgs, scalarArgs;
  SmallVector<int32_t, 3> workgroupSize;
  uint32_t written = 0; // bit b: binding b is written (bindings >= 32: always assumed)
};

/// i32 word -> the scalar type a kernel argument had.
Value fromWord(OpBuilder &b, Location loc, Value word, Type type) {
  if (type.isIndex())
    return b.create<arith::IndexCastOp>(loc, type, word);
  if (type.isInteger(1))
    return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, word,
                                   b.create<arith::ConstantIntOp>(loc, 0, 32));
  if (type.isInteger(32))
    return word;
  if (type.isSignlessInteger() && type.getIntOrFloatBitWidth() < 32)
    return b.create<arith::TruncIOp>(loc, type, word);
  return b.create<arith::BitcastOp>(loc, type, word); // f32
}

/// The scalar as the i32 word the runtime pushes.
Value toWord(OpBuilder &b, Location loc, Value value) {
  Type type = value.getType(), i32 = b.getI32Type();
  if (type.isIndex())
    return b.create<arith::IndexCastOp>(loc, i32, value);
  if (type.isInteger(32))
    return value;
  if (type.isSignlessInteger() && type.getIntOrFloatBitWidth() < 32)
    return b.create<arith::ExtUIOp>(loc, i32, value);
  return b.create<arith::BitcastOp>(loc, i32, value);
}

bool fitsWord(Type type) {
  return type.isIndex() || type.isF32() ||
         (type.isSignlessInteger() && type.getIntOrFloatBitWidth() <= 32);
}

/// Device side: scalars read from push constants, buffers bound in order,
/// the workgroup size as the entry point ABI.
LogicalResult bindKernel(KernelInfo &kernel) {
  gpu::GPUFuncOp func = kernel.func;
  MLIRContext *ctx = func.getContext();
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    if (isa<MemRefType>(type))
      kernel.bufferArgs.push_back(i);
    else if (fitsWord(type))
      kernel.scalarArgs.push_back(i);
    else
      return func.emitError("kernel argument ") << i << " of type " << type
                                                << " does not fit a 32-bit push constant";
  }
  if (kernel.scalarArgs.size() > kMaxPushConstantWords)
    return func.emitError("kernel needs ")
           << kernel.scalarArgs.size() << " push constant words; the limit is "
           << kMaxPushConstantWords;
  Block &entry = func.getBody().front();
  OpBuilder b(&entry, entry.begin());
  Type i32 = b.getI32Type();
  for (auto [word, arg] : llvm::enumerate(kernel.scalarArgs)) {
    Location loc = func.getLoc();
    Value loaded = spirv::getPushConstantValue(&*b.getInsertionPoint(), kernel.scalarArgs.size(),
                                               word, i32, b);
    if (!loaded)
      return func.emitError("cannot create the push constant block");
    func.getArgument(arg).replaceAllUsesWith(
        fromWord(b, loc, loaded, func.getArgument(arg).getType()));
  }
  llvm::BitVector erase(func.getNumArguments());
  for (unsigned arg : kernel.scalarArgs)
    erase.set(arg);
  func.eraseArguments(erase);
  for (unsigned binding = 0; binding < func.getNumArguments(); ++binding) {
    func.setArgAttr(binding, spirv::getInterfaceVarABIAttrName(),
                    spirv::getInterfaceVarABIAttr(/*descriptorSet=*/0, binding, std::nullopt, ctx));
    // The runtime orders only dispatches that touch a buffer one of them
    // writes (bindings past 32 count as written without a bit).
    auto users = func.getArgument(binding).getUsers();
    bool writes = llvm::any_of(users, [](Operation *user) { return !isa<memref::LoadOp>(user); });
    if (writes && binding < 32)
      kernel.written |= 1u << binding;
  }
  func->setAttr(spirv::getEntryPointABIAttrName(),
                spirv::getEntryPointABIAttr(ctx, kernel.workgroupSize));
  return success();
}

/// The device buffer handle of a memref (its aligned pointer).
Value bufferHandle(OpBuilder &b, Location loc, Value memref) {
  Value index = b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, memref);
  Value i64 = b.create<arith::IndexCastOp>(loc, b.getI64Type(), index);
  return b.create<LLVM::IntToPtrOp>(loc, LLVM::LLVMPointerType::get(b.getContext()), i64);
}

/// An array of `count` elements of `type` on the host stack, in the entry block.
Value stackArray(OpBuilder &b, Block &entry, Location loc, Type type, int64_t count) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&entry);
  Value n = b.create<LLVM::ConstantOp>(loc, b.getI64Type(),
                                      b.getI64IntegerAttr(std::max<int64_t>(count, 1)));
  return b.create<LLVM::AllocaOp>(loc, LLVM::LLVMPointerType::get(b.getContext()), type, n);
}

void storeAt(OpBuilder &b, Location loc, Value array, Type type, int64_t i, Value value) {
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  Value slot = b.create<LLVM::GEPOp>(loc, ptr, type, array, ArrayRef<LLVM::GEPArg>{int32_t(i)});
  b.create<LLVM::StoreOp>(loc, value, slot);
}

/// Host side: gpu.launch_func -> recorder->dispatch(self, kernel, buffers, words, gx, gy, gz).
void lowerLaunch(gpu::LaunchFuncOp launch, const KernelInfo &kernel, Value recorder, Block &entry) {
  OpBuilder b(launch);
  Location loc = launch.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  Value buffers = stackArray(b, entry, loc, ptr, kernel.bufferArgs.size());
  Value words = stackArray(b, entry, loc, i32, kernel.scalarArgs.size());
  for (auto [binding, arg] : llvm::enumerate(kernel.bufferArgs))
    storeAt(b, loc, buffers, ptr, binding, bufferHandle(b, loc, launch.getKernelOperands()[arg]));
  for (auto [word, arg] : llvm::enumerate(kernel.scalarArgs))
    storeAt(b, loc, words, i32, word, toWord(b, loc, launch.getKernelOperands()[arg]));
  auto toI64 = [&](Value index) { return b.create<arith::IndexCastOp>(loc, i64, index); };
  Value index = b.create<LLVM::ConstantOp>(loc, i64, b.getI64IntegerAttr(kernel.index));
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  callRecorder(b, loc, recorder, kRecorderDispatch,
               {index, buffers, words, toI64(grid.x), toI64(grid.y), toI64(grid.z)});
  launch.erase();
}

/// memref.get_global -> a fresh device buffer filled from the host global.
void uploadGlobal(memref::GetGlobalOp global, Value recorder) {
  OpBuilder b(global->getNextNode());
  Location loc = global.getLoc();
  auto type = cast<MemRefType>(global.getType());
  auto hostAddress = b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, global.getResult());
  Value host = b.create<LLVM::IntToPtrOp>(
      loc, LLVM::LLVMPointerType::get(b.getContext()),
      b.create<arith::IndexCastOp>(loc, b.getI64Type(), hostAddress));
  Value buffer = b.create<memref::AllocOp>(loc, type);
  int64_t bytes = type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
  Value size = b.create<LLVM::ConstantOp>(loc, b.getI64Type(), b.getI64IntegerAttr(bytes));
  callRecorder(b, loc, recorder, kRecorderUpload, {bufferHandle(b, loc, buffer), host, size});
  global.getResult().replaceUsesWithIf(
      buffer, [&](OpOperand &use) { return use.getOwner() != hostAddress; });
}

/// The launch's workgroup size, which must be constant.
FailureOr<SmallVector<int32_t, 3>> workgroupSizeOf(gpu::LaunchFuncOp launch) {
  SmallVector<int32_t, 3> size;
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  for (Value v : {block.x, block.y, block.z}) {
    std::optional<int64_t> constant = getConstantIntValue(v);
    if (!constant)
      return failure();
    size.push_back(static_cast<int32_t>(*constant));
  }
  return size;
}

struct AsgGpuDispatchAbiPass : impl::AsgGpuDispatchAbiBase<AsgGpuDispatchAbiPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);

    // Kernels, in launch order; each outlined kernel is launched once.
    SmallVector<KernelInfo> kernels;
    SmallVector<gpu::LaunchFuncOp> launches; // launches[i] launches kernels[i]
    llvm::SmallPtrSet<Operation *, 16> launched;
    WalkResult walk = module.walk([&](gpu::LaunchFuncOp launch) {
      auto func = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(launch, launch.getKernel());
      if (!func || !launched.insert(func).second) {
        launch.emitError("each outlined kernel must be launched exactly once");
        return WalkResult::interrupt();
      }
      FailureOr<SmallVector<int32_t, 3>> size = workgroupSizeOf(launch);
      if (failed(size)) {
        launch.emitError("the workgroup size of a launch must be constant");
        return WalkResult::interrupt();
      }
      kernels.push_back({func, static_cast<unsigned>(kernels.size()),
                         launch->getParentOfType<func::FuncOp>().getSymName().str(), {}, {},
                         *size});
      launches.push_back(launch);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    for (KernelInfo &kernel : kernels)
      if (failed(bindKernel(kernel)))
        return signalPassFailure();

    // Host functions: a trailing recorder argument, dispatches and uploads through it.
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      fn.insertArgument(fn.getNumArguments(), ptr, {}, fn.getLoc());
      fn->setAttr(kRecorderArgAttr, UnitAttr::get(ctx));
      Value recorder = fn.getArguments().back();
      fn.walk([&](memref::GetGlobalOp global) { uploadGlobal(global, recorder); });
    }
    for (auto [launch, kernel] : llvm::zip(launches, kernels)) {
      auto fn = launch->getParentOfType<func::FuncOp>();
      lowerLaunch(launch, kernel, fn.getArguments().back(), fn.getBody().front());
    }

    // The kernel table for asg-serialize-kernels and asg-emit-entry-points.
    SmallVector<Attribute> table;
    OpBuilder b(ctx);
    for (KernelInfo &kernel : kernels) {
      NamedAttrList fields;
      fields.append("name", b.getStringAttr(kernel.func.getName()));
      fields.append("module", b.getStringAttr(
                                  kernel.func->getParentOfType<gpu::GPUModuleOp>().getName()));
      fields.append("entry", b.getStringAttr(kernel.entry));
      fields.append("buffers", b.getI32IntegerAttr(kernel.bufferArgs.size()));
      fields.append("push_constants", b.getI32IntegerAttr(kernel.scalarArgs.size()));
      fields.append("workgroup_size", b.getDenseI32ArrayAttr(kernel.workgroupSize));
      fields.append("written", b.getI32IntegerAttr(static_cast<int32_t>(kernel.written)));
      table.push_back(fields.getDictionary(ctx));
    }
    module->setAttr(kKernelTableAttr, b.getArrayAttr(table));
  }
};

} // namespace
} // namespace asg
