// module: typed request fields, Notefile names, and the small parsers the handlers share.
#include <charconv>
#include <cmath>
#include <deque>
#include <limits>

#include "module_impl.hpp"

namespace twelvefold::shim {

bool env_name_less::operator()(std::string_view a, std::string_view b) const {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
    const char x = lower(a[i]);
    const char y = lower(b[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
  }
  return a.size() < b.size();
}

namespace detail {
namespace {

// Decoded strings of the current request. A deque never moves its elements, so views stay
// valid; it is per thread because a module is used by one thread at a time and requests never
// nest.
std::deque<std::string>& scratch() {
  thread_local std::deque<std::string> strings;
  return strings;
}

}  // namespace

void reset_request_scratch() {
  auto& strings = scratch();
  if (!strings.empty()) strings.clear();
}

std::string_view keep_text(const json_value& string_value) {
  if (!string_value.escaped()) return string_value.unescaped_view();
  return scratch().emplace_back(string_value.text());
}

std::string type_error(std::string_view name, std::string_view expected) {
  std::string text = "field '";
  text.append(name).append("': expected ").append(expected);
  return text;
}

std::optional<std::int64_t> integer_of(const json_value& number) {
  const std::string_view text = number.raw();
  if (text.find_first_of(".eE") == std::string_view::npos) {
    std::int64_t value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec == std::errc{}) return value;
    return std::nullopt;
  }
  // C firmware often formats numbers with %f or %g; a whole number is still an integer.
  const double value = number.number();
  constexpr double limit = 9.2e18;  // just inside the int64 range
  if (std::isfinite(value) && std::trunc(value) == value && std::fabs(value) < limit) {
    return static_cast<std::int64_t>(value);
  }
  return std::nullopt;
}

json_value fields::find(std::string_view name) const {
  json_value value = request_.find(name);
  if (value.present() && value.kind() == json_kind::null) return {};
  return value;
}

void fields::fail(std::string text) {
  if (error_.empty()) error_ = std::move(text);
}

std::optional<std::string_view> fields::string(std::string_view name) {
  const json_value value = find(name);
  if (!value.present()) return std::nullopt;
  if (value.kind() != json_kind::string) {
    fail(type_error(name, "a string"));
    return std::nullopt;
  }
  return keep_text(value);
}

std::optional<bool> fields::boolean(std::string_view name) {
  const json_value value = find(name);
  if (!value.present()) return std::nullopt;
  if (value.kind() != json_kind::boolean) {
    fail(type_error(name, "a boolean"));
    return std::nullopt;
  }
  return value.boolean();
}

std::optional<std::int64_t> fields::integer(std::string_view name) {
  const json_value value = find(name);
  if (!value.present()) return std::nullopt;
  if (value.kind() == json_kind::number) {
    if (auto integer = integer_of(value)) return integer;
    const std::string_view text = value.raw();
    if (text.find_first_of(".eE-") == std::string_view::npos) {
      fail(type_error(name, "an integer in the 64-bit signed range"));
      return std::nullopt;
    }
  }
  fail(type_error(name, "an integer"));
  return std::nullopt;
}

std::optional<double> fields::number(std::string_view name) {
  const json_value value = find(name);
  if (!value.present()) return std::nullopt;
  if (value.kind() != json_kind::number || !std::isfinite(value.number())) {
    fail(type_error(name, "a number"));
    return std::nullopt;
  }
  return value.number();
}

json_value fields::object(std::string_view name) {
  const json_value value = find(name);
  if (value.present() && value.kind() != json_kind::object) {
    fail(type_error(name, "an object"));
    return {};
  }
  return value;
}

json_value fields::array(std::string_view name) {
  const json_value value = find(name);
  if (value.present() && value.kind() != json_kind::array) {
    fail(type_error(name, "an array"));
    return {};
  }
  return value;
}

notefile_kind classify_notefile(std::string_view file) {
  struct suffix {
    std::string_view text;
    notefile_kind kind;
  };
  static constexpr suffix suffixes[] = {
      {".qo", notefile_kind::qo},   {".qos", notefile_kind::qos}, {".qi", notefile_kind::qi},
      {".qis", notefile_kind::qis}, {".db", notefile_kind::db},   {".dbs", notefile_kind::dbs},
      {".dbx", notefile_kind::dbx},
  };
  // The Notecard's own limits are not published; 100 bytes keeps names printable in a twin
  // store row and far above any real one.
  if (file.size() > 100) return notefile_kind::invalid;
  for (const suffix& s : suffixes) {
    if (file.size() > s.text.size() && file.ends_with(s.text)) return s.kind;
  }
  return notefile_kind::invalid;
}

std::optional<std::string_view> voltage_variable(std::string_view text, std::string_view mode) {
  while (!text.empty()) {
    const std::size_t end = text.find(';');
    const std::string_view item = text.substr(0, end);
    const std::size_t colon = item.find(':');
    if (colon != std::string_view::npos && item.substr(0, colon) == mode) {
      return item.substr(colon + 1);
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return std::nullopt;
}

}  // namespace detail
}  // namespace twelvefold::shim
