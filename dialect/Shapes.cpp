// Shapes.cpp: dims with names, asg tensor types, broadcasting and axis helpers.
#include "dialect/Shapes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace asg {

bool isDimNameEncoding(Attribute encoding, int64_t rank) {
  auto names = llvm::dyn_cast_or_null<ArrayAttr>(encoding);
  if (!names || static_cast<int64_t>(names.size()) != rank)
    return false;
  return llvm::all_of(names, [](Attribute a) { return llvm::isa<StringAttr>(a); });
}

Shape getShape(RankedTensorType type) {
  Shape dims;
  auto names = llvm::dyn_cast_or_null<ArrayAttr>(type.getEncoding());
  bool named = isDimNameEncoding(type.getEncoding(), type.getRank());
  for (auto [i, size] : llvm::enumerate(type.getShape())) {
    Dim dim{size, {}};
    if (named && ShapedType::isDynamic(size)) {
      auto name = llvm::cast<StringAttr>(names[i]);
      if (!name.getValue().empty())
        dim.name = name;
    }
    dims.push_back(dim);
  }
  return dims;
}

RankedTensorType makeTensorType(MLIRContext *ctx, ArrayRef<Dim> dims, Type elementType) {
  SmallVector<int64_t> sizes;
  SmallVector<Attribute> names;
  bool anyName = false;
  for (const Dim &dim : dims) {
    sizes.push_back(dim.size);
    bool named = dim.isDynamic() && dim.name;
    anyName |= named;
    names.push_back(named ? dim.name : StringAttr::get(ctx, ""));
  }
  Attribute encoding = anyName ? ArrayAttr::get(ctx, names) : Attribute();
  return RankedTensorType::get(sizes, elementType, encoding);
}

RankedTensorType stripDimNames(RankedTensorType type) {
  return RankedTensorType::get(type.getShape(), type.getElementType());
}

std::string formatDim(const Dim &dim) {
  if (dim.isStatic())
    return std::to_string(dim.size);
  return dim.name ? dim.name.getValue().str() : "?";
}

std::string formatShape(ArrayRef<Dim> dims) {
  std::string out = "[";
  for (auto [i, dim] : llvm::enumerate(dims)) {
    if (i)
      out += ",";
    out += formatDim(dim);
  }
  return out + "]";
}

std::string formatDtype(Type elementType) {
  if (elementType.isF32())
    return "f32";
  if (elementType.isInteger(32))
    return "i32";
  if (elementType.isInteger(64))
    return "i64";
  std::string s;
  llvm::raw_string_ostream os(s);
  elementType.print(os);
  return s;
}

Type parseDtype(MLIRContext *ctx, StringRef name) {
  Builder b(ctx);
  if (name == "f32")
    return b.getF32Type();
  if (name == "i32")
    return b.getI32Type();
  if (name == "i64")
    return b.getI64Type();
  return {};
}

DimMatch matchDims(const Dim &a, const Dim &b) {
  if (a.isStatic() && b.isStatic())
    return a.size == b.size ? DimMatch::Equal : DimMatch::Mismatch;
  if (a.isDynamic() && b.isDynamic() && a.name && b.name)
    return a.name == b.name ? DimMatch::Equal : DimMatch::Mismatch;
  return DimMatch::NeedsRuntimeCheck;
}

std::optional<Shape> broadcastShapes(ArrayRef<Dim> a, ArrayRef<Dim> b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the right; a missing dim behaves as a static 1.
    std::optional<Dim> da, db;
    if (i < a.size())
      da = a[a.size() - 1 - i];
    if (i < b.size())
      db = b[b.size() - 1 - i];
    Dim &res = out[rank - 1 - i];
    if (!da || (da->isStatic() && da->size == 1)) {
      res = db ? *db : *da;
      continue;
    }
    if (!db || (db->isStatic() && db->size == 1)) {
      res = *da;
      continue;
    }
    if (matchDims(*da, *db) == DimMatch::Mismatch)
      return std::nullopt;
    // Prefer the static size, then a name: the runtime check ties them.
    if (da->isStatic())
      res = *da;
    else if (db->isStatic())
      res = *db;
    else
      res = da->name ? *da : *db;
  }
  return out;
}

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

SliceBounds clampSlice(int64_t dimSize, int64_t start, std::optional<int64_t> end, int64_t step) {
  auto clamp = [&](int64_t v) {
    if (v < 0)
      v += dimSize;
    return std::min(std::max<int64_t>(v, 0), dimSize);
  };
  int64_t s = clamp(start);
  int64_t e = end ? clamp(*end) : dimSize;
  int64_t size = e > s ? (e - s - 1) / step + 1 : 0; // no overflow for a huge step
  return {s, std::max(e, s), size};
}

Shape reducedShape(ArrayRef<Dim> dims, ArrayRef<int64_t> axes, bool keepDims) {
  Shape out;
  for (auto [i, dim] : llvm::enumerate(dims)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      out.push_back(dim);
    else if (keepDims)
      out.push_back(Dim::fixed(1));
  }
  return out;
}

std::optional<SmallVector<int64_t>> reductionAxes(DictionaryAttr attrs, int64_t rank) {
  SmallVector<int64_t> axes;
  auto given = attrs ? attrs.getAs<DenseI64ArrayAttr>("axes") : DenseI64ArrayAttr();
  if (!given) {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
    return axes;
  }
  for (int64_t axis : given.asArrayRef()) {
    auto norm = normalizeAxis(axis, rank);
    if (!norm || llvm::is_contained(axes, *norm))
      return std::nullopt;
    axes.push_back(*norm);
  }
  llvm::sort(axes);
  return axes;
}

} // namespace asg
