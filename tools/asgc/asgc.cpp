// asgc: the command line of the compiler (SPEC section 2) over compiler/Driver.
#include "compiler/Driver/Compiler.h"

#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <regex>
#include <unistd.h>

namespace {

constexpr const char *kVersion = "asgc 0.1.0 (LLVM/MLIR 19)";

/// A bug must still exit with status 3 and a message, never a bare crash.
void installCrashHandlers() {
  llvm::install_fatal_error_handler([](void *, const char *reason, bool) {
    fprintf(stderr, "asgc: internal compiler error: %s\n", reason);
    fflush(stderr);
    _exit(asg::ExitInternal);
  });
  llvm::sys::AddSignalHandler(
      [](void *) {
        const char message[] = "asgc: internal compiler error: crashed (this is a bug)\n";
        (void)!write(2, message, sizeof message - 1);
        _exit(asg::ExitInternal);
      },
      nullptr);
}

int usageError(const std::string &message) {
  llvm::errs() << "asgc: error: " << message << "\n";
  return asg::ExitUsage;
}

} // namespace

int main(int argc, char **argv) {
  installCrashHandlers();
  CLI::App app{"asgc: compile a JSON ASG model to native code", "asgc"};
  asg::CompileOptions options;
  std::string emit = "obj", target = "cpu";
  unsigned optLevel = 2;
  bool train = false;
  std::string name;
  app.add_option("MODEL", options.inputPath, "the model file (JSON ASG; - for stdin)")->required();
  app.add_option("-o", options.outputPath, "output path (- for stdout, textual outputs only)");
  app.add_option("--target", target, "cpu (default) or spirv");
  app.add_option("--emit", emit, "obj (default), shared, header, asg, linalg, llvm, spirv, dot");
  app.add_flag("--train", train, "also generate the train_step entry point");
  app.add_option("--name", name, "prefix of the generated C symbols (default: the model's name)");
  app.add_option("-O", optLevel, "optimization level 0-3 (default 2)")
      ->check(CLI::Range(0u, 3u));
  app.add_option("--cpu", options.cpu, "target CPU (default: host)");
  app.add_option("--features", options.features, "target features, e.g. +avx2,-fma");
  app.add_flag("--stats", options.stats, "print compile statistics to stderr");
  app.set_version_flag("--version", kVersion);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) { // --help and --version (CallForHelp is a Success)
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    // CLI11 2.1 would exit 100-127 with a bare message; SPEC says 2.
    return usageError(std::string(e.what()) + " (see asgc --help)");
  }

  static const std::map<std::string, asg::EmitKind> kinds = {
      {"obj", asg::EmitKind::Object}, {"shared", asg::EmitKind::Shared},
      {"header", asg::EmitKind::Header}, {"asg", asg::EmitKind::Asg},
      {"linalg", asg::EmitKind::Linalg}, {"llvm", asg::EmitKind::LLVM},
      {"dot", asg::EmitKind::Dot}, {"spirv", asg::EmitKind::Spirv}};
  if (target != "cpu" && target != "spirv")
    return usageError("--target must be cpu or spirv, got '" + target + "'");
  if (emit == "spirv" && target != "spirv")
    return usageError("--emit spirv needs --target spirv");
  auto kind = kinds.find(emit);
  if (kind == kinds.end())
    return usageError("--emit must be one of obj, shared, header, asg, linalg, llvm, spirv, dot; "
                      "got '" + emit + "'");
  if (app.count("--name")) {
    if (!std::regex_match(name, std::regex("[A-Za-z_][A-Za-z0-9_]*")))
      return usageError("--name '" + name + "' must match [A-Za-z_][A-Za-z0-9_]*");
    options.name = name;
  }
  options.emit = kind->second;
  options.train = train;
  options.spirv = target == "spirv";
  options.optLevel = optLevel;
  return asg::compileModel(options, llvm::errs());
}
