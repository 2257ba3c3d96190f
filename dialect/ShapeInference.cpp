// ShapeInference.cpp: the shape function of every asg op (dtype, rank, shape and
// attribute checks plus the result type), shared by the verifier and the importer.
#include "dialect/Shapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace asg {
namespace {

/// What one shape function sees: operand types, attributes, and where to
/// report errors.
class ShapeContext {
public:
  ShapeContext(StringRef opName, MLIRContext *ctx, std::optional<Location> loc,
               TypeRange operands, DictionaryAttr attrs)
      : opName(opName.drop_front(opName.starts_with("asg.") ? 4 : 0)), ctx(ctx), loc(loc),
        operandTypes(operands), attrs(attrs) {}

  StringRef opName;
  MLIRContext *ctx;
  std::optional<Location> loc;
  TypeRange operandTypes;
  DictionaryAttr attrs;

  /// Reports `message` (when there is a location) and fails.
  FailureOr<RankedTensorType> fail(const Twine &message) const {
    if (loc)
      emitError(*loc) << message;
    return failure();
  }

  size_t numOperands() const { return operandTypes.size(); }
  RankedTensorType type(unsigned i) const {
    return llvm::dyn_cast<RankedTensorType>(operandTypes[i]);
  }
  Shape shape(unsigned i) const { return getShape(type(i)); }
  Type dtype(unsigned i) const { return type(i).getElementType(); }
  int64_t rank(unsigned i) const { return type(i).getRank(); }
  Type f32() const { return Float32Type::get(ctx); }

  template <typename AttrT> AttrT attr(StringRef name) const {
    return attrs ? attrs.getAs<AttrT>(name) : AttrT();
  }
  int64_t intAttr(StringRef name, int64_t dflt) const {
    auto a = attr<IntegerAttr>(name);
    return a ? a.getInt() : dflt;
  }
  std::optional<int64_t> optionalIntAttr(StringRef name) const {
    if (auto a = attr<IntegerAttr>(name))
      return a.getInt();
    return std::nullopt;
  }

  /// Checks operand count and that every operand is a ranked tensor.
  LogicalResult checkOperands(size_t min, size_t max) const {
    if (numOperands() < min || numOperands() > max) {
      std::string expected = min == max ? std::to_string(min)
                             : max == SIZE_MAX ? "at least " + std::to_string(min)
                                               : std::to_string(min) + " to " + std::to_string(max);
      (void)fail("takes " + expected + " input" + (min == 1 ? "" : "s") + ", got " +
                 std::to_string(numOperands()));
      return failure();
    }
    for (unsigned i = 0; i < numOperands(); ++i)
      if (!type(i)) {
        (void)fail("input " + Twine(i + 1) + " is not a ranked tensor");
        return failure();
      }
    return success();
  }

