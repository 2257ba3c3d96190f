// DotEmitter.cpp: writes the asg graph of an entry point as Graphviz DOT.
#include "compiler/Target/Dot/DotEmitter.h"

#include "dialect/Shapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"

namespace asg {
namespace {

struct Style {
  const char *fill, *border;
};
constexpr Style kForward{"#dbe9f6", "#3d78b5"}, kBackward{"#fbe3cf", "#c46a1b"},
    kOptimizer{"#dcefd6", "#3f8f3a"}, kInput{"#eeeeee", "#777777"}, kParam{"#fff2cc", "#b8860b"},
    kState{"#e8e0f3", "#7153a3"};

/// "forward", "backward" or "optimizer", from the phase tag asg-autodiff
/// puts on the ops it creates.
llvm::StringRef phaseOf(mlir::Operation *op) {
  llvm::StringRef phase = "forward";
  if (auto fused = llvm::dyn_cast<mlir::FusedLoc>(op->getLoc()))
    if (auto tag = llvm::dyn_cast_or_null<mlir::StringAttr>(fused.getMetadata()))
      phase = tag.getValue();
  return phase;
}

/// The JSON node name an op came from, if any.
std::string nodeName(mlir::Operation *op) {
  std::string name;
  op->getLoc()->walk([&](mlir::Location loc) {
    if (auto named = llvm::dyn_cast<mlir::NameLoc>(loc)) {
      name = named.getName().str();
      return mlir::WalkResult::interrupt();
    }
    return mlir::WalkResult::advance();
  });
  return name;
}

std::string typeLabel(mlir::Type type) {
  auto tensor = llvm::dyn_cast<mlir::RankedTensorType>(type);
  if (!tensor)
    return "";
  return formatDtype(tensor.getElementType()) + formatShape(getShape(tensor));
}

std::string escape(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

/// A node; `label` is already escaped (it may hold \n line breaks).
std::string nodeLine(const std::string &id, const std::string &label, const char *shape,
                     Style style) {
  return "  " + id + " [label=\"" + label + "\", shape=" + shape + ", fillcolor=\"" +
         style.fill + "\", color=\"" + style.border + "\"];\n";
}

/// Argument names, in order, from the entry's metadata lines.
std::vector<std::pair<std::string, std::string>> argumentNames(mlir::ModuleOp module,
                                                               llvm::StringRef entry) {
  std::vector<std::pair<std::string, std::string>> names; // (kind, name)
  auto text = module->getAttrOfType<mlir::StringAttr>(("asg.entry." + entry).str());
  if (!text)
    return names;
  for (llvm::StringRef line : llvm::split(text.getValue(), '\n')) {
    llvm::SmallVector<llvm::StringRef> fields;
    line.split(fields, ' ');
    if (fields.size() == 3 && fields[0] == "arg")
      names.push_back({fields[1].str(), fields[2].str()});
  }
  return names;
}

} // namespace

std::string emitDot(mlir::ModuleOp module) {
  llvm::StringRef entry = module.lookupSymbol("train_step") ? "train_step" : "forward";
  auto fn = module.lookupSymbol<mlir::func::FuncOp>(entry);
  auto modelName = module->getAttrOfType<mlir::StringAttr>("asg.model_name");
  std::string out = "digraph \"" + escape(modelName ? modelName.getValue() : "model") + "\" {\n";
  out += "  label=\"" + escape(modelName ? modelName.getValue() : "model") + ": " + entry.str() +
         "   (blue: forward, orange: backward, green: optimizer)\";\n";
  out += "  labelloc=t; rankdir=TB; fontname=\"Helvetica\";\n";
  out += "  node [style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n";
  if (!fn)
    return out + "}\n";

  llvm::DenseMap<mlir::Value, std::string> ids;
  auto args = argumentNames(module, entry);
  for (mlir::BlockArgument arg : fn.getArguments()) {
    std::string id = "a" + std::to_string(arg.getArgNumber());
    ids[arg] = id;
    std::string kind = arg.getArgNumber() < args.size() ? args[arg.getArgNumber()].first : "input";
    std::string name = arg.getArgNumber() < args.size() ? args[arg.getArgNumber()].second : id;
    Style style = kind == "param" ? kParam : kind == "state" ? kState : kInput;
    out += nodeLine(id, escape(name), "ellipse", style);
  }
  unsigned counter = 0;
  fn.walk([&](mlir::Operation *op) {
    if (op == fn.getOperation())
      return;
    std::string id = "n" + std::to_string(counter++);
    if (llvm::isa<mlir::func::ReturnOp>(op)) {
      out += nodeLine(id, "results", "doubleoctagon", kInput);
    } else {
      llvm::StringRef phase = phaseOf(op);
      Style style = phase == "backward" ? kBackward : phase == "optimizer" ? kOptimizer : kForward;
      std::string label = escape(op->getName().stripDialect());
      std::string node = nodeName(op);
      if (!node.empty() && phase == "forward")
        label += "\\n" + escape(node);
      if (auto constant = llvm::dyn_cast_or_null<mlir::ElementsAttr>(op->getAttr("value"));
          constant && constant.getNumElements() == 1) {
        // Scalars (learning rates, epsilons, ones) as small plain labels.
        std::string text;
        llvm::raw_string_ostream os(text);
        constant.getValues<mlir::Attribute>()[0].print(os, /*elideType=*/true);
        out += "  " + id + " [label=\"" + escape(text) + "\", shape=plaintext, style=\"\"];\n";
      } else {
        out += nodeLine(id, label, "box", style);
      }
    }
    for (mlir::Value result : op->getResults())
      ids[result] = id;
    for (mlir::Value operand : op->getOperands()) {
      auto it = ids.find(operand);
      if (it == ids.end())
        continue;
      out += "  " + it->second + " -> " + id + " [label=\"" + escape(typeLabel(operand.getType())) +
             "\"];\n";
    }
  });
  return out + "}\n";
}

} // namespace asg
