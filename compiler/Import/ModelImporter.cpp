// ModelImporter.cpp: validates a JSON ASG model (SPEC section 1) and builds the asg module,
// reporting every error at its JSON object.
#include "compiler/Import/ModelImporter.h"

#include "compiler/Import/JsonDocument.h"
#include "compiler/Import/OpTable.h"
#include "compiler/Target/Metadata.h"
#include "dialect/AsgOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Regex.h"

#include <cmath>

using namespace mlir;

namespace asg {
namespace {

constexpr unsigned kMaxJsonDepth = 64;
constexpr int64_t kMaxRank = 8;
constexpr double kMaxElements = 1099511627776.0; // 2^40

using Kind = JsonValue::Kind;

/// `%.9g`: round-trips every f32 and reads back as the same double.
std::string formatNumber(double value) {
  char buffer[32];
  snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

/// A named value of the model: an input, a parameter or a node result.
struct ModelValue {
  enum class Role { Input, Param, Node } role = Role::Node;
  JsonPos pos;
  RankedTensorType type; // null when the definition failed
  Value value;           // set while building the function
  const JsonValue *node = nullptr;
  std::string op;
  NamedAttrList attrs;
  SmallVector<std::string> operands;
  // Params only.
  bool trainable = true;
  std::string initText;
};

class Importer {
public:
  Importer(const ImportOptions &options, MLIRContext *ctx, raw_ostream &out)
      : options(options), ctx(ctx), out(out), builder(ctx) {}

  OwningOpRef<ModuleOp> run(StringRef text);
  unsigned errors = 0;

private:
  const ImportOptions &options;
  MLIRContext *ctx;
  raw_ostream &out;
  OpBuilder builder;

  std::string modelName;
  llvm::StringMap<ModelValue> values;
  std::vector<std::string> order; // definition order
  llvm::StringMap<JsonPos> declaredAnywhere;
  std::vector<std::string> inputs, params, outputs;

  void error(JsonPos pos, const Twine &message) {
    ++errors;
    out << options.fileName << ":" << pos.line << ":" << pos.col << ": error: " << message << "\n";
  }
  Location locate(JsonPos pos, StringRef name = {}) {
    Location loc = FileLineColLoc::get(ctx, options.fileName, pos.line, pos.col);
    return name.empty() ? loc : NameLoc::get(StringAttr::get(ctx, name), loc);
  }

  // Structure helpers: each reports its own error and returns false/null.
  bool checkKeys(const JsonValue &object, StringRef what, ArrayRef<StringRef> allowed,
                 ArrayRef<StringRef> required);
  const JsonValue *member(const JsonValue &object, StringRef key, Kind kind, StringRef what,
                          const char *expected);

  bool validName(const JsonValue &object, const JsonValue *name, StringRef what);
  bool define(const std::string &name, ModelValue value);
  void defineFailed(const JsonValue &object, const JsonValue *name);
  std::optional<Shape> parseShape(const JsonValue &owner, const JsonValue &shape, StringRef what,
                                  bool staticOnly);
  bool checkElementCount(JsonPos pos, StringRef what, ArrayRef<Dim> dims);

  void importInputs(const JsonValue &list);
  void importParams(const JsonValue &list);
  std::optional<std::string> importInit(const JsonValue &param, const JsonValue *init,
                                        StringRef what, const Shape &shape);
  void importNodes(const JsonValue &list);
  void importNode(const JsonValue &node);
  std::optional<Attribute> convertAttr(const JsonValue &node, const std::string &prefix,
                                       const AttrSpec &spec, const JsonValue &value);
  std::optional<Attribute> buildLiteral(const JsonValue &node, const std::string &prefix,
                                        const JsonValue *attrs);
  void importOutputs(const JsonValue &list, JsonPos rootPos);
  void importTrain(const JsonValue &train);

  OwningOpRef<ModuleOp> buildModule();
  llvm::SetVector<StringRef> dependencies(ArrayRef<std::string> roots);
  /// Builds `func @entry` returning `results` from the `needed` values;
  /// returns its metadata lines (docs/abi.md).
  std::string buildEntry(ModuleOp module, StringRef entry, ArrayRef<std::string> results,
                         const llvm::SetVector<StringRef> &needed, bool annotateArgs);

  /// The validated `train` section.
  struct TrainConfig {
    std::string loss;
    DictionaryAttr config; // asg.train: loss, optimizer {kind, hyperparameters}, clip_grad_norm
  } trainConfig;
  std::string metadataHeader() const;
};

bool Importer::checkKeys(const JsonValue &object, StringRef what, ArrayRef<StringRef> allowed,
                         ArrayRef<StringRef> required) {
  bool ok = true;
  for (const auto &[key, value] : object.members)
    if (!llvm::is_contained(allowed, key)) {
      error(object.pos, what + ": unknown key '" + key + "'");
      ok = false;
    }
  for (StringRef key : required)
    if (!object.find(key)) {
      error(object.pos, what + ": missing key '" + key + "'");
      ok = false;
    }
  return ok;
}

const JsonValue *Importer::member(const JsonValue &object, StringRef key, Kind kind,
                                  StringRef what, const char *expected) {
  const JsonValue *value = object.find(key);
  if (!value)
    return nullptr;
  if (value->kind != kind) {
    error(object.pos, what + ": '" + key + "' must be " + expected + ", got " + value->describe());
    return nullptr;
  }
  return value;
}

bool Importer::validName(const JsonValue &object, const JsonValue *name, StringRef what) {
  if (!name)
    return false;
  if (name->kind != Kind::String) {
    error(object.pos, what + ": 'name' must be a string, got " + name->describe());
    return false;
  }
  static const llvm::Regex pattern("^[A-Za-z_][A-Za-z0-9_.-]*$");
  if (!pattern.match(name->string)) {
    error(object.pos, what + ": name '" + name->string +
                          "' must match [A-Za-z_][A-Za-z0-9_.-]*");
    return false;
  }
  if (StringRef(name->string).starts_with("optim.")) {
    error(object.pos, what + ": name '" + name->string + "' uses the reserved prefix 'optim.'");
    return false;
  }
  return true;
}

bool Importer::define(const std::string &name, ModelValue value) {
  auto it = values.find(name);
  if (it != values.end()) {
    error(value.pos, "duplicate name '" + name + "' (first defined at " +
                         Twine(it->second.pos.line) + ":" + Twine(it->second.pos.col) + ")");
    return false;
  }
  values.try_emplace(name, std::move(value));
  order.push_back(name);
  return true;
}

/// Defines a value whose name is invalid (already reported) so that its uses
/// report nothing more.
void Importer::defineFailed(const JsonValue &object, const JsonValue *name) {
  if (!name || name->kind != Kind::String || values.count(name->string))
    return;
  ModelValue value;
  value.pos = object.pos;
  values.try_emplace(name->string, std::move(value));
}

bool Importer::checkElementCount(JsonPos pos, StringRef what, ArrayRef<Dim> dims) {
  double count = 1;
  for (const Dim &d : dims)
    if (d.isStatic())
      count *= static_cast<double>(d.size);
  if (count > kMaxElements) {
    error(pos, what + ": shape " + formatShape(dims) + " has more than 2^40 elements");
    return false;
  }
  return true;
}

std::optional<Shape> Importer::parseShape(const JsonValue &owner, const JsonValue &shape,
                                          StringRef what, bool staticOnly) {
  if (shape.kind != Kind::Array) {
    error(owner.pos, what + ": 'shape' must be an array of dims, got " + shape.describe());
    return std::nullopt;
  }
  if (static_cast<int64_t>(shape.items.size()) > kMaxRank) {
    error(owner.pos, what + ": rank " + Twine(shape.items.size()) + " is above the limit of 8");
    return std::nullopt;
  }
  static const llvm::Regex dimName("^[A-Za-z_][A-Za-z0-9_]*$");
  Shape dims;
  for (auto [i, dim] : llvm::enumerate(shape.items)) {
    std::string where = (what + ": dim " + Twine(i)).str();
    if (dim.kind == Kind::Int && !dim.hugeInteger && dim.integer >= 0) {
      dims.push_back(Dim::fixed(dim.integer));
    } else if (dim.kind == Kind::Int) {
      error(owner.pos, where + " must be a non-negative integer, got " +
                           (dim.hugeInteger ? std::string("a huge integer")
                                            : std::to_string(dim.integer)));
      return std::nullopt;
    } else if (staticOnly) {
      error(owner.pos, where + " must be a non-negative integer (parameter shapes are static), got " +
                           dim.describe());
      return std::nullopt;
    } else if (dim.kind == Kind::Null) {
      dims.push_back(Dim::dynamic());
    } else if (dim.kind == Kind::String && dimName.match(dim.string)) {
      dims.push_back(Dim::dynamic(StringAttr::get(ctx, dim.string)));
    } else if (dim.kind == Kind::String) {
      error(owner.pos, where + ": dim name '" + dim.string + "' must match [A-Za-z_][A-Za-z0-9_]*");
      return std::nullopt;
    } else {
      error(owner.pos, where + " must be a non-negative integer, a dim name or null, got " +
                           dim.describe());
      return std::nullopt;
    }
  }
  if (!checkElementCount(owner.pos, what, dims))
    return std::nullopt;
  return dims;
}

void Importer::importInputs(const JsonValue &list) {
  for (const JsonValue &input : list.items) {
    if (input.kind != Kind::Object) {
      error(input.pos, "each input must be an object, got " + std::string(input.describe()));
      continue;
    }
    const JsonValue *name = input.find("name");
    std::string what = name && name->kind == Kind::String ? "input '" + name->string + "'" : "input";
    bool ok = checkKeys(input, what, {"name", "shape", "dtype"}, {"name", "shape"});
    if (!validName(input, name, what)) {
      defineFailed(input, name);
      continue;
    }
    std::optional<Shape> shape;
    if (const JsonValue *s = input.find("shape"))
      shape = parseShape(input, *s, what, false);
    Type dtype = Float32Type::get(ctx);
    if (const JsonValue *d = input.find("dtype")) {
      dtype = d->kind == Kind::String ? parseDtype(ctx, d->string) : Type();
      if (d->kind != Kind::String)
        error(input.pos, what + ": 'dtype' must be a string (f32, i32 or i64), got " +
                             d->describe());
      else if (!dtype)
        error(input.pos, what + ": unknown dtype '" + d->string + "' (expected f32, i32 or i64)");
    }
    // A failed input is still defined, with no type: its users report nothing more.
    ModelValue value{ModelValue::Role::Input, input.pos};
    if (ok && shape && dtype)
      value.type = makeTensorType(ctx, *shape, dtype);
    bool valid = static_cast<bool>(value.type);
    if (define(name->string, std::move(value)) && valid)
      inputs.push_back(name->string);
  }
}

std::optional<std::string> Importer::importInit(const JsonValue &param, const JsonValue *init,
                                                StringRef what, const Shape &shape) {
  if (!init)
    return std::string("zeros");
  if (init->kind != Kind::Object) {
    error(param.pos, what + ": 'init' must be an object, got " + init->describe());
    return std::nullopt;
  }
  const JsonValue *kind = init->find("kind");
  if (!kind || kind->kind != Kind::String) {
    error(init->pos, what + ": 'init' needs a string 'kind'");
    return std::nullopt;
  }
  struct InitSpec {
    StringRef kind;
    std::vector<std::pair<StringRef, double>> keys; // with defaults
    bool fanBased;
  };
  static const std::vector<InitSpec> specs = {
      {"zeros", {}, false},
      {"ones", {}, false},
      {"constant", {{"value", NAN}}, false},
      {"normal", {{"mean", 0.0}, {"std", 1.0}}, false},
      {"uniform", {{"low", -1.0}, {"high", 1.0}}, false},
      {"xavier_uniform", {}, true},
      {"kaiming_uniform", {{"a", std::sqrt(5.0)}}, true},
  };
  const InitSpec *spec = nullptr;
  for (const InitSpec &s : specs)
    if (s.kind == kind->string)
      spec = &s;
  if (!spec) {
    error(init->pos, what + ": unknown initializer '" + kind->string +
                         "' (expected zeros, ones, constant, normal, uniform, xavier_uniform or "
                         "kaiming_uniform)");
    return std::nullopt;
  }
  std::string text = spec->kind.str();
  bool ok = true;
  std::vector<double> got;
  for (const auto &[key, value] : init->members) {
    if (key == "kind")
      continue;
    bool known = llvm::any_of(spec->keys, [&](auto &k) { return k.first == key; });
    if (!known) {
      error(init->pos, what + ": unknown key '" + key + "' for initializer '" + spec->kind + "'");
      ok = false;
    } else if (!value.isNumber()) {
      error(init->pos, what + ": initializer key '" + key + "' must be a number, got " +
                           value.describe());
      ok = false;
    }
  }
  if (!ok)
    return std::nullopt;
  for (const auto &[key, dflt] : spec->keys) {
    const JsonValue *v = init->find(key);
    if (!v && std::isnan(dflt)) {
      error(init->pos, what + ": initializer '" + spec->kind + "' needs '" + key + "'");
      return std::nullopt;
    }
    double value = v ? v->number : dflt;
    got.push_back(value);
    text += " " + key.str() + "=" + formatNumber(value);
  }
  if (spec->kind == "normal" && got[1] < 0) {
    error(init->pos, what + ": initializer 'normal' needs 'std' >= 0");
    return std::nullopt;
  }
  if (spec->kind == "uniform" && got[0] > got[1]) {
    error(init->pos, what + ": initializer 'uniform' needs 'low' <= 'high'");
    return std::nullopt;
  }
  if (spec->fanBased && shape.size() < 2) {
    error(init->pos, what + ": initializer '" + spec->kind + "' needs a parameter of rank >= 2, got " +
                         formatShape(shape));
    return std::nullopt;
  }
  return text;
}

void Importer::importParams(const JsonValue &list) {
  for (const JsonValue &param : list.items) {
    if (param.kind != Kind::Object) {
      error(param.pos, "each param must be an object, got " + std::string(param.describe()));
      continue;
    }
    const JsonValue *name = param.find("name");
    std::string what = name && name->kind == Kind::String ? "param '" + name->string + "'" : "param";
    bool ok = checkKeys(param, what, {"name", "shape", "init", "trainable"}, {"name", "shape"});
    if (!validName(param, name, what)) {
      defineFailed(param, name);
      continue;
    }
    // A failed param is still defined, with no type: its users report nothing more.
    ModelValue value{ModelValue::Role::Param, param.pos};
    std::optional<Shape> shape;
    if (const JsonValue *s = param.find("shape"))
      shape = parseShape(param, *s, what, true);
    if (const JsonValue *t = param.find("trainable")) {
      if (t->kind != Kind::Bool) {
        error(param.pos, what + ": 'trainable' must be a boolean, got " + t->describe());
        ok = false;
      } else {
        value.trainable = t->boolean;
      }
    }
    std::optional<std::string> init;
    if (shape)
      init = importInit(param, param.find("init"), what, *shape);
    if (ok && shape && init) {
      value.type = makeTensorType(ctx, *shape, Float32Type::get(ctx));
      value.initText = *init;
    }
    bool valid = static_cast<bool>(value.type);
    if (define(name->string, std::move(value)) && valid)
      params.push_back(name->string);
  }
}

std::optional<Attribute> Importer::convertAttr(const JsonValue &node, const std::string &prefix,
                                               const AttrSpec &spec, const JsonValue &value) {
  // What the value is, for messages: huge integers, list items and dtype
  // strings are spelled out.
  auto describe = [](const JsonValue &v) -> std::string {
    if (v.kind == Kind::Int && v.hugeInteger)
      return "an integer out of the 64-bit range";
    return v.describe();
  };
  auto wrongType = [&](const char *expected, std::string got = "") -> std::optional<Attribute> {
    error(node.pos, prefix + "attribute '" + spec.name + "' must be " + expected + ", got " +
                        (got.empty() ? describe(value) : got));
    return std::nullopt;
  };
  switch (spec.kind) {
  case AttrKind::Int:
    if (value.kind != Kind::Int || value.hugeInteger)
      return wrongType("an integer");
    return builder.getI64IntegerAttr(value.integer);
  case AttrKind::Float:
    if (!value.isNumber())
      return wrongType("a number");
    return builder.getF64FloatAttr(value.number);
  case AttrKind::Bool:
    if (value.kind != Kind::Bool)
      return wrongType("a boolean");
    return builder.getBoolAttr(value.boolean);
  case AttrKind::String:
    if (value.kind != Kind::String)
      return wrongType("a string");
    return builder.getStringAttr(value.string);
  case AttrKind::IntList: {
    if (value.kind != Kind::Array)
      return wrongType("an array of integers");
    SmallVector<int64_t> ints;
    for (const JsonValue &item : value.items) {
      if (item.kind != Kind::Int || item.hugeInteger)
        return wrongType("an array of integers", "an array holding " + describe(item));
      ints.push_back(item.integer);
    }
    return builder.getDenseI64ArrayAttr(ints);
  }
  case AttrKind::Dtype: {
    Type t = value.kind == Kind::String ? parseDtype(ctx, value.string) : Type();
    if (!t)
      return wrongType("one of \"f32\", \"i32\", \"i64\"",
                       value.kind == Kind::String ? "\"" + value.string + "\"" : "");
    return TypeAttr::get(t);
  }
  case AttrKind::Literal:
    return std::nullopt; // built with its siblings by buildLiteral
  }
  return std::nullopt;
}

std::optional<Attribute> Importer::buildLiteral(const JsonValue &node, const std::string &prefix,
                                                const JsonValue *attrs) {
  const JsonValue *value = attrs ? attrs->find("value") : nullptr;
  if (!value) {
    error(node.pos, prefix + "needs the attribute 'value'");
    return std::nullopt;
  }
  Type dtype = Float32Type::get(ctx);
  if (const JsonValue *d = attrs->find("dtype")) {
    dtype = d->kind == Kind::String ? parseDtype(ctx, d->string) : Type();
    if (!dtype)
      return std::nullopt; // reported by convertAttr
  }
  // Shape and flat values of a number or a rectangular nested list.
  SmallVector<int64_t> shape;
  const JsonValue *probe = value;
  while (probe->kind == Kind::Array) {
    shape.push_back(probe->items.size());
    if (probe->items.empty())
      break;
    probe = &probe->items.front();
  }
  if (shape.size() > static_cast<size_t>(kMaxRank)) {
    error(node.pos, prefix + "'value' is nested deeper than rank 8");
    return std::nullopt;
  }
  SmallVector<const JsonValue *> flat;
  std::function<bool(const JsonValue &, size_t)> collect = [&](const JsonValue &v, size_t depth) {
    if (depth == shape.size()) {
      if (!v.isNumber())
        return false;
      flat.push_back(&v);
      return true;
    }
    if (v.kind != Kind::Array || static_cast<int64_t>(v.items.size()) != shape[depth])
      return false;
    for (const JsonValue &item : v.items)
      if (!collect(item, depth + 1))
        return false;
    return true;
  };
  if (!collect(*value, 0)) {
    error(node.pos, prefix + "'value' must be a number or a rectangular nested list of numbers");
    return std::nullopt;
  }
  if (const JsonValue *s = attrs->find("shape")) {
    if (!shape.empty()) {
      error(node.pos, prefix + "'shape' broadcasts a number; with a list 'value' leave it out");
      return std::nullopt;
    }
    shape.clear();
    for (const JsonValue &d : s->items) {
      if (d.integer < 0) {
        error(node.pos, prefix + "'shape' has a negative dim " + Twine(d.integer));
        return std::nullopt;
      }
      shape.push_back(d.integer);
    }
    if (shape.size() > static_cast<size_t>(kMaxRank)) {
      error(node.pos, prefix + "rank " + Twine(shape.size()) + " is above the limit of 8");
      return std::nullopt;
    }
    Shape dims;
    for (int64_t d : shape)
      dims.push_back(Dim::fixed(d));
    if (!checkElementCount(node.pos, prefix + "'shape'", dims))
      return std::nullopt;
  }
  auto type = RankedTensorType::get(shape, dtype);
  auto toAttr = [&](const JsonValue &v) -> std::optional<Attribute> {
    if (dtype.isF32())
      return builder.getF32FloatAttr(static_cast<float>(v.number));
    unsigned bits = dtype.getIntOrFloatBitWidth();
    double lo = -std::ldexp(1.0, bits - 1), hi = std::ldexp(1.0, bits - 1);
    if (v.kind != Kind::Int || v.hugeInteger || v.number < lo || v.number >= hi) {
      error(node.pos, prefix + "'value' " + formatNumber(v.number) +
                          " is not an integer in the range of " + formatDtype(dtype));
      return std::nullopt;
    }
    return builder.getIntegerAttr(dtype, v.integer);
  };
  if (flat.size() == 1) {
    std::optional<Attribute> scalar = toAttr(*flat.front());
    if (!scalar)
      return std::nullopt;
    return DenseElementsAttr::get(type, *scalar);
  }
  SmallVector<Attribute> elements;
  for (const JsonValue *v : flat) {
    std::optional<Attribute> a = toAttr(*v);
    if (!a)
      return std::nullopt;
    elements.push_back(*a);
  }
  return DenseElementsAttr::get(type, elements);
}

void Importer::importNode(const JsonValue &node) {
  const JsonValue *name = node.find("name");
  const JsonValue *opName = node.find("op");
  std::string label = name && name->kind == Kind::String ? "node '" + name->string + "'" : "node";
  bool ok = checkKeys(node, label, {"name", "op", "inputs", "attrs"}, {"name", "op", "inputs"});
  if (!validName(node, name, label)) {
    defineFailed(node, name);
    return;
  }
  ModelValue value{ModelValue::Role::Node, node.pos};
  value.node = &node;
  // Define the name first so later duplicates and uses see it, even if the
  // node itself fails (its users then report nothing more).
  if (!define(name->string, value) || !ok)
    return;
  ModelValue &self = values[name->string];
  if (opName->kind != Kind::String) {
    error(node.pos, label + ": 'op' must be a string, got " + opName->describe());
    return;
  }
  const OpSpec *spec = lookupOpSpec(opName->string);
  if (!spec) {
    error(node.pos, label + ": unknown op '" + opName->string + "'");
    return;
  }
  std::string prefix = "'" + spec->name.str() + "' " + label + ": ";

  // Operands.
  SmallVector<Type> operandTypes;
  bool upstreamFailed = false;
  if (const JsonValue *ins = node.find("inputs")) {
    if (ins->kind != Kind::Array) {
      error(node.pos, prefix + "'inputs' must be an array of names, got " + ins->describe());
      return;
    }
    for (const JsonValue &in : ins->items) {
      if (in.kind != Kind::String) {
        error(node.pos, prefix + "'inputs' must be an array of names, got " + in.describe());
        return;
      }
      auto it = values.find(in.string);
      if (it == values.end() || in.string == name->string) {
        if (declaredAnywhere.count(in.string))
          error(node.pos, prefix + "'" + in.string +
                              "' is used before its definition (a node may only use names "
                              "defined earlier)");
        else
          error(node.pos, prefix + "undefined name '" + in.string + "'");
        return;
      }
      if (!it->second.type) {
        upstreamFailed = true;
        continue;
      }
      operandTypes.push_back(it->second.type);
      self.operands.push_back(in.string);
    }
  }
  size_t arity = node.find("inputs") ? node.find("inputs")->items.size() : 0;
  if (arity < spec->minInputs || arity > spec->maxInputs) {
    std::string expected = spec->minInputs == spec->maxInputs
                               ? std::to_string(spec->minInputs)
                               : "at least " + std::to_string(spec->minInputs);
    error(node.pos, prefix + "takes " + expected + " input" + (spec->minInputs == 1 ? "" : "s") +
                        ", got " + std::to_string(arity));
    return;
  }

  // Attributes.
  NamedAttrList attrs;
  const JsonValue *jsonAttrs = node.find("attrs");
  if (jsonAttrs) {
    if (jsonAttrs->kind != Kind::Object) {
      error(node.pos, prefix + "'attrs' must be an object, got " + jsonAttrs->describe());
      return;
    }
    bool attrsOk = true;
    for (const auto &[key, v] : jsonAttrs->members) {
      const AttrSpec *attrSpec = spec->findAttr(key);
      if (!attrSpec) {
        error(node.pos, prefix + "unknown attribute '" + key + "'");
        attrsOk = false;
        continue;
      }
      if (attrSpec->kind == AttrKind::Literal)
        continue;
      std::optional<Attribute> attr = convertAttr(node, prefix, *attrSpec, v);
      if (!attr)
        attrsOk = false;
      else if (spec->name != "constant") // constant folds shape and dtype into value
        attrs.set(key, *attr);
    }
    if (!attrsOk)
      return;
  }
  if (spec->name == "constant") {
    std::optional<Attribute> literal = buildLiteral(node, prefix, jsonAttrs);
    if (!literal)
      return;
    attrs.set("value", *literal);
  }
  if (upstreamFailed)
    return;

  // Shape function, with its message prefixed by the node.
  SmallVector<Type> results;
  std::string message;
  {
    ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &diag) {
      message = diag.str();
      return success();
    });
    if (failed(inferResultTypes("asg." + spec->name.str(), ctx, locate(node.pos), operandTypes,
                                attrs.getDictionary(ctx), results))) {
      error(node.pos, prefix + (message.empty() ? "invalid operands" : message));
      return;
    }
  }
  auto type = llvm::cast<RankedTensorType>(results.front());
  if (type.getRank() > kMaxRank) {
    error(node.pos, prefix + "the result " + formatShape(getShape(type)) + " has rank " +
                        Twine(type.getRank()) + ", above the limit of 8");
    return;
  }
  if (!checkElementCount(node.pos, prefix.substr(0, prefix.size() - 2), getShape(type)))
    return;
  self.type = type;
  self.op = spec->name.str();
  self.attrs = attrs;
}

void Importer::importNodes(const JsonValue &list) {
  // Names defined later in the file, to tell forward references from typos.
  for (const JsonValue &node : list.items)
    if (node.kind == Kind::Object)
      if (const JsonValue *n = node.find("name"); n && n->kind == Kind::String)
        declaredAnywhere.try_emplace(n->string, node.pos);
  for (const JsonValue &node : list.items) {
    if (node.kind != Kind::Object) {
      error(node.pos, "each node must be an object, got " + std::string(node.describe()));
      continue;
    }
    importNode(node);
  }
}

void Importer::importOutputs(const JsonValue &list, JsonPos rootPos) {
  if (list.items.empty())
    error(rootPos, "'outputs' must name at least one value");
  for (const JsonValue &item : list.items) {
    if (item.kind != Kind::String) {
      error(rootPos, "'outputs' must be an array of names, got " + std::string(item.describe()));
      continue;
    }
    if (!values.count(item.string)) {
      error(rootPos, "output '" + item.string + "' is not defined");
      continue;
    }
    if (llvm::is_contained(outputs, item.string)) {
      error(rootPos, "output '" + item.string + "' is listed twice");
      continue;
    }
    outputs.push_back(item.string);
  }
}

void Importer::importTrain(const JsonValue &train) {
  if (train.kind != Kind::Object) {
    error(train.pos, "'train' must be an object, got " + std::string(train.describe()));
    return;
  }
  if (!checkKeys(train, "train", {"loss", "optimizer", "clip_grad_norm"}, {"loss", "optimizer"}))
    return;
  const JsonValue *loss = member(train, "loss", Kind::String, "train", "a string");
  if (loss) {
    auto it = values.find(loss->string);
    if (it == values.end() || it->second.role != ModelValue::Role::Node)
      error(train.pos, "train: loss '" + loss->string + "' is not a node of the model");
    else if (it->second.type && (it->second.type.getRank() != 0 ||
                                 !it->second.type.getElementType().isF32()))
      error(train.pos, "train: loss '" + loss->string + "' must be a scalar f32, got " +
                           formatDtype(it->second.type.getElementType()) +
                           formatShape(getShape(it->second.type)));
  }
  if (const JsonValue *clip = train.find("clip_grad_norm"))
    if (!clip->isNumber() || !(clip->number > 0))
      error(train.pos, "train: 'clip_grad_norm' must be a positive number");
  const JsonValue *opt = member(train, "optimizer", Kind::Object, "train", "an object");
  if (!opt)
    return;
  const JsonValue *kind = opt->find("kind");
  if (!kind || kind->kind != Kind::String) {
    error(opt->pos, "optimizer: needs a string 'kind'");
    return;
  }
  std::vector<StringRef> keys;
  if (kind->string == "sgd")
    keys = {"kind", "lr", "momentum", "weight_decay", "nesterov"};
  else if (kind->string == "adam" || kind->string == "adamw")
    keys = {"kind", "lr", "beta1", "beta2", "eps", "weight_decay"};
  else {
    error(opt->pos, "optimizer: unknown kind '" + kind->string + "' (expected sgd, adam or adamw)");
    return;
  }
  std::string what = "optimizer '" + kind->string + "'";
  if (!checkKeys(*opt, what, keys, kind->string == "sgd" ? ArrayRef<StringRef>{"lr"}
                                                         : ArrayRef<StringRef>{}))
    return;
  for (const auto &[key, v] : opt->members) {
    if (key == "kind")
      continue;
    if (key == "nesterov") {
      if (v.kind != Kind::Bool)
        error(opt->pos, what + ": 'nesterov' must be a boolean, got " + v.describe());
      continue;
    }
    if (!v.isNumber()) {
      error(opt->pos, what + ": '" + key + "' must be a number, got " + v.describe());
      continue;
    }
    bool isBeta = key == "beta1" || key == "beta2";
    if (v.number < 0 || (isBeta && v.number >= 1))
      error(opt->pos, what + ": '" + key + "' must be " + (isBeta ? "in [0, 1)" : ">= 0") +
                          ", got " + formatNumber(v.number));
  }
  if (const JsonValue *n = opt->find("nesterov"); n && n->kind == Kind::Bool && n->boolean) {
    const JsonValue *m = opt->find("momentum");
    if (!m || !m->isNumber() || m->number <= 0)
      error(opt->pos, what + ": 'nesterov' needs a 'momentum' > 0");
  }
  if (!loss)
    return;
  // Every hyperparameter with SPEC's default filled in.
  NamedAttrList optimizer;
  optimizer.set("kind", builder.getStringAttr(kind->string));
  auto number = [&](StringRef key, double dflt) {
    const JsonValue *v = opt->find(key);
    optimizer.set(key, builder.getF64FloatAttr(v && v->isNumber() ? v->number : dflt));
  };
  if (kind->string == "sgd") {
    number("lr", 0.0);
    number("momentum", 0.0);
    number("weight_decay", 0.0);
    const JsonValue *n = opt->find("nesterov");
    optimizer.set("nesterov", builder.getBoolAttr(n && n->kind == Kind::Bool && n->boolean));
  } else {
    number("lr", 0.001);
    number("beta1", 0.9);
    number("beta2", 0.999);
    number("eps", 1e-8);
    number("weight_decay", kind->string == "adamw" ? 0.01 : 0.0);
  }
  NamedAttrList config;
  config.set("loss", builder.getStringAttr(loss->string));
  config.set("optimizer", optimizer.getDictionary(ctx));
  if (const JsonValue *clip = train.find("clip_grad_norm"); clip && clip->isNumber())
    config.set("clip_grad_norm", builder.getF64FloatAttr(clip->number));
  trainConfig = {loss->string, config.getDictionary(ctx)};
}

std::string Importer::metadataHeader() const {
  std::string text = "asg-model 1\nname " + modelName + "\ntarget " + options.target + "\n";
  for (const std::string &name : inputs)
    text += metadataTensorLine("input", name, values.lookup(name).type) + "\n";
  for (const std::string &name : params) {
    const ModelValue &p = values.find(name)->second;
    text += metadataTensorLine("param", name, p.type) + " trainable " + (p.trainable ? "1" : "0") +
            " init " + p.initText + "\n";
  }
  return text;
}

/// The values that `roots` depend on (themselves included).
llvm::SetVector<StringRef> Importer::dependencies(ArrayRef<std::string> roots) {
  llvm::SetVector<StringRef> needed;
  SmallVector<StringRef> work(roots.begin(), roots.end());
  while (!work.empty()) {
    StringRef name = work.pop_back_val();
    if (!needed.insert(name))
      continue;
    for (const std::string &operand : values[name].operands)
      work.push_back(operand);
  }
  return needed;
}

std::string Importer::buildEntry(ModuleOp module, StringRef entry, ArrayRef<std::string> results,
                                 const llvm::SetVector<StringRef> &needed, bool annotateArgs) {
  Location fileLoc = FileLineColLoc::get(ctx, options.fileName, 1, 1);
  builder.setInsertionPointToEnd(module.getBody());

  SmallVector<std::string> argNames;
  SmallVector<Type> argTypes;
  std::string entryText;
  for (const auto *group : {&inputs, &params})
    for (const std::string &name : *group)
      if (needed.count(name)) {
        argNames.push_back(name);
        argTypes.push_back(values[name].type);
        entryText += (group == &inputs ? "arg input " : "arg param ") + name + "\n";
      }
  SmallVector<Type> resultTypes;
  for (const std::string &name : results) {
    resultTypes.push_back(values[name].type);
    entryText += metadataTensorLine("result", name, values[name].type) + "\n";
  }

  auto fn = builder.create<func::FuncOp>(fileLoc, entry,
                                         builder.getFunctionType(argTypes, resultTypes));
  fn->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
  if (annotateArgs) // what asg-autodiff needs to know of each argument
    for (auto [i, name] : llvm::enumerate(argNames)) {
      const ModelValue &v = values[name];
      bool isParam = v.role == ModelValue::Role::Param;
      fn.setArgAttr(i, isParam ? "asg.param" : "asg.input", builder.getStringAttr(name));
      if (isParam)
        fn.setArgAttr(i, "asg.trainable", builder.getBoolAttr(v.trainable));
    }
  Block *body = fn.addEntryBlock();
  builder.setInsertionPointToStart(body);
  for (auto [i, name] : llvm::enumerate(argNames))
    values[name].value = body->getArgument(i);

  for (const std::string &name : order) {
    ModelValue &v = values[name];
    if (v.role != ModelValue::Role::Node || !needed.count(name))
      continue;
    OperationState state(locate(v.pos, name), "asg." + v.op);
    for (const std::string &operand : v.operands)
      state.addOperands(values[operand].value);
    state.addAttributes(v.attrs);
    state.addTypes(v.type);
    v.value = builder.create(state)->getResult(0);
  }
  SmallVector<Value> resultValues;
  for (const std::string &name : results)
    resultValues.push_back(values[name].value);
  builder.create<func::ReturnOp>(fileLoc, resultValues);
  return entryText;
}

OwningOpRef<ModuleOp> Importer::buildModule() {
  Location fileLoc = FileLineColLoc::get(ctx, options.fileName, 1, 1);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc, StringRef(modelName));
  SmallVector<StringRef> entries = {"forward"};
  std::string forwardText = buildEntry(*module, "forward", outputs, dependencies(outputs), false);
  (*module)->setAttr("asg.entry.forward", builder.getStringAttr(forwardText));
  if (options.train) {
    // train_step takes what the loss and the outputs depend on (SPEC 1);
    // asg-autodiff turns it into the training step.
    SmallVector<std::string> roots(outputs.begin(), outputs.end());
    roots.push_back(trainConfig.loss);
    std::string text =
        buildEntry(*module, "train_step", {trainConfig.loss}, dependencies(roots), true);
    (*module)->setAttr("asg.entry.train_step", builder.getStringAttr(text));
    (*module)->setAttr("asg.train", trainConfig.config);
    entries.push_back("train_step");
  }
  (*module)->setAttr("asg.model_name", builder.getStringAttr(modelName));
  (*module)->setAttr("asg.source", builder.getStringAttr(options.fileName));
  (*module)->setAttr("asg.metadata", builder.getStringAttr(metadataHeader()));
  (*module)->setAttr("asg.entries", builder.getStrArrayAttr(entries));
  return module;
}

