// Private to the module: a strict JSON reader over a request's text and a compact JSON writer.
//
// Why not nlohmann::json on this path: a request is parsed once, a few fields are read, and it is
// dropped; building a DOM of heap nodes and dumping a response DOM cost about 1 µs per request,
// most of an activation. The reader indexes the text in one pass into a flat node array (reused,
// so no allocation in the steady state) and hands out views into the text; the writer appends
// straight to a string. Both are strict where the module must be: RFC 8259 grammar, valid UTF-8,
// no lone surrogates, nothing after the value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twelvefold::shim::detail {

enum class json_kind : std::uint8_t { null, boolean, number, string, array, object };

struct json_node {
  std::uint32_t begin = 0;  // first byte of the value; strings: the byte after the opening quote
  std::uint32_t end = 0;    // one past the last byte; strings: the closing quote
  std::uint32_t next = 0;   // index of the node after this node's subtree
  json_kind kind = json_kind::null;
  bool flag = false;  // boolean: its value; string: contains backslash escapes
};

class json_document;

// A view of one value of a parsed document; default-constructed (or a failed find) it is absent.
class json_value {
 public:
  json_value() = default;

  [[nodiscard]] bool present() const { return doc_ != nullptr; }
  [[nodiscard]] json_kind kind() const;
  [[nodiscard]] bool is(json_kind k) const { return present() && kind() == k; }

  // The exact source text of the value (a string with its quotes).
  [[nodiscard]] std::string_view raw() const;
  // The value as compact JSON: raw() itself when the document has no inner whitespace.
  [[nodiscard]] std::string compact_text() const;
  [[nodiscard]] bool boolean() const;

  // Strings. `escaped()` strings must be decoded with text(); others are their own text.
  [[nodiscard]] bool escaped() const;
  [[nodiscard]] std::string_view unescaped_view() const;  // content between the quotes
  [[nodiscard]] std::string text() const;                 // decoded content
  [[nodiscard]] bool text_equals(std::string_view other) const;

  // Numbers: the value as a double (finite: the grammar has no NaN or infinity).
  [[nodiscard]] double number() const;

  // Objects: the first member named `key` (duplicates: the first wins, as on the Notecard).
  [[nodiscard]] json_value find(std::string_view key) const;

  // Iteration over an object's members or an array's items.
  class iterator {
   public:
    iterator(const json_document* doc, std::uint32_t index, bool object)
        : doc_(doc), index_(index), object_(object) {}
    [[nodiscard]] json_value key() const;    // objects only
    [[nodiscard]] json_value value() const;  // the item, or the member's value
    iterator& operator++();
    bool operator!=(const iterator& other) const { return index_ != other.index_; }
    const iterator& operator*() const { return *this; }

   private:
    const json_document* doc_;
    std::uint32_t index_;
    bool object_;
  };
  [[nodiscard]] iterator begin() const;
  [[nodiscard]] iterator end() const;
  [[nodiscard]] std::size_t size() const;  // members or items

 private:
  friend class json_document;
  friend class iterator;
  json_value(const json_document* doc, std::uint32_t index) : doc_(doc), index_(index) {}
  [[nodiscard]] const json_node& node() const;

  const json_document* doc_ = nullptr;
  std::uint32_t index_ = 0;
};

class json_document {
 public:
  // Indexes `text`, which must outlive the document and every value taken from it. Returns
  // false for anything that is not exactly one valid JSON value (surrounding whitespace allowed)
  // or that nests deeper than max_depth.
  bool parse(std::string_view text);
  [[nodiscard]] json_value root() const { return json_value(this, 0); }
  // True when the text has no whitespace between tokens, so every value's raw() is compact.
  [[nodiscard]] bool compact() const { return compact_; }

  static constexpr std::size_t max_depth = 64;

 private:
  friend class json_value;
  std::string_view text_;
  std::vector<json_node> nodes_;
  bool compact_ = true;
};

// Appends compact JSON to a string. The caller keeps the structure well formed; the writer
// places commas and colons and escapes strings (invalid UTF-8 becomes U+FFFD, so text the module
// did not validate itself can still be written safely).
class json_writer {
 public:
  explicit json_writer(std::string& out) : out_(&out) {}

  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view name);
  json_writer& string(std::string_view text);
  json_writer& integer(std::int64_t value);
  json_writer& number(double value);  // NaN and infinities become null
  json_writer& boolean(bool value);
  json_writer& null();
  // Already-valid compact JSON (a stored Note body, a raw request value).
  json_writer& raw(std::string_view json);
  // A value from a parsed document, written compactly whatever its original spacing.
  json_writer& value(const json_value& v);

  // Shorthand for key(name) followed by the value.
  json_writer& field(std::string_view name, std::string_view text) {
    return key(name).string(text);
  }
  json_writer& field(std::string_view name, const char* text) { return key(name).string(text); }
  json_writer& field(std::string_view name, std::int64_t v) { return key(name).integer(v); }
  json_writer& field(std::string_view name, int v) { return key(name).integer(v); }
  json_writer& field(std::string_view name, std::uint64_t v) {
    return key(name).integer(static_cast<std::int64_t>(v));
  }
  json_writer& field(std::string_view name, bool v) { return key(name).boolean(v); }
  json_writer& field_number(std::string_view name, double v) { return key(name).number(v); }

  // Marks the writer as positioned after a value, e.g. when the caller wrote "{" itself.
  void after_open() { comma_ = false; }

 private:
  void separate();
  std::string* out_;
  bool comma_ = false;
};

// Appends `text` as a JSON string literal (with quotes) to `out`.
void append_json_string(std::string& out, std::string_view text);

// True if `text` is exactly one valid JSON value.
bool is_valid_json(std::string_view text);

}  // namespace twelvefold::shim::detail
