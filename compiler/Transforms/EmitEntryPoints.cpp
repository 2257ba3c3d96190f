// EmitEntryPoints.cpp: asg-emit-entry-points, the uniform C entry points, the metadata
// text and the `<model>_model` descriptor of docs/abi.md, in the LLVM dialect.
#include "compiler/Target/SPIRV/GpuAbi.h"
#include "compiler/Transforms/Arena.h"
#include "compiler/Transforms/CpuAbi.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;

namespace asg {
#define GEN_PASS_DEF_ASGEMITENTRYPOINTS
#include "compiler/Transforms/Passes.h.inc"

namespace {

/// docs/abi.md: the version of the descriptor layout built below.
constexpr int32_t kAbiVersion = 3;

std::string stringAttr(ModuleOp module, StringRef name) {
  auto attr = module->getAttrOfType<StringAttr>(name);
  return attr ? attr.getValue().str() : std::string();
}

/// The entry's `scratch BYTES` or `scratch ?` line (docs/abi.md) from the
/// plan asg-plan-memory recorded, or nothing if it did not run (SPIR-V).
std::string scratchRecord(ModuleOp module, StringRef entry) {
  auto plan = module->getAttrOfType<DictionaryAttr>((llvm::Twine(kArenaAttr) + "." + entry).str());
  if (!plan)
    return "";
  int64_t bytes = plan.getAs<IntegerAttr>("bytes").getInt();
  return "scratch " + (bytes < 0 ? std::string("?") : std::to_string(bytes)) + "\n";
}

/// `void <model>_<entry>(void *const *args, void *results, void *ctx)`: loads
/// each argument's descriptor pointer and calls the C-interface function,
/// passing `ctx` (the CPU context or the SPIR-V recorder) on last.
LLVM::LLVMFuncOp buildWrapper(OpBuilder &b, ModuleOp module, StringRef model, StringRef entry,
                              unsigned numArgs) {
  MLIRContext *ctx = module.getContext();
  Location loc = module.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto ciface = module.lookupSymbol<LLVM::LLVMFuncOp>(("_mlir_ciface_" + entry).str());
  if (!ciface)
    return nullptr;
  SmallVector<Type> params = {ptr, ptr, ptr};
  auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), params);
  auto wrapper = b.create<LLVM::LLVMFuncOp>(loc, (model + "_" + entry).str(), type,
                                            LLVM::Linkage::Internal);
  OpBuilder::InsertionGuard guard(b);
  Block *body = wrapper.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  Value args = body->getArgument(0), results = body->getArgument(1);

  LLVM::LLVMFunctionType cifaceType = ciface.getFunctionType();
  // Results come back through a leading pointer unless the only result is
  // the status, which is returned by value.
  bool resultsByPointer = cifaceType.getNumParams() == numArgs + 2;
  SmallVector<Value> operands;
  if (resultsByPointer)
    operands.push_back(results);
  for (unsigned k = 0; k < numArgs; ++k) {
    Value slot = b.create<LLVM::GEPOp>(loc, ptr, ptr, args, ArrayRef<LLVM::GEPArg>{int32_t(k)});
    operands.push_back(b.create<LLVM::LoadOp>(loc, ptr, slot));
  }
  operands.push_back(body->getArgument(2));
  auto call = b.create<LLVM::CallOp>(loc, ciface, operands);
  if (!resultsByPointer && call.getNumResults() == 1)
    b.create<LLVM::StoreOp>(loc, call.getResult(), results);
  b.create<LLVM::ReturnOp>(loc, ValueRange{});
  return wrapper;
}

/// A constant global `name` holding `value`; returns its address.
Value constantGlobal(OpBuilder &b, Location loc, ModuleOp module, const std::string &name,
                     Type type, Attribute value) {
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(module.getBody());
    b.create<LLVM::GlobalOp>(loc, type, /*isConstant=*/true, LLVM::Linkage::Internal, name,
                             value);
  }
  return b.create<LLVM::AddressOfOp>(loc, LLVM::LLVMPointerType::get(b.getContext()), name);
}

