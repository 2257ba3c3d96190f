// JsonDocument.h: strict JSON parsing into a tree that keeps each value's line and column.
#ifndef ASG_COMPILER_IMPORT_JSONDOCUMENT_H
#define ASG_COMPILER_IMPORT_JSONDOCUMENT_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace asg {

/// 1-based line and byte column of a value's first character.
struct JsonPos {
  unsigned line = 1, col = 1;
};

/// One JSON value with its position. Objects keep their members in file order.
struct JsonValue {
  enum class Kind { Null, Bool, Int, Float, String, Array, Object };
  Kind kind = Kind::Null;
  JsonPos pos;
  bool boolean = false;
  int64_t integer = 0;  // Kind::Int (also set, saturated, for huge unsigned values)
  bool hugeInteger = false; // an integer beyond int64
  double number = 0;    // Kind::Float, and Kind::Int as a double
  std::string string;
  std::vector<JsonValue> items;
  std::vector<std::pair<std::string, JsonValue>> members;

  bool isNumber() const { return kind == Kind::Int || kind == Kind::Float; }
  /// The member `key` of an object, or null.
  const JsonValue *find(llvm::StringRef key) const;
  /// "an object", "a string", ... for error messages.
  const char *describe() const;
};

/// A located syntax or structure error of a JSON text.
struct JsonError {
  JsonPos pos;
  std::string message;
};

/// Parses `text` as strict JSON (RFC 8259, UTF-8; no comments) with at most
/// `maxDepth` nested arrays/objects and no duplicate keys. On failure returns
/// null and appends the errors (duplicate keys are all reported).
std::unique_ptr<JsonValue> parseJson(llvm::StringRef text, unsigned maxDepth,
                                     std::vector<JsonError> &errors);

} // namespace asg

#endif // ASG_COMPILER_IMPORT_JSONDOCUMENT_H
