// The module's JSON reader and writer (see module_json.hpp for why they exist).
#include "module_json.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

namespace twelvefold::shim::detail {
namespace {

constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four hex digits at text[pos..pos+4), or -1.
int hex4(std::string_view text, std::size_t pos) {
  if (pos + 4 > text.size()) return -1;
  int value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const int digit = hex_value(text[pos + i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// Length of the valid UTF-8 sequence (RFC 3629: no overlongs, no surrogates, <= U+10FFFF) that
// starts with a non-ASCII byte at text[pos], or 0 if it is invalid.
std::size_t utf8_sequence(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;  // U+D800..U+DFFF are not characters
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  const unsigned char second = byte(pos + 1);
  if (second < low || second > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// Decodes the content of a string literal that the parser has already validated.
void decode_string(std::string_view content, std::string& out) {
  out.reserve(out.size() + content.size());
  for (std::size_t i = 0; i < content.size(); ++i) {
    const char c = content[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    const char e = content[++i];
    switch (e) {
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        std::uint32_t code = static_cast<std::uint32_t>(hex4(content, i + 1));
        i += 4;
        if (code >= 0xD800 && code <= 0xDBFF) {
          const auto low = static_cast<std::uint32_t>(hex4(content, i + 3));
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        append_utf8(out, code);
        break;
      }
      default:
        out.push_back(e);
        break;  // '"', '\\', '/'
    }
  }
}

class parser {
 public:
  parser(std::string_view text, std::vector<json_node>& nodes) : text_(text), nodes_(nodes) {}

  bool run() {
    skip_space();
    std::array<std::uint32_t, json_document::max_depth> stack{};
    std::size_t depth = 0;
    // Each turn parses one value, then closes every container that ends right after it.
    for (;;) {
      if (pos_ >= text_.size()) return false;
      const char c = text_[pos_];
      if (c == '{' || c == '[') {
        if (depth == stack.size()) return false;
        const auto index = add(c == '{' ? json_kind::object : json_kind::array, pos_);
        stack[depth++] = index;
        ++pos_;
        inner_space();
        if (pos_ < text_.size() && text_[pos_] == (c == '{' ? '}' : ']')) {
          // Empty container: closed below as if a value had just ended.
        } else if (c == '{') {
          if (!member_key()) return false;
          continue;
        } else {
          continue;
        }
      } else if (!scalar()) {
        return false;
      }
      // After a value: separators and closing brackets.
      for (;;) {
        if (depth == 0) {
          skip_space();
          return pos_ == text_.size();
        }
        if (depth > 0) inner_space();
        if (pos_ >= text_.size()) return false;
        json_node& top = nodes_[stack[depth - 1]];
        const bool object = top.kind == json_kind::object;
        const char d = text_[pos_];
        if (d == (object ? '}' : ']')) {
          ++pos_;
          top.end = static_cast<std::uint32_t>(pos_);
          top.next = static_cast<std::uint32_t>(nodes_.size());
          --depth;
          continue;
        }
        if (d != ',') return false;
        ++pos_;
        inner_space();
        if (object && !member_key()) return false;
        break;
      }
    }
  }

  bool saw_inner_space() const { return inner_space_seen_; }

 private:
  std::uint32_t add(json_kind kind, std::size_t begin) {
    json_node node;
    node.kind = kind;
    node.begin = static_cast<std::uint32_t>(begin);
    node.next = static_cast<std::uint32_t>(nodes_.size() + 1);
    nodes_.push_back(node);
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }
  void inner_space() {
    const std::size_t before = pos_;
    skip_space();
    if (pos_ != before) inner_space_seen_ = true;
  }

  // A member's key and colon; leaves pos_ at the value.
  bool member_key() {
    if (pos_ >= text_.size() || text_[pos_] != '"') return false;
    if (!string_literal()) return false;
    inner_space();
    if (pos_ >= text_.size() || text_[pos_] != ':') return false;
    ++pos_;
    inner_space();
    return true;
  }

  bool scalar() {
    const char c = text_[pos_];
    if (c == '"') return string_literal();
    if (c == 't') return literal("true", json_kind::boolean, true);
    if (c == 'f') return literal("false", json_kind::boolean, false);
    if (c == 'n') return literal("null", json_kind::null, false);
    if (c == '-' || is_digit(c)) return number_literal();
    return false;
  }

  bool literal(std::string_view word, json_kind kind, bool value) {
    if (text_.substr(pos_, word.size()) != word) return false;
    const auto index = add(kind, pos_);
    pos_ += word.size();
    nodes_[index].end = static_cast<std::uint32_t>(pos_);
    nodes_[index].flag = value;
    return true;
  }

  bool number_literal() {
    const std::size_t begin = pos_;
    if (text_[pos_] == '-') ++pos_;
    if (pos_ >= text_.size() || !is_digit(text_[pos_])) return false;
    if (text_[pos_] == '0') {
      ++pos_;
    } else {
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (pos_ >= text_.size() || !is_digit(text_[pos_])) return false;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (pos_ >= text_.size() || !is_digit(text_[pos_])) return false;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    const auto index = add(json_kind::number, begin);
    nodes_[index].end = static_cast<std::uint32_t>(pos_);
    return true;
  }

  bool string_literal() {
    const auto index = add(json_kind::string, pos_ + 1);
    ++pos_;
    bool escaped = false;
    while (pos_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        nodes_[index].end = static_cast<std::uint32_t>(pos_);
        nodes_[index].flag = escaped;
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        escaped = true;
        if (!escape()) return false;
        continue;
      }
      if (c >= 0x80) {
        const std::size_t length = utf8_sequence(text_, pos_);
        if (length == 0) return false;
        pos_ += length;
        continue;
      }
      ++pos_;
    }
    return false;
  }

  // An escape at pos_ (the backslash); advances past it.
  bool escape() {
    if (pos_ + 1 >= text_.size()) return false;
    const char e = text_[pos_ + 1];
    if (e != 'u') {
      if (std::strchr("\"\\/bfnrt", e) == nullptr || e == '\0') return false;
      pos_ += 2;
      return true;
    }
    const int code = hex4(text_, pos_ + 2);
    if (code < 0) return false;
    pos_ += 6;
    if (code >= 0xDC00 && code <= 0xDFFF) return false;  // a low surrogate cannot come first
    if (code >= 0xD800 && code <= 0xDBFF) {
      if (pos_ + 1 >= text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') return false;
      const int low = hex4(text_, pos_ + 2);
      if (low < 0xDC00 || low > 0xDFFF) return false;
      pos_ += 6;
    }
    return true;
  }

  std::string_view text_;
  std::vector<json_node>& nodes_;
  std::size_t pos_ = 0;
  bool inner_space_seen_ = false;
};

constexpr std::string_view hex_digits = "0123456789abcdef";

}  // namespace

// --- json_document -------------------------------------------------------------------------

bool json_document::parse(std::string_view text) {
  text_ = text;
  nodes_.clear();
  compact_ = true;
  // Offsets are 32-bit; requests are far smaller (module_limits caps them long before).
  if (text.size() >= 0xFFFF'FFFFu) return false;
  parser p(text, nodes_);
  const bool ok = p.run();
  compact_ = !p.saw_inner_space();
  if (!ok) nodes_.clear();
  return ok;
}

// --- json_value ----------------------------------------------------------------------------

const json_node& json_value::node() const { return doc_->nodes_[index_]; }
json_kind json_value::kind() const { return node().kind; }

std::string_view json_value::raw() const {
  const json_node& n = node();
  if (n.kind == json_kind::string) return doc_->text_.substr(n.begin - 1, n.end - n.begin + 2);
  return doc_->text_.substr(n.begin, n.end - n.begin);
}

std::string json_value::compact_text() const {
  if (doc_->compact_) return std::string(raw());
  std::string out;
  json_writer(out).value(*this);
  return out;
}

bool json_value::boolean() const { return node().flag; }
bool json_value::escaped() const { return node().flag; }

std::string_view json_value::unescaped_view() const {
  const json_node& n = node();
  return doc_->text_.substr(n.begin, n.end - n.begin);
}

std::string json_value::text() const {
  if (!escaped()) return std::string(unescaped_view());
  std::string out;
  decode_string(unescaped_view(), out);
  return out;
}

bool json_value::text_equals(std::string_view other) const {
  if (!escaped()) return unescaped_view() == other;
  return text() == other;
}

double json_value::number() const {
  const std::string_view text = raw();
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec == std::errc::result_out_of_range) {
    // Beyond double's range: keep the sign and let callers reject the magnitude.
    return text.starts_with('-') ? -HUGE_VAL : HUGE_VAL;
  }
  return value;
}

json_value json_value::find(std::string_view key) const {
  if (!is(json_kind::object)) return {};
  const auto& nodes = doc_->nodes_;
  const std::uint32_t stop = nodes[index_].next;
  for (std::uint32_t i = index_ + 1; i < stop;) {
    const json_node& k = nodes[i];
    const std::uint32_t value = i + 1;
    const bool match = k.flag ? json_value(doc_, i).text() == key
                              : doc_->text_.substr(k.begin, k.end - k.begin) == key;
    if (match) return {doc_, value};
    i = nodes[value].next;
  }
  return {};
}

json_value::iterator json_value::begin() const {
  const bool object = is(json_kind::object);
  if (!object && !is(json_kind::array)) return end();
  return {doc_, index_ + 1, object};
}

json_value::iterator json_value::end() const {
  const bool object = is(json_kind::object);
  if (!present()) return {nullptr, 0, false};
  return {doc_, node().next, object};
}

std::size_t json_value::size() const {
  std::size_t count = 0;
  for (auto it = begin(); it != end(); ++it) ++count;
  return count;
}

json_value json_value::iterator::key() const { return {doc_, index_}; }
json_value json_value::iterator::value() const { return {doc_, object_ ? index_ + 1 : index_}; }

json_value::iterator& json_value::iterator::operator++() {
  const std::uint32_t value = object_ ? index_ + 1 : index_;
  index_ = doc_->nodes_[value].next;
  return *this;
}

// --- json_writer ---------------------------------------------------------------------------

void json_writer::separate() {
  if (comma_) out_->push_back(',');
}

json_writer& json_writer::begin_object() {
  separate();
  out_->push_back('{');
  comma_ = false;
  return *this;
}
json_writer& json_writer::end_object() {
  out_->push_back('}');
  comma_ = true;
  return *this;
}
json_writer& json_writer::begin_array() {
  separate();
  out_->push_back('[');
  comma_ = false;
  return *this;
}
json_writer& json_writer::end_array() {
  out_->push_back(']');
  comma_ = true;
  return *this;
}
json_writer& json_writer::key(std::string_view name) {
  separate();
  append_json_string(*out_, name);
  out_->push_back(':');
  comma_ = false;
  return *this;
}
json_writer& json_writer::string(std::string_view text) {
  separate();
  append_json_string(*out_, text);
  comma_ = true;
  return *this;
}
json_writer& json_writer::integer(std::int64_t value) {
  separate();
  std::array<char, 24> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out_->append(buffer.data(), result.ptr);
  comma_ = true;
  return *this;
}
json_writer& json_writer::number(double value) {
  if (!std::isfinite(value)) return null();
  separate();
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out_->append(buffer.data(), result.ptr);
  comma_ = true;
  return *this;
}
json_writer& json_writer::boolean(bool value) {
  separate();
  out_->append(value ? "true" : "false");
  comma_ = true;
  return *this;
}
json_writer& json_writer::null() {
  separate();
  out_->append("null");
  comma_ = true;
  return *this;
}
json_writer& json_writer::raw(std::string_view json) {
  separate();
  out_->append(json);
  comma_ = true;
  return *this;
}

json_writer& json_writer::value(const json_value& v) {
  switch (v.kind()) {
    case json_kind::null:
    case json_kind::boolean:
    case json_kind::number:
    case json_kind::string:
      // Scalars are written exactly as they came: they are valid, compact JSON already.
      return raw(v.raw());
    case json_kind::object:
      begin_object();
      for (const auto& member : v) {
        separate();
        out_->append(member.key().raw());
        out_->push_back(':');
        comma_ = false;
        value(member.value());
      }
      return end_object();
    case json_kind::array:
      begin_array();
      for (const auto& item : v) value(item.value());
      return end_array();
  }
  return *this;
}

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t run = 0;  // start of the current run of bytes that need no escaping
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence(text, i);
      if (length != 0) {
        i += length;
        continue;
      }
    }
    out.append(text.substr(run, i - run));
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(hex_digits[c >> 4]);
          out.push_back(hex_digits[c & 0xF]);
        } else {
          out.append("\xEF\xBF\xBD");  // an invalid UTF-8 byte becomes U+FFFD
        }
    }
    ++i;
    run = i;
  }
  out.append(text.substr(run));
  out.push_back('"');
}

bool is_valid_json(std::string_view text) {
  json_document doc;
  return doc.parse(text);
}

}  // namespace twelvefold::shim::detail
