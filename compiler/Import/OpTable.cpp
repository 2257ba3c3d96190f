// OpTable.cpp: the table of v1 ops the importer accepts (arity and attribute kinds).
#include "compiler/Import/OpTable.h"


namespace asg {

const AttrSpec *OpSpec::findAttr(llvm::StringRef attr) const {
  for (const AttrSpec &spec : attrs)
    if (spec.name == attr)
      return &spec;
  return nullptr;
}

static std::vector<OpSpec> buildTable() {
  using K = AttrKind;
  std::vector<OpSpec> ops;
  for (const char *op : {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "greater",
                         "less", "equal", "matmul", "embedding", "mse_loss", "cross_entropy"})
    ops.push_back({op, 2, 2, {}});
  for (const char *op : {"neg", "abs", "exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "relu",
                         "silu", "softplus"})
    ops.push_back({op, 1, 1, {}});
  std::vector<AttrSpec> reduction = {{"axes", K::IntList}, {"keepdims", K::Bool}};
  for (const char *op : {"sum", "mean", "max", "min"})
    ops.push_back({op, 1, 1, reduction});
  ops.push_back({"variance", 1, 1, {{"axes", K::IntList}, {"keepdims", K::Bool},
                                    {"correction", K::Int}}});
  ops.push_back({"where", 3, 3, {}});
  ops.push_back({"gelu", 1, 1, {{"approximate", K::String}}});
  ops.push_back({"leaky_relu", 1, 1, {{"alpha", K::Float}}});
  ops.push_back({"elu", 1, 1, {{"alpha", K::Float}}});
  ops.push_back({"clamp", 1, 1, {{"min", K::Float}, {"max", K::Float}}});
  ops.push_back({"constant", 0, 0, {{"value", K::Literal}, {"shape", K::IntList},
                                    {"dtype", K::Dtype}}});
  ops.push_back({"softmax", 1, 1, {{"axis", K::Int}}});
  ops.push_back({"log_softmax", 1, 1, {{"axis", K::Int}}});
  ops.push_back({"reshape", 1, 1, {{"shape", K::IntList}}});
  ops.push_back({"transpose", 1, 1, {{"perm", K::IntList}}});
  ops.push_back({"slice", 1, 1, {{"axis", K::Int}, {"start", K::Int}, {"end", K::Int},
                                 {"step", K::Int}}});
  ops.push_back({"concat", 1, ~0u, {{"axis", K::Int}}});
  ops.push_back({"broadcast_to", 1, 1, {{"shape", K::IntList}}});
  ops.push_back({"cast", 1, 1, {{"dtype", K::Dtype}}});
  ops.push_back({"layer_norm", 3, 3, {{"axis", K::Int}, {"eps", K::Float}}});
  return ops;
}

const OpSpec *lookupOpSpec(llvm::StringRef name) {
  static const std::vector<OpSpec> table = buildTable();
  for (const OpSpec &spec : table)
    if (spec.name == name)
      return &spec;
  return nullptr;
}

} // namespace asg
