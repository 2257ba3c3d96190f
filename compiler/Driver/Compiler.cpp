// Compiler.cpp: reads a model, imports it, runs the pipelines and writes the requested output.
#include "compiler/Driver/Compiler.h"

#include "compiler/Import/ModelImporter.h"
#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Registration.h"
#include "compiler/Target/CPU/HeaderEmitter.h"
#include "compiler/Target/CPU/ObjectEmitter.h"
#include "compiler/Target/Dot/DotEmitter.h"
#include "compiler/Target/SPIRV/GpuAbi.h"
#include "compiler/Transforms/Arena.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/Timer.h"
#include "llvm/Support/ToolOutputFile.h"

#include <chrono>

namespace asg {
namespace {

const char *extensionOf(EmitKind kind) {
  switch (kind) {
  case EmitKind::Object: return ".o";
  case EmitKind::Shared: return ".so";
  case EmitKind::Header: return ".h";
  case EmitKind::Dot: return ".dot";
  case EmitKind::Spirv: return ".spirv";
  default: return ".mlir";
  }
}

bool isTextual(EmitKind kind) {
  return kind != EmitKind::Object && kind != EmitKind::Shared && kind != EmitKind::Spirv;
}

/// Times the stages of one compilation for --stats.
class StageTimer {
public:
  void start() { begin = std::chrono::steady_clock::now(); }
  void stop(const char *stage) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
                    .count();
    stages.emplace_back(stage, ms);
  }
  std::vector<std::pair<std::string, double>> stages;

private:
  std::chrono::steady_clock::time_point begin;
};

bool writeOutput(const std::string &path, llvm::StringRef bytes, llvm::raw_ostream &errs) {
  std::error_code ec;
  llvm::ToolOutputFile file(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    errs << "asgc: error: cannot write '" << path << "': " << ec.message() << "\n";
    return false;
  }
  file.os() << bytes;
  file.os().flush();
  if (file.os().has_error()) {
    errs << "asgc: error: cannot write '" << path << "'\n";
    file.os().clear_error();
    return false;
  }
  file.keep();
  return true;
}

/// Links an object into a shared library with the system C compiler driver,
/// exporting the descriptor also as `asg_shared_model` (docs/abi.md).
bool linkShared(llvm::StringRef object, const std::string &output, const std::string &modelName,
                llvm::raw_ostream &errs) {
  llvm::SmallString<128> objectPath;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("asgc", "o", fd, objectPath)) {
    errs << "asgc: error: cannot create a temporary file\n";
    return false;
  }
  llvm::FileRemover remover(objectPath);
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << object;
  }
  std::string linker;
  for (const char *candidate : {"cc", "clang-19", "gcc"})
    if (auto found = llvm::sys::findProgramByName(candidate)) {
      linker = *found;
      break;
    }
  if (linker.empty()) {
    errs << "asgc: error: --emit shared needs a C compiler driver (cc) to link\n";
    return false;
  }
  std::string alias = "-Wl,--defsym=asg_shared_model=" + modelName + "_model";
  llvm::SmallVector<llvm::StringRef> args = {linker, "-shared", "-o", output, objectPath, alias};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(linker, args, std::nullopt, {}, 60, 0, &message);
  if (rc != 0) {
    errs << "asgc: error: linking '" << output << "' failed"
         << (message.empty() ? "" : ": " + message) << "\n";
    return false;
  }
  return true;
}

/// What --stats reports of one entry point.
struct EntryStats {
  unsigned kernels = 0;          // linalg ops after fusion: the loop nests run
  uint64_t staticBytes = 0;      // buffers allocated with static sizes
  unsigned dynamicBuffers = 0;   // buffers whose size depends on dynamic dims
  unsigned buffers = 0;          // every buffer allocated (after bufferization)
  mlir::DictionaryAttr arena;    // asg-plan-memory's plan (CPU only)
};

/// Counts the kernels of each entry function (on linalg, after fusion).
void countKernels(mlir::ModuleOp module, llvm::StringMap<EntryStats> &stats) {
  module.walk([&](mlir::func::FuncOp fn) {
    EntryStats &entry = stats[fn.getSymName()];
    fn.walk([&](mlir::linalg::LinalgOp) { ++entry.kernels; });
  });
}

