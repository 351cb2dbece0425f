// module: request plumbing (size, parse, dispatch, id echo, counters) and observation.
#include "twelvefold/shim/module.hpp"

#include <array>
#include <exception>
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json;

constexpr std::string_view empty_response = "{}";

// Compact and never throwing on odd strings (parsed input is valid UTF-8, so this is belt and
// braces for text the module composes itself).
std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

module::module(module_limits limits) :limits_(limits) {}

detail::reply module::impl::dispatch(module& m, const std::string& name, const json& request,
                                     std::int64_t now_us) {
  using handler = reply (*)(module&, const json&, std::int64_t);
  struct route {
    std::string_view name;
    handler handle;
  };
  // The requests this cut of the emulation answers; everything else is {not-supported}.
  static constexpr std::array<route, 8> routes{{
      {"note.add", &note_add},
      {"env.get", &env_get},
      {"card.time", &card_time},
      {"hub.sync", &hub_sync},
      {"hub.set", &hub_set},
      {"hub.sync.status", &hub_sync_status},
      {"env.default", &env_default},
      {"env.set", &env_set},
  }};
  for (const route& r : routes) {
    if (r.name == name) return r.handle(m, request, now_us);
  }
  return std::unexpected("unknown request: " + name + " {not-supported}");
}

std::string module::request(std::string_view json_text, std::int64_t now_us) {
  ++counters_.requests;
  try {
    return handle(json_text, now_us);
  } catch (const std::exception&) {
    // Only allocation failure can get here; the firmware sees an I/O-style error it may retry.
    ++counters_.request_errors;
    return R"({"err":"module internal error {io}"})";
  }
}

std::string module::handle(std::string_view json_text, std::int64_t now_us) {
  const auto fail = [this](std::string text, const json* id) {
    ++counters_.request_errors;
    json response = json::object();
    response["err"] = std::move(text);
    if (id != nullptr) response["id"] = *id;
    return dump(response);
  };

  // Checked before parsing: the real module's request buffer is finite, and parsing a huge body
  // only to reject it would cost the simulator what it saves the firmware.
  if (json_text.size() > limits_.max_request_bytes) {
    return fail("request of " + std::to_string(json_text.size()) + " bytes exceeds the " +
                    std::to_string(limits_.max_request_bytes) + "-byte limit {io}",
                nullptr);
  }
  const json request = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) return fail("request is not valid JSON {io}", nullptr);
  if (!request.is_object()) return fail("request is not a JSON object {io}", nullptr);

  const json* id = detail::find_field(request, "id");
  bool is_command = false;
  const json* name = detail::find_field(request, "req");
  if (name == nullptr) {
    name = detail::find_field(request, "cmd");
    is_command = name != nullptr;
  }
  if (name == nullptr) return fail("request has no \"req\" or \"cmd\" field", id);
  if (!name->is_string()) {
    return fail(detail::type_error(is_command ? "cmd" : "req", "a string"), id);
  }

  const auto& request_name = name->get_ref<const std::string&>();
  detail::reply reply = impl::dispatch(*this, request_name, request, now_us);

  if (is_command) {
    // No answer goes back for a cmd, but a failed one still counts, so misuse stays visible.
    if (!reply) ++counters_.request_errors;
    return std::string(empty_response);
  }
  if (!reply) return fail(std::move(reply.error()), id);
  if (id != nullptr) (*reply)["id"] = *id;
  if (reply->empty() && id == nullptr) return std::string(empty_response);
  return dump(*reply);
}

std::size_t module::notes_pending() const {
  std::size_t pending = 0;
  for (const auto& [file, queue] : outbound_) pending += queue.size();
  return pending;
}

std::size_t module::notes_not_stored(std::uint64_t acked_through_seq) const {
  std::size_t count = 0;
  for (const auto& [file, queue] : outbound_) {
    for (const outbound_note& note : queue) count += note.seq > acked_through_seq ? 1 : 0;
  }
  for (const outbound_note& note : in_session_) count += note.seq > acked_through_seq ? 1 : 0;
  return count;
}

std::optional<std::string> module::env_value(std::string_view name) const {
  const std::string* value = impl::resolve_env(*this, name);
  if (value == nullptr) return std::nullopt;
  return *value;
}

}  // namespace twelvefold::shim