/// The `asg_gpu_kernel` array of a SPIR-V model (docs/abi.md) from the kernel
/// table and the SPIR-V words; returns the name of its global.
std::string buildKernelTable(OpBuilder &b, ModuleOp module, ArrayAttr spirvWords) {
  MLIRContext *ctx = module.getContext();
  Location loc = module.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  // { const char *name; const uint32_t *code; uint64_t code_size; uint32_t num_buffers,
  //   num_push_constants, workgroup_size[3], written; }
  auto kernelType = LLVM::LLVMStructType::getLiteral(
      ctx, {ptr, ptr, i64, i32, i32, LLVM::LLVMArrayType::get(i32, 3), i32});
  auto kernels = module->getAttrOfType<ArrayAttr>(kKernelTableAttr);
  auto tableType = LLVM::LLVMArrayType::get(kernelType, kernels.size());
  std::string name = "__asg_gpu_kernels";
  b.setInsertionPointToEnd(module.getBody());
  auto table = b.create<LLVM::GlobalOp>(loc, tableType, true, LLVM::Linkage::Internal, name,
                                        Attribute());
  b.createBlock(&table.getInitializerRegion());
  Value array = b.create<LLVM::UndefOp>(loc, tableType);
  for (auto [i, kernelAttr] : llvm::enumerate(kernels.getAsRange<DictionaryAttr>())) {
    auto words = cast<DenseI32ArrayAttr>(spirvWords[i]);
    std::string kernelName = kernelAttr.getAs<StringAttr>("name").getValue().str();
    std::string nameText = kernelName + '\0';
    Value nameAddress = constantGlobal(
        b, loc, module, "__asg_kernel_name_" + std::to_string(i),
        LLVM::LLVMArrayType::get(b.getI8Type(), nameText.size()), b.getStringAttr(nameText));
    auto codeType = RankedTensorType::get({static_cast<int64_t>(words.size())}, i32);
    Value code = constantGlobal(
        b, loc, module, "__asg_kernel_code_" + std::to_string(i),
        LLVM::LLVMArrayType::get(i32, words.size()),
        DenseIntElementsAttr::get(codeType, words.asArrayRef()));
    Value kernel = b.create<LLVM::UndefOp>(loc, kernelType);
    auto set = [&](Value v, ArrayRef<int64_t> position) {
      kernel = b.create<LLVM::InsertValueOp>(loc, kernel, v, position);
    };
    auto constant32 = [&](int64_t v) {
      return b.create<LLVM::ConstantOp>(loc, i32, b.getI32IntegerAttr(v));
    };
    set(nameAddress, {0});
    set(code, {1});
    set(b.create<LLVM::ConstantOp>(loc, i64, b.getI64IntegerAttr(4 * words.size())), {2});
    set(constant32(kernelAttr.getAs<IntegerAttr>("buffers").getInt()), {3});
    set(constant32(kernelAttr.getAs<IntegerAttr>("push_constants").getInt()), {4});
    for (auto [d, size] :
         llvm::enumerate(kernelAttr.getAs<DenseI32ArrayAttr>("workgroup_size").asArrayRef()))
      set(constant32(size), {5, static_cast<int64_t>(d)});
    set(constant32(kernelAttr.getAs<IntegerAttr>("written").getInt()), {6});
    array = b.create<LLVM::InsertValueOp>(loc, array, kernel, ArrayRef<int64_t>{int64_t(i)});
  }
  b.create<LLVM::ReturnOp>(loc, array);
  return name;
}

