#include <cmath>
#include <limits>

#include "module_impl.hpp"

namespace twelvefold::shim::detail {

const json* find_field(const json& request, std::string_view name) {
  const auto it = request.find(name);
  if (it == request.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string type_error(std::string_view name, std::string_view expected) {
  std::string text = "field '";
  text.append(name).append("': expected ").append(expected);
  return text;
}

std::expected<std::optional<std::string_view>, std::string> string_field(const json& request,
                                                                         std::string_view name) {
  const json* value = find_field(request, name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) return std::unexpected(type_error(name, "a string"));
  return std::string_view(value->get_ref<const std::string&>());
}

std::expected<std::optional<bool>, std::string> bool_field(const json& request,
                                                           std::string_view name) {
  const json* value = find_field(request, name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) return std::unexpected(type_error(name, "a boolean"));
  return value->get<bool>();
}

std::expected<std::optional<std::int64_t>, std::string> integer_field(const json& request,
                                                                      std::string_view name) {
  const json* value = find_field(request, name);
  if (value == nullptr) return std::nullopt;
  if (value->is_number_unsigned()) {
    const auto number = value->get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::unexpected(type_error(name, "an integer in the 64-bit signed range"));
    }
    return static_cast<std::int64_t>(number);
  }
  if (value->is_number_integer()) return value->get<std::int64_t>();
  if (value->is_number_float()) {
    // C firmware often formats numbers with %f or %g; a whole number is still an integer.
    const double number = value->get<double>();
    constexpr double limit = 9.2e18;  // just inside the int64 range
    if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < limit) {
      return static_cast<std::int64_t>(number);
    }
  }
  return std::unexpected(type_error(name, "an integer"));
}

}  // namespace twelvefold::shim::detail
