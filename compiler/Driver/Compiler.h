// Compiler.h: the asgc compile driver (a library; tools/asgc is a thin command line over it).
#ifndef ASG_COMPILER_DRIVER_COMPILER_H
#define ASG_COMPILER_DRIVER_COMPILER_H

#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace asg {

/// What to produce (SPEC section 2, `--emit`).
enum class EmitKind { Object, Shared, Header, Asg, Linalg, LLVM, Dot, Spirv };

struct CompileOptions {
  std::string inputPath;            // "-" reads stdin
  std::string outputPath;           // empty: the input's stem + the kind's extension; "-": stdout
  EmitKind emit = EmitKind::Object;
  std::optional<std::string> name;  // replaces the model's name
  unsigned optLevel = 2;
  std::string cpu = "host";
  std::string features;
  bool stats = false;
  bool train = false;               // also generate train_step (asg-autodiff)
  bool spirv = false;               // --target spirv: Vulkan kernels + host code recording them
};

/// Exit statuses of SPEC section 2.
enum ExitCode { ExitOk = 0, ExitInvalidModel = 1, ExitUsage = 2, ExitInternal = 3 };

/// The default output path for `options` (the model's stem plus extension).
std::string defaultOutputPath(const CompileOptions &options);

/// Compiles one model. Diagnostics go to `errs`; returns an ExitCode.
int compileModel(const CompileOptions &options, llvm::raw_ostream &errs);

} // namespace asg

#endif // ASG_COMPILER_DRIVER_COMPILER_H
