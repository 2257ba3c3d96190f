// JsonDocument.cpp: nlohmann-json SAX parsing with byte positions (a counting input
// iterator) into JsonValue trees, with nesting and duplicate-key checks.
#include "compiler/Import/JsonDocument.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <iterator>

namespace asg {

const JsonValue *JsonValue::find(llvm::StringRef key) const {
  for (const auto &[k, v] : members)
    if (k == key)
      return &v;
  return nullptr;
}

const char *JsonValue::describe() const {
  switch (kind) {
  case Kind::Null: return "null";
  case Kind::Bool: return "a boolean";
  case Kind::Int: return "an integer";
  case Kind::Float: return "a number";
  case Kind::String: return "a string";
  case Kind::Array: return "an array";
  case Kind::Object: return "an object";
  }
  return "a value";
}

namespace {

/// A forward iterator over the text that records how many bytes the parser
/// has consumed: inside a SAX callback that is the end of the current token
/// (numbers read one byte ahead).
class CountingIterator {
public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char *;
  using reference = const char &;

  CountingIterator(const char *begin, const char *p, size_t *consumed)
      : begin(begin), p(p), consumed(consumed) {}
  reference operator*() const { return *p; }
  CountingIterator &operator++() {
    ++p;
    *consumed = static_cast<size_t>(p - begin);
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const CountingIterator &o) const { return p == o.p; }
  bool operator!=(const CountingIterator &o) const { return p != o.p; }

private:
  const char *begin;
  const char *p;
  size_t *consumed;
};

/// Builds the JsonValue tree from SAX events.
class TreeBuilder : public nlohmann::json_sax<nlohmann::json> {
public:
  TreeBuilder(llvm::StringRef text, unsigned maxDepth, std::vector<JsonError> &errors)
      : text(text), maxDepth(maxDepth), errors(errors) {
    lineStarts.push_back(0);
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n')
        lineStarts.push_back(i + 1);
  }

  size_t consumed = 0;
  std::unique_ptr<JsonValue> root;
  bool failedStructure = false;

  bool null() override { return add(JsonValue{}); }
  bool boolean(bool v) override {
    JsonValue j;
    j.kind = JsonValue::Kind::Bool;
    j.boolean = v;
    return add(std::move(j));
  }
  bool number_integer(number_integer_t v) override {
    JsonValue j;
    j.kind = JsonValue::Kind::Int;
    j.integer = v;
    j.number = static_cast<double>(v);
    return add(std::move(j));
  }
  bool number_unsigned(number_unsigned_t v) override {
    JsonValue j;
    j.kind = JsonValue::Kind::Int;
    j.hugeInteger = v > static_cast<uint64_t>(INT64_MAX);
    j.integer = j.hugeInteger ? INT64_MAX : static_cast<int64_t>(v);
    j.number = static_cast<double>(v);
    return add(std::move(j));
  }
  bool number_float(number_float_t v, const string_t &) override {
    JsonValue j;
    j.kind = JsonValue::Kind::Float;
    j.number = v;
    return add(std::move(j));
  }
  bool string(string_t &v) override {
    JsonValue j;
    j.kind = JsonValue::Kind::String;
    j.string = std::move(v);
    return add(std::move(j));
  }
  bool binary(binary_t &) override { return add(JsonValue{}); }

  bool start_object(std::size_t) override { return open(JsonValue::Kind::Object); }
  bool start_array(std::size_t) override { return open(JsonValue::Kind::Array); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t &k) override {
    JsonPos pos = nextTokenPos();
    markEnd();
    JsonValue *object = stack.back();
    if (object->find(k))
      errors.push_back({pos, "duplicate key '" + k + "'"}), failedStructure = true;
    pendingKey = k;
    return true;
  }