/// Counts the SPIR-V kernels of each entry function (the real dispatches).
void countSpirvKernels(mlir::ModuleOp module, llvm::StringMap<EntryStats> &stats) {
  for (auto &entry : stats)
    entry.second.kernels = 0;
  auto table = module->getAttrOfType<mlir::ArrayAttr>(kKernelTableAttr);
  for (auto kernel : table.getAsRange<mlir::DictionaryAttr>())
    ++stats[kernel.getAs<mlir::StringAttr>("entry").getValue()].kernels;
}

/// --emit spirv: `<dir>/<entry>.<n>.spv`, the n-th kernel of each entry point.
bool writeSpirvModules(mlir::ModuleOp module, const std::string &dir, llvm::raw_ostream &errs) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir)) {
    errs << "asgc: error: cannot create '" << dir << "': " << ec.message() << "\n";
    return false;
  }
  auto table = module->getAttrOfType<mlir::ArrayAttr>(kKernelTableAttr);
  auto words = module->getAttrOfType<mlir::ArrayAttr>(kSpirvWordsAttr);
  llvm::StringMap<unsigned> perEntry;
  for (auto [kernel, code] : llvm::zip(table.getAsRange<mlir::DictionaryAttr>(),
                                       words.getAsRange<mlir::DenseI32ArrayAttr>())) {
    llvm::StringRef entry = kernel.getAs<mlir::StringAttr>("entry").getValue();
    std::string path =
        (dir + "/" + entry + "." + llvm::Twine(perEntry[entry]++) + ".spv").str();
    llvm::ArrayRef<int32_t> data = code.asArrayRef();
    llvm::StringRef bytes(reinterpret_cast<const char *>(data.data()), data.size() * 4);
    if (!writeOutput(path, bytes, errs))
      return false;
  }
  return true;
}

/// Sums the intermediate buffers of each entry function (after bufferization).
void countBuffers(mlir::ModuleOp module, llvm::StringMap<EntryStats> &stats) {
  module.walk([&](mlir::func::FuncOp fn) {
    EntryStats &entry = stats[fn.getSymName()];
    fn.walk([&](mlir::memref::AllocOp alloc) {
      ++entry.buffers;
      mlir::MemRefType type = alloc.getType();
      if (!type.hasStaticShape()) {
        ++entry.dynamicBuffers;
        return;
      }
      entry.staticBytes += type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
    });
  });
}

/// The arena asg-plan-memory planned for each entry function (module attributes).
void readArenas(mlir::ModuleOp module, llvm::StringMap<EntryStats> &stats) {
  for (auto &entry : stats)
    entry.second.arena = module->getAttrOfType<mlir::DictionaryAttr>(
        (llvm::Twine(kArenaAttr) + "." + entry.first()).str());
}

/// "arena 2048 bytes for 3 planned buffers of 2304 bytes, 1 buffer left on the heap"
void printArena(const EntryStats &e, llvm::raw_ostream &errs) {
  auto field = [&](llvm::StringRef name) { return e.arena.getAs<mlir::IntegerAttr>(name).getInt(); };
  int64_t bytes = field("bytes"), planned = field("buffers"), dynamic = field("dynamic_buffers");
  int64_t staticBytes = field("static_buffer_bytes");
  auto buffers = [](int64_t n) { return n == 1 ? " buffer" : " buffers"; };
  errs << "arena ";
  if (bytes < 0)
    errs << "sized by dynamic dims";
  else
    errs << bytes << " bytes";
  errs << " for " << planned << " planned" << buffers(planned);
  if (planned > dynamic)
    errs << " of " << staticBytes << " bytes";
  if (dynamic)
    errs << (planned > dynamic ? " + " : " (") << dynamic << " sized by dynamic dims"
         << (planned > dynamic ? "" : ")");
  int64_t heap = static_cast<int64_t>(e.buffers) - planned;
  errs << ", " << heap << buffers(heap) << " left on the heap";
}

