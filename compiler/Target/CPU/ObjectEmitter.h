// ObjectEmitter.h: LLVM dialect module -> native relocatable object, in-process.
#ifndef ASG_COMPILER_TARGET_CPU_OBJECTEMITTER_H
#define ASG_COMPILER_TARGET_CPU_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace asg {

struct CpuTargetOptions {
  std::string cpu = "host"; // an LLVM CPU name, or "host"
  std::string features;     // "+avx2,-fma" style, added to the CPU's own
  unsigned optLevel = 2;
};

/// Checks the CPU name and features against the host target; returns an
/// error message, empty when they are fine.
std::string validateCpuTarget(const CpuTargetOptions &options);

/// The width in bits of the target's widest vector registers for f32 (512
/// with AVX-512, 256 with AVX, else 128). `options` must be valid.
unsigned cpuVectorBits(const CpuTargetOptions &options);

/// Milliseconds spent in each step of emitObject (for asgc --stats).
struct ObjectEmissionTimes {
  double translate = 0, optimize = 0, codegen = 0;
};

/// Translates `module` (LLVM dialect) to LLVM IR, optimizes it at the
/// options' level and emits a position-independent object into `object`.
/// Returns an error message, empty on success.
std::string emitObject(mlir::ModuleOp module, const CpuTargetOptions &options,
                       llvm::SmallVectorImpl<char> &object, ObjectEmissionTimes *times = nullptr);

} // namespace asg

#endif // ASG_COMPILER_TARGET_CPU_OBJECTEMITTER_H
