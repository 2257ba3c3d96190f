// ModelImporter.h: JSON ASG model -> `asg` dialect module, with located diagnostics.
#ifndef ASG_COMPILER_IMPORT_MODELIMPORTER_H
#define ASG_COMPILER_IMPORT_MODELIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace asg {

struct ImportOptions {
  /// Shown in diagnostics and recorded in locations.
  std::string fileName = "<stdin>";
  /// Replaces the model's `name` as the prefix of generated symbols.
  std::optional<std::string> nameOverride;
  /// Recorded in the descriptor (`cpu` or `spirv`).
  std::string target = "cpu";
  /// Also build `func @train_step` (forward of the loss, with argument
  /// attributes asg.input / asg.param / asg.trainable) and the module
  /// attribute `asg.train` for asg-autodiff. Requires a `train` section.
  bool train = false;
};

/// Imports a model. Every error found is printed to `diagnostics` as
/// `file:line:col: error: message` (SPEC section 4) and counted in
/// `errorCount`; the result is null when there was any.
///
/// The module holds `func.func @forward` taking the inputs and parameters its
/// outputs depend on (inputs first, each group in model order), with every op
/// located at its JSON object, plus module attributes: `asg.model_name`,
/// `asg.metadata` (descriptor header text, docs/abi.md), `asg.entries` and
/// `asg.entry.<name>` (the entry's argument and result lines).
mlir::OwningOpRef<mlir::ModuleOp> importModel(llvm::StringRef text, const ImportOptions &options,
                                              mlir::MLIRContext *ctx,
                                              llvm::raw_ostream &diagnostics,
                                              unsigned &errorCount);

} // namespace asg

#endif // ASG_COMPILER_IMPORT_MODELIMPORTER_H
