// module: env.get / env.default / env.set and card.time.
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json;
using detail::reply;

constexpr std::int64_t us_per_s = 1'000'000;

// env.default and env.set share their shape: a required name, and a text that sets the value or,
// empty or absent, clears it (as on the Notecard).
reply assign_env(std::map<std::string, std::string, std::less<>>& scope, const json& request) {
  auto name = detail::string_field(request, "name");
  if (!name) return std::unexpected(std::move(name.error()));
  if (!*name || (*name)->empty()) {
    return std::unexpected(detail::type_error("name", "a non-empty string"));
  }
  auto text = detail::string_field(request, "text");
  if (!text) return std::unexpected(std::move(text.error()));
  if (!*text || (*text)->empty()) {
    if (const auto it = scope.find(**name); it != scope.end()) scope.erase(it);
  } else {
    scope.insert_or_assign(std::string(**name), std::string(**text));
  }
  return json::object();
}

}  // namespace

const std::string* module::impl::resolve_env(const module& m, std::string_view name) {
  for (const auto* scope : {&m.env_local_, &m.env_cloud_, &m.env_default_}) {
    if (const auto it = scope->find(name); it != scope->end()) return &it->second;
  }
  return nullptr;
}

reply module::impl::env_get(module& m, const json& request, std::int64_t /*now_us*/) {
  auto name = detail::string_field(request, "name");
  if (!name) return std::unexpected(std::move(name.error()));
  if (*name) {
    // One variable: {"text":"value"}, or {} when it is not set anywhere.
    json response = json::object();
    if (const std::string* value = resolve_env(m, **name)) response["text"] = *value;
    return response;
  }
  json body = json::object();
  if (const json* names = detail::find_field(request, "names")) {
    if (!names->is_array())
      return std::unexpected(detail::type_error("names", "an array of strings"));
    for (const json& entry : *names) {
      if (!entry.is_string()) {
        return std::unexpected(detail::type_error("names", "an array of strings"));
      }
      const auto& key = entry.get_ref<const std::string&>();
      if (const std::string* value = resolve_env(m, key)) body[key] = *value;
    }
  } else {
    // Everything, lowest precedence first so that higher scopes overwrite.
    for (const auto* scope : {&m.env_default_, &m.env_cloud_, &m.env_local_}) {
      for (const auto& [key, value] : *scope) body[key] = value;
    }
  }
  json response = json::object();
  response["body"] = std::move(body);
  return response;
}

reply module::impl::env_default(module& m, const json& request, std::int64_t /*now_us*/) {
  return assign_env(m.env_default_, request);
}

reply module::impl::env_set(module& m, const json& request, std::int64_t /*now_us*/) {
  return assign_env(m.env_local_, request);
}

std::optional<std::int64_t> module::impl::utc_s(const module& m, std::int64_t now_us) {
  if (!m.utc_offset_us_) return std::nullopt;
  return (now_us + *m.utc_offset_us_) / us_per_s;
}

reply module::impl::card_time(module& m, const json& /*request*/, std::int64_t now_us) {
  json response = json::object();
  const auto utc = utc_s(m, now_us);
  if (!utc) {
    // Never synced: say so and give no "time", so firmware falls back to its own counter.
    response["zone"] = "UTC,Unknown";
    return response;
  }
  response["time"] = *utc;
  response["zone"] = "UTC";
  response["minutes"] = 0;
  return response;
}

}  // namespace twelvefold::shim