void printStats(mlir::ModuleOp module, const StageTimer &timer,
                const llvm::StringMap<EntryStats> &entries, llvm::raw_ostream &errs) {
  errs << "asgc: stats for model '"
       << module->getAttrOfType<mlir::StringAttr>("asg.model_name").getValue() << "'\n";
  if (auto names = module->getAttrOfType<mlir::ArrayAttr>("asg.entries"))
    for (auto name : names.getAsValueRange<mlir::StringAttr>()) {
      auto it = entries.find(name);
      if (it == entries.end())
        continue;
      const EntryStats &e = it->second;
      errs << "  entry point '" << name << "': " << e.kernels << " kernels, ";
      if (e.arena) {
        printArena(e, errs);
      } else {
        errs << e.staticBytes << " bytes of static buffers";
        if (e.dynamicBuffers)
          errs << " + " << e.dynamicBuffers << " buffers sized by dynamic dims";
      }
      errs << "\n";
    }
  for (const auto &[stage, ms] : timer.stages)
    errs << llvm::format("  %-24s %9.2f ms\n", stage.c_str(), ms);
}

/// SPEC section 4's "'op' node 'name': message" from an op's diagnostic
/// ("'asg.op' op message" at a location naming the node).
std::string describeModelError(mlir::Diagnostic &diag) {
  std::string message = diag.str(), node;
  diag.getLocation()->walk([&](mlir::Location loc) {
    if (auto named = llvm::dyn_cast<mlir::NameLoc>(loc)) {
      node = named.getName().str();
      return mlir::WalkResult::interrupt();
    }
    return mlir::WalkResult::advance();
  });
  llvm::SmallVector<llvm::StringRef> parts;
  static const llvm::Regex opPrefix("^'asg\\.([a-z_]+)' op (.*)$");
  if (!opPrefix.match(message, &parts))
    return message;
  return "'" + parts[1].str() + "'" + (node.empty() ? "" : " node '" + node + "'") + ": " +
         parts[2].str();
}

/// "file:line:col" of the innermost file location in `loc`, or its MLIR form.
std::string formatLocation(mlir::Location loc) {
  std::string out;
  loc->walk([&](mlir::Location inner) {
    if (auto file = llvm::dyn_cast<mlir::FileLineColLoc>(inner)) {
      out = (file.getFilename().getValue() + ":" + llvm::Twine(file.getLine()) + ":" +
             llvm::Twine(file.getColumn()))
                .str();
      return mlir::WalkResult::interrupt();
    }
    return mlir::WalkResult::advance();
  });
  if (out.empty()) {
    llvm::raw_string_ostream os(out);
    loc.print(os);
  }
  return out;
}

} // namespace

std::string defaultOutputPath(const CompileOptions &options) {
  llvm::StringRef stem = options.inputPath == "-" ? "model" : llvm::sys::path::stem(options.inputPath);
  return (stem + extensionOf(options.emit)).str();
}