  bool parse_error(std::size_t position, const std::string &,
                   const nlohmann::detail::exception &ex) override {
    std::string message = ex.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: <what>"
    size_t colon = message.find(": ");
    if (message.find("column") != std::string::npos && colon != std::string::npos)
      message = message.substr(colon + 2);
    // nlohmann's "last read: '...'" quotes everything read since the last
    // string, number or literal (and raw invalid bytes); the location says it.
    size_t lastRead = message.find("; last read: '");
    if (lastRead != std::string::npos) {
      size_t expected = message.rfind("'; expected ");
      message = message.substr(0, lastRead) +
                (expected != std::string::npos && expected > lastRead ? message.substr(expected + 1)
                                                                       : "");
    }
    size_t start = errorTokenStart(position);
    // nlohmann takes a NUL byte for the end of the input.
    if (start < text.size() && text[start] == '\0')
      message = "unexpected NUL byte";
    errors.push_back({positionOf(start), "invalid JSON: " + message});
    return false;
  }

private:
  llvm::StringRef text;
  unsigned maxDepth;
  std::vector<JsonError> &errors;
  std::vector<size_t> lineStarts;
  std::vector<JsonValue *> stack;
  std::string pendingKey;
  size_t lastEnd = 0;

  JsonPos positionOf(size_t offset) const {
    offset = std::min(offset, text.size());
    auto line = std::upper_bound(lineStarts.begin(), lineStarts.end(), offset) - 1;
    return JsonPos{static_cast<unsigned>(line - lineStarts.begin() + 1),
                   static_cast<unsigned>(offset - *line + 1)};
  }

  static bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  /// The start of the token after the previous one: skip whitespace and the
  /// separators that produce no event.
  size_t nextTokenOffset() const {
    size_t i = lastEnd;
    while (i < text.size() && (isSpace(text[i]) || text[i] == ',' || text[i] == ':'))
      ++i;
    return i;
  }
  JsonPos nextTokenPos() const { return positionOf(nextTokenOffset()); }
  void markEnd() { lastEnd = consumed; }

  /// The start of the token the lexer failed on, which ends at `position`
  /// (bytes read): after the last complete token, its whitespace and at most
  /// one separator that the lexer read past.
  size_t errorTokenStart(size_t position) const {
    size_t i = lastEnd;
    while (i < text.size() && isSpace(text[i]))
      ++i;
    if (i < text.size() && (text[i] == ',' || text[i] == ':') && position > i + 1) {
      ++i;
      while (i < text.size() && isSpace(text[i]))
        ++i;
    }
    return std::min(i, text.size());
  }

  /// Places a finished value into its parent; returns its stable address.
  JsonValue *place(JsonValue &&value) {
    if (stack.empty()) {
      root = std::make_unique<JsonValue>(std::move(value));
      return root.get();
    }
    JsonValue *parent = stack.back();
    if (parent->kind == JsonValue::Kind::Array) {
      parent->items.push_back(std::move(value));
      return &parent->items.back();
    }
    parent->members.emplace_back(pendingKey, std::move(value));
    return &parent->members.back().second;
  }

  bool add(JsonValue &&value) {
    size_t start = nextTokenOffset();
    value.pos = positionOf(start);
    markEnd();
    if (value.isNumber()) {
      // The lexer has read one byte past a number: end it at its last character.
      size_t end = start;
      while (end < text.size() && (isdigit(static_cast<unsigned char>(text[end])) ||
                                   llvm::StringRef("+-.eE").contains(text[end])))
        ++end;
      lastEnd = end;
    }
    place(std::move(value));
    return true;
  }

  bool open(JsonValue::Kind kind) {
    JsonValue value;
    value.kind = kind;
    value.pos = positionOf(consumed ? consumed - 1 : 0);
    markEnd();
    if (stack.size() >= maxDepth) {
      errors.push_back({value.pos, "JSON nesting is deeper than " + std::to_string(maxDepth) +
                                       " levels"});
      return false;
    }
    // The open value is the last element of its parent, which gains no
    // siblings until it closes, so this pointer stays valid meanwhile.
    stack.push_back(place(std::move(value)));
    return true;
  }

  bool close() {
    markEnd();
    stack.pop_back();
    return true;
  }
};

} // namespace

std::unique_ptr<JsonValue> parseJson(llvm::StringRef text, unsigned maxDepth,
                                     std::vector<JsonError> &errors) {
  TreeBuilder builder(text, maxDepth, errors);
  CountingIterator first(text.begin(), text.begin(), &builder.consumed);
  CountingIterator last(text.begin(), text.end(), &builder.consumed);
  bool ok = nlohmann::json::sax_parse(first, last, &builder, nlohmann::json::input_format_t::json,
                                      /*strict=*/true, /*ignore_comments=*/false);
  if (!ok || builder.failedStructure || !builder.root)
    return nullptr;
  return std::move(builder.root);
}

} // namespace asg
