// ObjectEmitter.cpp: in-process object emission through LLVM's TargetMachine (PIC, host or
// chosen CPU), after LLVM's own optimization pipeline.
#include "compiler/Target/CPU/ObjectEmitter.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <chrono>

namespace asg {
namespace {

struct ResolvedTarget {
  std::string triple, cpu, features;
  const llvm::Target *target = nullptr;
};

std::string resolve(const CpuTargetOptions &options, ResolvedTarget &out) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  out.triple = llvm::sys::getProcessTriple();
  std::string error;
  out.target = llvm::TargetRegistry::lookupTarget(out.triple, error);
  if (!out.target)
    return "no LLVM target for " + out.triple + ": " + error;
  if (options.cpu == "host") {
    out.cpu = llvm::sys::getHostCPUName().str();
    llvm::StringMap<bool> hostFeatures = llvm::sys::getHostCPUFeatures();
    for (auto &feature : hostFeatures)
      out.features += (out.features.empty() ? "" : ",") + std::string(feature.second ? "+" : "-") +
                      feature.first().str();
  } else {
    out.cpu = options.cpu;
  }
  if (!options.features.empty())
    out.features += (out.features.empty() ? "" : ",") + options.features;
  return "";
}

std::unique_ptr<llvm::TargetMachine> makeTargetMachine(const ResolvedTarget &t, unsigned optLevel) {
  llvm::TargetOptions targetOptions;
  // Contract a*b+c into fused multiply-adds where the CPU has them (one
  // rounding instead of two, as BLAS libraries do); the result is still the
  // same on every run and thread count of the same artifact.
  targetOptions.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  auto level = optLevel == 0   ? llvm::CodeGenOptLevel::None
               : optLevel == 1 ? llvm::CodeGenOptLevel::Less
               : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                               : llvm::CodeGenOptLevel::Aggressive;
  return std::unique_ptr<llvm::TargetMachine>(t.target->createTargetMachine(
      t.triple, t.cpu, t.features, targetOptions, llvm::Reloc::PIC_, std::nullopt, level));
}

} // namespace

std::string validateCpuTarget(const CpuTargetOptions &options) {
  ResolvedTarget t;
  if (std::string error = resolve(options, t); !error.empty())
    return error;
  // A subtarget of the generic CPU answers what names exist without the
  // warnings LLVM prints when a target machine gets an unknown CPU.
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      t.target->createMCSubtargetInfo(t.triple, "", ""));
  if (!info || !info->isCPUStringValid(t.cpu))
    return "unknown CPU '" + t.cpu + "' for " + t.triple;
  for (llvm::StringRef feature : llvm::split(options.features, ',')) {
    feature = feature.trim();
    if (feature.empty())
      continue;
    if (feature[0] != '+' && feature[0] != '-')
      return "feature '" + feature.str() + "' must start with '+' or '-'";
    bool known = llvm::any_of(info->getAllProcessorFeatures(), [&](const llvm::SubtargetFeatureKV &kv) {
      return llvm::StringRef(kv.Key) == feature.drop_front();
    });
    if (!known)
      return "unknown CPU feature '" + feature.drop_front().str() + "'";
  }
  return "";
}

unsigned cpuVectorBits(const CpuTargetOptions &options) {
  ResolvedTarget t;
  if (!resolve(options, t).empty())
    return 128;
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      t.target->createMCSubtargetInfo(t.triple, t.cpu, t.features));
  if (!info)
    return 128;
  auto has = [&](const char *feature) { return info->checkFeatures(std::string("+") + feature); };
  if (has("avx512f"))
    return 512;
  if (has("avx"))
    return 256;
  return 128;
}

std::string emitObject(mlir::ModuleOp module, const CpuTargetOptions &options,
                       llvm::SmallVectorImpl<char> &object, ObjectEmissionTimes *times) {
  ObjectEmissionTimes local;
  if (!times)
    times = &local;
  auto clock = std::chrono::steady_clock::now();
  auto lap = [&](double &into) {
    auto now = std::chrono::steady_clock::now();
    into = std::chrono::duration<double, std::milli>(now - clock).count();
    clock = now;
  };
  ResolvedTarget t;
  if (std::string error = resolve(options, t); !error.empty())
    return error;
  std::unique_ptr<llvm::TargetMachine> tm = makeTargetMachine(t, options.optLevel);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = mlir::translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return "translation to LLVM IR failed";
  llvmModule->setTargetTriple(t.triple);
  llvmModule->setDataLayout(tm->createDataLayout());
  lap(times->translate);

  auto optimize = mlir::makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0, tm.get());
  if (llvm::Error error = optimize(llvmModule.get()))
    return "LLVM optimization failed: " + llvm::toString(std::move(error));
  lap(times->optimize);

  llvm::raw_svector_ostream stream(object);
  llvm::legacy::PassManager codegen;
  if (tm->addPassesToEmitFile(codegen, stream, nullptr, llvm::CodeGenFileType::ObjectFile))
    return "the target cannot emit object files";
  codegen.run(*llvmModule);
  lap(times->codegen);
  return "";
}

} // namespace asg