struct AsgEmitEntryPointsPass : impl::AsgEmitEntryPointsBase<AsgEmitEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    Location loc = module.getLoc();
    std::string model = stringAttr(module, "asg.model_name");
    auto entries = module->getAttrOfType<ArrayAttr>("asg.entries");
    if (model.empty() || !entries) {
      module.emitError("asg-emit-entry-points needs the module attributes asg.model_name and "
                       "asg.entries (set by the importer)");
      return signalPassFailure();
    }

    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    auto spirvWords = module->getAttrOfType<ArrayAttr>(kSpirvWordsAttr);
    bool gpu = spirvWords != nullptr;
    if (!gpu && !module->hasAttr(kCpuContextAttr)) {
      module.emitError("asg-emit-entry-points: the entry functions of a CPU module need the "
                       "asg_cpu_context argument (run asg-cpu-context after bufferization)");
      return signalPassFailure();
    }
    std::string metadata = stringAttr(module, "asg.metadata");
    SmallVector<std::string> wrapperNames;
    for (auto entry : entries.getAsValueRange<StringAttr>()) {
      std::string lines = stringAttr(module, ("asg.entry." + entry).str());
      unsigned numArgs = 0;
      for (StringRef line : llvm::split(lines, '\n'))
        numArgs += line.starts_with("arg ");
      metadata += "entry " + entry.str() + "\n" + lines + scratchRecord(module, entry);
      if (auto checks = module->getAttrOfType<ArrayAttr>(("asg.checks." + entry).str()))
        for (auto [i, message] : llvm::enumerate(checks.getAsValueRange<StringAttr>()))
          metadata += "check " + std::to_string(i + 1) + " " + message.str() + "\n";
      metadata += "end\n";
      LLVM::LLVMFuncOp wrapper = buildWrapper(b, module, model, entry, numArgs);
      if (!wrapper) {
        module.emitError("entry point '") << entry << "' has no C interface function";
        return signalPassFailure();
      }
      wrapperNames.push_back(wrapper.getName().str());
    }

    // Everything but the descriptor is local to the object.
    module.walk([&](LLVM::LLVMFuncOp fn) {
      if (!fn.isExternal())
        fn.setLinkage(LLVM::Linkage::Internal);
    });
    module.walk([&](LLVM::GlobalOp global) { global.setLinkage(LLVM::Linkage::Internal); });

    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i32 = b.getI32Type();
    metadata.push_back('\0');
    auto textType = LLVM::LLVMArrayType::get(b.getI8Type(), metadata.size());
    b.create<LLVM::GlobalOp>(loc, textType, /*isConstant=*/true, LLVM::Linkage::Internal,
                             "__asg_metadata", b.getStringAttr(metadata));

    auto tableType = LLVM::LLVMArrayType::get(ptr, wrapperNames.size());
    auto table = b.create<LLVM::GlobalOp>(loc, tableType, true, LLVM::Linkage::Internal,
                                          "__asg_entry_fns", Attribute());
    {
      OpBuilder::InsertionGuard guard(b);
      b.createBlock(&table.getInitializerRegion());
      Value array = b.create<LLVM::UndefOp>(loc, tableType);
      for (auto [i, name] : llvm::enumerate(wrapperNames)) {
        Value address = b.create<LLVM::AddressOfOp>(loc, ptr, name);
        array = b.create<LLVM::InsertValueOp>(loc, array, address, ArrayRef<int64_t>{int64_t(i)});
      }
      b.create<LLVM::ReturnOp>(loc, array);
    }

    std::string kernelTable;
    if (gpu) {
      OpBuilder::InsertionGuard guard(b);
      kernelTable = buildKernelTable(b, module, spirvWords);
    }

    // struct asg_model_desc { u32 abi_version; u32 num_entries; const char *metadata;
    //                         const asg_entry_fn *entry_fns; u64 num_kernels;
    //                         const asg_gpu_kernel *kernels; }
    auto i64 = b.getI64Type();
    auto descType = LLVM::LLVMStructType::getLiteral(ctx, {i32, i32, ptr, ptr, i64, ptr});
    auto desc = b.create<LLVM::GlobalOp>(loc, descType, true, LLVM::Linkage::External,
                                         model + "_model", Attribute());
    OpBuilder::InsertionGuard guard(b);
    b.createBlock(&desc.getInitializerRegion());
    Value value = b.create<LLVM::UndefOp>(loc, descType);
    auto field = [&](Value v, int64_t index) {
      value = b.create<LLVM::InsertValueOp>(loc, value, v, ArrayRef<int64_t>{index});
    };
    field(b.create<LLVM::ConstantOp>(loc, i32, b.getI32IntegerAttr(kAbiVersion)), 0);
    field(b.create<LLVM::ConstantOp>(loc, i32, b.getI32IntegerAttr(wrapperNames.size())), 1);
    field(b.create<LLVM::AddressOfOp>(loc, ptr, "__asg_metadata"), 2);
    field(b.create<LLVM::AddressOfOp>(loc, ptr, "__asg_entry_fns"), 3);
    field(b.create<LLVM::ConstantOp>(loc, i64,
                                     b.getI64IntegerAttr(gpu ? spirvWords.size() : 0)),
          4);
    field(gpu ? b.create<LLVM::AddressOfOp>(loc, ptr, kernelTable).getResult()
              : b.create<LLVM::ZeroOp>(loc, ptr).getResult(),
          5);
    b.create<LLVM::ReturnOp>(loc, value);
  }
};

} // namespace
} // namespace asg