int compileModel(const CompileOptions &options, llvm::raw_ostream &errs) {
  std::string output = options.outputPath.empty() ? defaultOutputPath(options) : options.outputPath;
  if (output == "-" && !isTextual(options.emit)) {
    errs << "asgc: error: '-o -' writes only textual outputs (header, asg, linalg, llvm, dot)\n";
    return ExitUsage;
  }
  CpuTargetOptions target{options.cpu, options.features, options.optLevel};
  if (std::string error = validateCpuTarget(target); !error.empty()) {
    errs << "asgc: error: " << error << "\n";
    return ExitUsage;
  }

  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(options.inputPath, /*IsText=*/false,
                                                   /*RequiresNullTerminator=*/false);
  if (!buffer) {
    errs << "asgc: error: cannot read '" << options.inputPath << "': "
         << buffer.getError().message() << "\n";
    return ExitInvalidModel;
  }

  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  // Diagnostics after import are internal errors: say so.
  // Diagnostics after import are internal errors, except those of autodiff,
  // which are about the model (a gradient asgc cannot build).
  bool internalError = false, modelError = false, inAutodiff = false;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    if (diag.getSeverity() != mlir::DiagnosticSeverity::Error)
      return mlir::success();
    if (inAutodiff) {
      modelError = true;
      errs << formatLocation(diag.getLocation()) << ": error: " << describeModelError(diag)
           << "\n";
    } else {
      internalError = true;
      errs << formatLocation(diag.getLocation()) << ": internal compiler error: " << diag.str()
           << " (this is a bug in asgc)\n";
    }
    return mlir::success();
  });

  StageTimer timer;
  timer.start();
  ImportOptions importOptions;
  importOptions.fileName = options.inputPath == "-" ? "<stdin>" : options.inputPath;
  importOptions.nameOverride = options.name;
  importOptions.train = options.train;
  importOptions.target = options.spirv ? "spirv" : "cpu";
  unsigned errorCount = 0;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      importModel((*buffer)->getBuffer(), importOptions, &context, errs, errorCount);
  timer.stop("import");
  if (!module) {
    if (errorCount == 0)
      errs << "asgc: error: the model is invalid\n";
    return ExitInvalidModel;
  }
  if (mlir::failed(mlir::verify(*module)))
    return ExitInternal;
  PipelineOptions pipeline{options.optLevel, options.spirv, cpuVectorBits(target)};
  auto runPipeline = [&](auto build, const char *stage) {
    timer.start();
    mlir::PassManager pm(&context);
    build(pm, pipeline);
    bool ok = mlir::succeeded(pm.run(*module)) && !internalError;
    timer.stop(stage);
    return ok;
  };
  if (options.train) {
    inAutodiff = true;
    bool ok = runPipeline(buildAutodiffPipeline, "autodiff");
    inAutodiff = false;
    if (!ok)
      return modelError ? ExitInvalidModel : ExitInternal;
  }

  auto print = [&](mlir::ModuleOp m) {
    std::string text;
    llvm::raw_string_ostream os(text);
    m.print(os);
    os << "\n";
    return output == "-" ? (llvm::outs() << text, true) : writeOutput(output, text, errs);
  };
  llvm::StringMap<EntryStats> entryStats;
  auto finish = [&](bool ok) {
    if (options.stats)
      printStats(*module, timer, entryStats, errs);
    return ok ? ExitOk : ExitInvalidModel;
  };

  if (options.emit == EmitKind::Asg)
    return finish(print(*module));
  if (options.emit == EmitKind::Dot) {
    std::string dot = emitDot(*module);
    return finish(output == "-" ? (llvm::outs() << dot, true) : writeOutput(output, dot, errs));
  }
  if (options.emit == EmitKind::Header) {
    std::string header = emitHeader(*module);
    return finish(output == "-" ? (llvm::outs() << header, true) : writeOutput(output, header, errs));
  }

  if (!runPipeline(buildAsgToLinalgPipeline, "asg -> linalg"))
    return ExitInternal;
  if (!runPipeline(buildFusionPipeline, "fusion"))
    return ExitInternal;
  countKernels(*module, entryStats);
  if (options.emit == EmitKind::Linalg) // linalg on tensors, after fusion
    return finish(print(*module));
  if (!runPipeline(buildBufferizationPipeline, "bufferization"))
    return ExitInternal;
  countBuffers(*module, entryStats);
  if (!runPipeline(buildLoweringToLLVMPipeline,
                   options.spirv ? "kernels to SPIR-V, host to llvm" : "lowering to llvm"))
    return ExitInternal;
  readArenas(*module, entryStats);
  if (options.spirv)
    countSpirvKernels(*module, entryStats);
  if (options.emit == EmitKind::Spirv)
    return finish(writeSpirvModules(*module, output, errs));
  if (options.emit == EmitKind::LLVM)
    return finish(print(*module));

  llvm::SmallVector<char, 0> object;
  ObjectEmissionTimes times;
  if (std::string error = emitObject(*module, target, object, &times); !error.empty()) {
    errs << "asgc: internal error: " << error << "\n";
    return ExitInternal;
  }
  timer.stages.emplace_back("translate to LLVM IR", times.translate);
  timer.stages.emplace_back("LLVM optimization", times.optimize);
  timer.stages.emplace_back("LLVM code generation", times.codegen);
  llvm::StringRef bytes(object.data(), object.size());
  if (options.emit == EmitKind::Object)
    return finish(writeOutput(output, bytes, errs));
  std::string modelName =
      (*module)->getAttrOfType<mlir::StringAttr>("asg.model_name").getValue().str();
  timer.start();
  bool linked = linkShared(bytes, output, modelName, errs);
  timer.stop("link shared");
  return finish(linked);
}

} // namespace asg