  LogicalResult requireF32(unsigned i) const {
    if (dtype(i).isF32())
      return success();
    (void)fail("input " + Twine(i + 1) + " has dtype " + formatDtype(dtype(i)) + ", but '" +
               opName + "' takes only f32");
    return failure();
  }
  LogicalResult requireAllF32() const {
    for (unsigned i = 0; i < numOperands(); ++i)
      if (failed(requireF32(i)))
        return failure();
    return success();
  }
  LogicalResult requireInteger(unsigned i, StringRef what) const {
    if (dtype(i).isInteger(32) || dtype(i).isInteger(64))
      return success();
    (void)fail(what + " must have dtype i32 or i64, got " + formatDtype(dtype(i)));
    return failure();
  }
  LogicalResult requireSameDtypes(unsigned first, unsigned last) const {
    for (unsigned i = first + 1; i <= last; ++i)
      if (dtype(i) != dtype(first)) {
        (void)fail("inputs have different dtypes " + formatDtype(dtype(first)) + " and " +
                   formatDtype(dtype(i)) + " (use 'cast')");
        return failure();
      }
    return success();
  }
  LogicalResult requireKnownDtypes() const {
    for (unsigned i = 0; i < numOperands(); ++i) {
      Type t = dtype(i);
      if (!t.isF32() && !t.isInteger(32) && !t.isInteger(64)) {
        (void)fail("input " + Twine(i + 1) + " has unsupported dtype " + formatDtype(t));
        return failure();
      }
    }
    return success();
  }
  FailureOr<int64_t> axisAttr(StringRef name, int64_t dflt, int64_t rank) const {
    int64_t axis = intAttr(name, dflt);
    if (auto norm = normalizeAxis(axis, rank))
      return *norm;
    (void)fail("'" + name + "' " + Twine(axis) + " is out of range for rank " + Twine(rank));
    return failure();
  }
  FailureOr<RankedTensorType> result(ArrayRef<Dim> dims, Type elementType) const {
    return makeTensorType(ctx, dims, elementType);
  }
};

using ShapeFn = FailureOr<RankedTensorType> (*)(const ShapeContext &);

/// `%g`: the shortest usual spelling of an attribute value in messages.
std::string formatNumber(double value) {
  char buffer[32];
  snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

FailureOr<RankedTensorType> broadcastResult(const ShapeContext &c, Type elementType) {
  Shape shape = c.shape(0);
  for (unsigned i = 1; i < c.numOperands(); ++i) {
    std::optional<Shape> next = broadcastShapes(shape, c.shape(i));
    if (!next)
      return c.fail("cannot broadcast shapes " + formatShape(shape) + " and " +
                    formatShape(c.shape(i)));
    shape = *next;
  }
  return c.result(shape, elementType);
}

FailureOr<RankedTensorType> inferArithmetic(const ShapeContext &c) {
  if (failed(c.checkOperands(2, 2)) || failed(c.requireKnownDtypes()) ||
      failed(c.requireSameDtypes(0, 1)))
    return failure();
  return broadcastResult(c, c.dtype(0));
}

FailureOr<RankedTensorType> inferPow(const ShapeContext &c) {
  if (failed(c.checkOperands(2, 2)) || failed(c.requireAllF32()))
    return failure();
  return broadcastResult(c, c.dtype(0));
}

FailureOr<RankedTensorType> inferComparison(const ShapeContext &c) {
  if (failed(c.checkOperands(2, 2)) || failed(c.requireKnownDtypes()) ||
      failed(c.requireSameDtypes(0, 1)))
    return failure();
  return broadcastResult(c, c.f32());
}

FailureOr<RankedTensorType> inferWhere(const ShapeContext &c) {
  if (failed(c.checkOperands(3, 3)) || failed(c.requireKnownDtypes()) ||
      failed(c.requireSameDtypes(1, 2)))
    return failure();
  return broadcastResult(c, c.dtype(1));
}

FailureOr<RankedTensorType> inferSignedUnary(const ShapeContext &c) {
  if (failed(c.checkOperands(1, 1)) || failed(c.requireKnownDtypes()))
    return failure();
  return c.type(0);
}

FailureOr<RankedTensorType> inferFloatUnary(const ShapeContext &c) {
  if (failed(c.checkOperands(1, 1)) || failed(c.requireF32(0)))
    return failure();
  return c.type(0);
}

FailureOr<RankedTensorType> inferGelu(const ShapeContext &c) {
  if (failed(inferFloatUnary(c)))
    return failure();
  if (auto mode = c.attr<StringAttr>("approximate"))
    if (mode.getValue() != "none" && mode.getValue() != "tanh")
      return c.fail("'approximate' must be \"none\" or \"tanh\", got \"" + mode.getValue() + "\"");
  return c.type(0);
}

FailureOr<RankedTensorType> inferClamp(const ShapeContext &c) {
  if (failed(inferFloatUnary(c)))
    return failure();
  auto lo = c.attr<FloatAttr>("min"), hi = c.attr<FloatAttr>("max");
  if (lo && hi && lo.getValueAsDouble() > hi.getValueAsDouble())
    return c.fail("'min' " + Twine(formatNumber(lo.getValueAsDouble())) +
                  " is greater than 'max' " + formatNumber(hi.getValueAsDouble()));
  return c.type(0);
}

FailureOr<RankedTensorType> inferSoftmax(const ShapeContext &c) {
  if (failed(inferFloatUnary(c)) || failed(c.axisAttr("axis", -1, c.rank(0))))
    return failure();
  if (c.rank(0) == 0)
    return c.fail("takes an input of rank >= 1");
  return c.type(0);
}

FailureOr<RankedTensorType> inferConstant(const ShapeContext &c) {
  if (failed(c.checkOperands(0, 0)))
    return failure();
  auto value = c.attr<ElementsAttr>("value");
  if (!value)
    return c.fail("needs a 'value'");
  auto type = llvm::dyn_cast<RankedTensorType>(value.getType());
  Type e = type ? type.getElementType() : Type();
  if (!type || !(e.isF32() || e.isInteger(32) || e.isInteger(64)))
    return c.fail("'value' must be a tensor of f32, i32 or i64");
  return type;
}

FailureOr<RankedTensorType> inferMatmul(const ShapeContext &c) {
  if (failed(c.checkOperands(2, 2)) || failed(c.requireAllF32()))
    return failure();
  Shape a = c.shape(0), b = c.shape(1);
  if (a.size() < 2 || b.size() < 2)
    return c.fail("takes inputs of rank >= 2, got " + formatShape(a) + " and " + formatShape(b));
  const Dim &k1 = a[a.size() - 1], &k2 = b[b.size() - 2];
  if (matchDims(k1, k2) == DimMatch::Mismatch)
    return c.fail("contracting dims differ: " + formatShape(a) + " x " + formatShape(b));
  std::optional<Shape> batch = broadcastShapes(ArrayRef<Dim>(a).drop_back(2),
                                               ArrayRef<Dim>(b).drop_back(2));
  if (!batch)
    return c.fail("cannot broadcast batch dims of " + formatShape(a) + " and " + formatShape(b));
  Shape out = *batch;
  out.push_back(a[a.size() - 2]);
  out.push_back(b[b.size() - 1]);
  return c.result(out, c.f32());
}

FailureOr<RankedTensorType> inferReduction(const ShapeContext &c) {
  if (failed(c.checkOperands(1, 1)) || failed(c.requireF32(0)))
    return failure();
  auto axes = reductionAxes(c.attrs, c.rank(0));
  if (!axes)
    return c.fail("'axes' must be distinct axes in range for rank " + Twine(c.rank(0)));
  auto keep = c.attr<BoolAttr>("keepdims");
  if (c.opName == "variance" && c.intAttr("correction", 0) < 0)
    return c.fail("'correction' must be >= 0");
  return c.result(reducedShape(c.shape(0), *axes, keep && keep.getValue()), c.f32());
}

FailureOr<RankedTensorType> inferLayerNorm(const ShapeContext &c) {
  if (failed(c.checkOperands(3, 3)) || failed(c.requireAllF32()))
    return failure();
  FailureOr<int64_t> axis = c.axisAttr("axis", -1, c.rank(0));
  if (failed(axis))
    return failure();
  if (auto eps = c.attr<FloatAttr>("eps"); eps && !(eps.getValueAsDouble() >= 0))
    return c.fail("'eps' must be >= 0");
  Shape x = c.shape(0);
  ArrayRef<Dim> normalized = ArrayRef<Dim>(x).drop_front(*axis);
  for (unsigned i : {1u, 2u}) {
    Shape p = c.shape(i);
    bool ok = p.size() == normalized.size();
    for (size_t d = 0; ok && d < p.size(); ++d)
      ok = matchDims(p[d], normalized[d]) != DimMatch::Mismatch;
    if (!ok)
      return c.fail(Twine(i == 1 ? "gamma" : "beta") + " has shape " + formatShape(p) +
                    ", expected the normalized shape " + formatShape(normalized));
  }
  return c.type(0);
}

FailureOr<RankedTensorType> inferEmbedding(const ShapeContext &c) {
  if (failed(c.checkOperands(2, 2)) || failed(c.requireF32(0)) ||
      failed(c.requireInteger(1, "ids")))
    return failure();
  if (c.rank(0) != 2)
    return c.fail("table must have rank 2 [V, D], got " + formatShape(c.shape(0)));
  Shape out = c.shape(1);
  out.push_back(c.shape(0)[1]);
  return c.result(out, c.f32());
}

FailureOr<RankedTensorType> inferMseLoss(const ShapeContext &c) {
  if (failed(c.checkOperands(2, 2)) || failed(c.requireAllF32()))
    return failure();
  if (failed(broadcastResult(c, c.f32())))
    return failure();
  return c.result({}, c.f32());
}

FailureOr<RankedTensorType> inferCrossEntropy(const ShapeContext &c) {
  if (failed(c.checkOperands(2, 2)) || failed(c.requireF32(0)) ||
      failed(c.requireInteger(1, "target")))
    return failure();
  Shape logits = c.shape(0), target = c.shape(1);
  bool ok = !logits.empty() && target.size() + 1 == logits.size();
  for (size_t d = 0; ok && d < target.size(); ++d)
    ok = matchDims(target[d], logits[d]) != DimMatch::Mismatch;
  if (!ok)
    return c.fail("target shape " + formatShape(target) + " does not match logits " +
                  formatShape(logits) + " without the class dim");
  return c.result({}, c.f32());
}

FailureOr<RankedTensorType> inferReshape(const ShapeContext &c) {
  if (failed(c.checkOperands(1, 1)) || failed(c.requireKnownDtypes()))
    return failure();
  auto target = c.attr<DenseI64ArrayAttr>("shape");
  if (!target)
    return c.fail("needs a 'shape'");
  Shape in = c.shape(0);
  int64_t inStatic = 1, inDynamic = 0;
  Dim onlyDynamic;
  for (const Dim &d : in) {
    if (d.isDynamic()) {
      ++inDynamic;
      onlyDynamic = d;
    } else {
      inStatic *= d.size;
    }
  }
  int64_t outStatic = 1, inferred = -1;
  bool overflow = false, zero = false; // beyond int64 elements (without a 0 dim: no input has that many)
  for (auto [i, size] : llvm::enumerate(target.asArrayRef())) {
    if (size == -1) {
      if (inferred >= 0)
        return c.fail("'shape' may have only one -1");
      inferred = i;
    } else if (size < 0) {
      return c.fail("'shape' has a negative dim " + Twine(size));
    } else {
      zero |= size == 0;
      overflow |= __builtin_mul_overflow(outStatic, size, &outStatic);
    }
  }
  if (zero)
    outStatic = 0;
  if (target.size() > 8)
    return c.fail("rank " + Twine(target.size()) + " is above the limit of 8");
  Shape out;
  for (int64_t size : target.asArrayRef())
    out.push_back(size == -1 ? Dim::dynamic() : Dim::fixed(size));
  auto mismatch = [&] {
    return c.fail("cannot reshape " + formatShape(in) + " to [" +
                  llvm::join(llvm::map_range(target.asArrayRef(),
                                             [](int64_t v) { return std::to_string(v); }),
                             ",") +
                  "]");
  };
  if (overflow && !zero)
    return mismatch();
  if (inDynamic == 0) {
    if (inferred >= 0) {
      if (outStatic == 0 || inStatic % outStatic != 0)
        return mismatch();
      out[inferred] = Dim::fixed(inStatic / outStatic);
    } else if (inStatic != outStatic) {
      return mismatch();
    }
  } else if (inferred >= 0 && inDynamic == 1 && inStatic == outStatic) {
    out[inferred] = onlyDynamic; // the -1 is exactly the one dynamic dim
  } else if (inferred < 0 && inStatic != 0 && outStatic % inStatic != 0) {
    return mismatch();
  }
  return c.result(out, c.dtype(0));
}

FailureOr<RankedTensorType> inferTranspose(const ShapeContext &c) {
  if (failed(c.checkOperands(1, 1)) || failed(c.requireKnownDtypes()))
    return failure();
  int64_t rank = c.rank(0);
  Shape in = c.shape(0), out;
  auto perm = c.attr<DenseI64ArrayAttr>("perm");
  if (!perm) {
    out.assign(in.rbegin(), in.rend());
    return c.result(out, c.dtype(0));
  }
  if (static_cast<int64_t>(perm.size()) != rank)
    return c.fail("'perm' has " + Twine(perm.size()) + " entries for rank " + Twine(rank));
  SmallVector<bool> seen(rank, false);
  for (int64_t p : perm.asArrayRef()) {
    auto axis = normalizeAxis(p, rank);
    if (!axis || seen[*axis])
      return c.fail("'perm' is not a permutation of the " + Twine(rank) + " dims");
    seen[*axis] = true;
    out.push_back(in[*axis]);
  }
  return c.result(out, c.dtype(0));
}

FailureOr<RankedTensorType> inferSlice(const ShapeContext &c) {
  if (failed(c.checkOperands(1, 1)) || failed(c.requireKnownDtypes()))
    return failure();
  FailureOr<int64_t> axis = c.axisAttr("axis", 0, c.rank(0));
  if (!c.attr<IntegerAttr>("axis"))
    return c.fail("needs an 'axis'");
  if (failed(axis))
    return failure();
  int64_t step = c.intAttr("step", 1), start = c.intAttr("start", 0);
  std::optional<int64_t> end = c.optionalIntAttr("end");
  if (step <= 0)
    return c.fail("'step' must be > 0, got " + Twine(step));
  Shape out = c.shape(0);
  Dim &dim = out[*axis];
  if (dim.isStatic())
    dim = Dim::fixed(clampSlice(dim.size, start, end, step).size);
  else if (!(start == 0 && !end && step == 1))
    dim = Dim::dynamic();
  return c.result(out, c.dtype(0));
}

FailureOr<RankedTensorType> inferConcat(const ShapeContext &c) {
  if (failed(c.checkOperands(1, SIZE_MAX)) || failed(c.requireKnownDtypes()) ||
      failed(c.requireSameDtypes(0, c.numOperands() - 1)))
    return failure();
  if (!c.attr<IntegerAttr>("axis"))
    return c.fail("needs an 'axis'");
  FailureOr<int64_t> axis = c.axisAttr("axis", 0, c.rank(0));
  if (failed(axis))
    return failure();
  Shape out = c.shape(0);
  for (unsigned i = 1; i < c.numOperands(); ++i) {
    Shape s = c.shape(i);
    bool ok = s.size() == out.size();
    for (size_t d = 0; ok && d < s.size(); ++d)
      ok = static_cast<int64_t>(d) == *axis || matchDims(s[d], out[d]) != DimMatch::Mismatch;
    if (!ok)
      return c.fail("cannot concatenate " + formatShape(c.shape(0)) + " and " + formatShape(s) +
                    " along axis " + Twine(*axis));
    Dim &a = out[*axis];
    a = (a.isStatic() && s[*axis].isStatic()) ? Dim::fixed(a.size + s[*axis].size) : Dim::dynamic();
  }
  return c.result(out, c.dtype(0));
}

FailureOr<RankedTensorType> inferBroadcastTo(const ShapeContext &c) {
  if (failed(c.checkOperands(1, 1)) || failed(c.requireKnownDtypes()))
    return failure();
  auto target = c.attr<DenseI64ArrayAttr>("shape");
  if (!target)
    return c.fail("needs a 'shape'");
  Shape out;
  for (int64_t size : target.asArrayRef()) {
    if (size < 0)
      return c.fail("'shape' has a negative dim " + Twine(size));
    out.push_back(Dim::fixed(size));
  }
  Shape in = c.shape(0);
  std::optional<Shape> b = broadcastShapes(in, out);
  if (in.size() > out.size() || !b || *b != out)
    return c.fail("cannot broadcast " + formatShape(in) + " to " + formatShape(out));
  return c.result(out, c.dtype(0));
}

FailureOr<RankedTensorType> inferCast(const ShapeContext &c) {
  if (failed(c.checkOperands(1, 1)) || failed(c.requireKnownDtypes()))
    return failure();
  auto dtype = c.attr<TypeAttr>("dtype");
  if (!dtype)
    return c.fail("needs a 'dtype'");
  Type t = dtype.getValue();
  if (!t.isF32() && !t.isInteger(32) && !t.isInteger(64))
    return c.fail("'dtype' must be f32, i32 or i64");
  return c.result(c.shape(0), t);
}

// Internal ops (gradients).

FailureOr<RankedTensorType> inferBroadcastInDim(const ShapeContext &c) {
  if (failed(c.checkOperands(2, 2)) || failed(c.requireKnownDtypes()))
    return failure();
  auto dims = c.attr<DenseI64ArrayAttr>("dims");
  Shape in = c.shape(0), like = c.shape(1);
  if (!dims || dims.size() != in.size())
    return c.fail("'dims' must map each of the " + Twine(in.size()) + " input dims");
  SmallVector<bool> used(like.size(), false);
  for (auto [i, d] : llvm::enumerate(dims.asArrayRef())) {
    if (d < 0 || d >= static_cast<int64_t>(like.size()) || used[d])
      return c.fail("'dims' must be distinct dims of the result");
    used[d] = true;
    bool ok = (in[i].isStatic() && in[i].size == 1) ||
              matchDims(in[i], like[d]) != DimMatch::Mismatch;
    if (!ok)
      return c.fail("cannot broadcast " + formatShape(in) + " into " + formatShape(like));
  }
  return c.result(like, c.dtype(0));
}

FailureOr<RankedTensorType> inferOneHot(const ShapeContext &c) {
  if (failed(c.checkOperands(1, 1)) || failed(c.requireInteger(0, "ids")))
    return failure();
  int64_t depth = c.intAttr("depth", 0);
  if (depth <= 0)
    return c.fail("'depth' must be > 0");
  Shape out = c.shape(0);
  out.push_back(Dim::fixed(depth));
  return c.result(out, c.f32());
}

FailureOr<RankedTensorType> inferScatterSlice(const ShapeContext &c) {
  if (failed(c.checkOperands(2, 2)) || failed(c.requireKnownDtypes()))
    return failure();
  // The update must have the shape of the same slice of `like`.
  ShapeContext slice(c.opName, c.ctx, c.loc, c.operandTypes.drop_front(), c.attrs);
  FailureOr<RankedTensorType> sliced = inferSlice(slice);
  if (failed(sliced))
    return failure();
  Shape want = getShape(*sliced), got = c.shape(0);
  bool ok = want.size() == got.size();
  for (size_t d = 0; ok && d < got.size(); ++d)
    ok = matchDims(got[d], want[d]) != DimMatch::Mismatch;
  if (!ok)
    return c.fail("update shape " + formatShape(got) + " is not the slice shape " +
                  formatShape(want));
  return c.result(c.shape(1), c.dtype(0));
}

FailureOr<RankedTensorType> inferReshapeLike(const ShapeContext &c) {
  if (failed(c.checkOperands(2, 2)) || failed(c.requireKnownDtypes()))
    return failure();
  auto in = c.type(0), like = c.type(1);
  if (in.hasStaticShape() && like.hasStaticShape() &&
      in.getNumElements() != like.getNumElements())
    return c.fail("cannot reshape " + formatShape(c.shape(0)) + " to " + formatShape(c.shape(1)));
  return c.result(c.shape(1), c.dtype(0));
}

ShapeFn lookupShapeFn(StringRef op) {
  return llvm::StringSwitch<ShapeFn>(op)
      .Cases("add", "sub", "mul", "div", inferArithmetic)
      .Cases("maximum", "minimum", inferArithmetic)
      .Case("pow", inferPow)
      .Cases("greater", "less", "equal", inferComparison)
      .Case("where", inferWhere)
      .Cases("neg", "abs", inferSignedUnary)
      .Cases("exp", "log", "sqrt", "rsqrt", "tanh", inferFloatUnary)
      .Cases("sigmoid", "relu", "silu", "softplus", "leaky_relu", inferFloatUnary)
      .Case("elu", inferFloatUnary)
      .Case("gelu", inferGelu)
      .Case("clamp", inferClamp)
      .Case("constant", inferConstant)
      .Case("matmul", inferMatmul)
      .Cases("sum", "mean", "max", "min", "variance", inferReduction)
      .Cases("softmax", "log_softmax", inferSoftmax)
      .Case("layer_norm", inferLayerNorm)
      .Case("embedding", inferEmbedding)
      .Case("mse_loss", inferMseLoss)
      .Case("cross_entropy", inferCrossEntropy)
      .Case("reshape", inferReshape)
      .Case("transpose", inferTranspose)
      .Case("slice", inferSlice)
      .Case("concat", inferConcat)
      .Case("broadcast_to", inferBroadcastTo)
      .Case("cast", inferCast)
      .Case("broadcast_in_dim", inferBroadcastInDim)
      .Case("one_hot", inferOneHot)
      .Case("scatter_slice", inferScatterSlice)
      .Case("reshape_like", inferReshapeLike)
      .Default(nullptr);
}

} // namespace

LogicalResult inferResultTypes(StringRef opName, MLIRContext *ctx, std::optional<Location> loc,
                               TypeRange operandTypes, DictionaryAttr attrs,
                               SmallVectorImpl<Type> &results) {
  ShapeContext c(opName, ctx, loc, operandTypes, attrs);
  ShapeFn fn = lookupShapeFn(c.opName);
  if (!fn)
    return (void)c.fail("has no shape function"), failure();
  FailureOr<RankedTensorType> type = fn(c);
  if (failed(type))
    return failure();
  results.push_back(*type);
  return success();
}

LogicalResult inferResultTypes(StringRef opName, MLIRContext *ctx, std::optional<Location> loc,
                               ValueRange operands, DictionaryAttr attrs,
                               SmallVectorImpl<Type> &results) {
  return inferResultTypes(opName, ctx, loc, operands.getTypes(), attrs, results);
}

} // namespace asg