OwningOpRef<ModuleOp> Importer::run(StringRef text) {
  std::vector<JsonError> jsonErrors;
  std::unique_ptr<JsonValue> root = parseJson(text, kMaxJsonDepth, jsonErrors);
  for (const JsonError &e : jsonErrors)
    error(e.pos, e.message);
  if (!root)
    return nullptr;
  if (root->kind != Kind::Object) {
    error(root->pos, "a model must be a JSON object, got " + std::string(root->describe()));
    return nullptr;
  }
  const JsonValue &model = *root;
  checkKeys(model, "model", {"asg", "name", "inputs", "params", "nodes", "outputs", "train"},
            {"asg", "name", "inputs", "nodes", "outputs"});
  if (const JsonValue *version = model.find("asg")) {
    if (version->kind != Kind::Int) {
      error(model.pos, "'asg' (the format version) must be the integer 1, got " +
                           std::string(version->describe()));
      return nullptr;
    }
    if (version->integer != 1) {
      error(model.pos, "unsupported format version " +
                           (version->hugeInteger ? formatNumber(version->number)
                                                 : std::to_string(version->integer)) +
                           " ('asg' must be 1)");
      return nullptr;
    }
  }
  if (const JsonValue *name = member(model, "name", Kind::String, "model", "a string")) {
    static const llvm::Regex pattern("^[A-Za-z_][A-Za-z0-9_]*$");
    if (!pattern.match(name->string))
      error(model.pos, "model name '" + name->string + "' must match [A-Za-z_][A-Za-z0-9_]*");
    modelName = name->string;
  }
  if (options.nameOverride)
    modelName = *options.nameOverride;

  if (const JsonValue *list = member(model, "inputs", Kind::Array, "model", "an array"))
    importInputs(*list);
  if (const JsonValue *list = member(model, "params", Kind::Array, "model", "an array"))
    importParams(*list);
  if (const JsonValue *list = member(model, "nodes", Kind::Array, "model", "an array"))
    importNodes(*list);
  if (const JsonValue *list = member(model, "outputs", Kind::Array, "model", "an array"))
    importOutputs(*list, model.pos);
  if (const JsonValue *train = model.find("train"))
    importTrain(*train);
  if (options.train && !model.find("train"))
    error(model.pos, "--train needs a 'train' section in the model (its loss and optimizer)");
  if (errors)
    return nullptr;
  for (const std::string &name : outputs)
    if (!values[name].type)
      return nullptr; // its node failed and was reported
  return buildModule();
}

} // namespace

OwningOpRef<ModuleOp> importModel(StringRef text, const ImportOptions &options, MLIRContext *ctx,
                                  raw_ostream &diagnostics, unsigned &errorCount) {
  ctx->getOrLoadDialect<AsgDialect>();
  ctx->getOrLoadDialect<func::FuncDialect>();
  Importer importer(options, ctx, diagnostics);
  OwningOpRef<ModuleOp> module = importer.run(text);
  errorCount = importer.errors;
  return module;
}

} // namespace asg
