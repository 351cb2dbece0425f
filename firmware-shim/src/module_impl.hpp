// Private to the module emulation: the request handlers and the typed field readers they share.
#pragma once

#include <cstdint>
#include <deque>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {

namespace detail {

using json = nlohmann::json;
// A handler's answer: the response object, or the text that goes into {"err": ...}.
using reply = std::expected<json, std::string>;

// A request field, or null when absent. A JSON null counts as absent, as the Notecard treats it.
const json* find_field(const json& request, std::string_view name);

// "field 'NAME': expected TYPE": every wrong-type error names the field and what it should be.
std::string type_error(std::string_view name, std::string_view expected);

// Typed readers: nullopt when absent, the value when it has the right type, else the error text.
// Views and pointers returned point into `request`.
std::expected<std::optional<std::string_view>, std::string> string_field(const json& request,
                                                                         std::string_view name);
std::expected<std::optional<bool>, std::string> bool_field(const json& request,
                                                           std::string_view name);
// Integers; a number with a fractional part is rejected, 60.0 is taken as 60.
std::expected<std::optional<std::int64_t>, std::string> integer_field(const json& request,
                                                                      std::string_view name);

}  // namespace detail

// The handlers, as a nested class so that they reach module's private state without exposing
// nlohmann::json in the public header. Each one validates every field before changing anything,
// so a request answered with an err has had no effect.
struct module::impl {
  using json = detail::json;
  using reply = detail::reply;

  // Runs the handler of request `name`, or answers {not-supported}.
  static reply dispatch(module& m, const std::string& name, const json& request,
                        std::int64_t now_us);
  static reply hub_set(module& m, const json& request, std::int64_t now_us);
  static reply hub_sync(module& m, const json& request, std::int64_t now_us);
  static reply hub_sync_status(module& m, const json& request, std::int64_t now_us);
  static reply note_add(module& m, const json& request, std::int64_t now_us);
  static reply env_get(module& m, const json& request, std::int64_t now_us);
  static reply env_default(module& m, const json& request, std::int64_t now_us);
  static reply env_set(module& m, const json& request, std::int64_t now_us);
  static reply card_time(module& m, const json& request, std::int64_t now_us);

  // hub.sync and note.add's sync:true: a session is wanted as soon as possible.
  static void request_sync(module& m, std::int64_t now_us);
  // UTC seconds at virtual time now_us, if the module has ever learned the time.
  static std::optional<std::int64_t> utc_s(const module& m, std::int64_t now_us);
  // Resolved environment value (local > cloud > default), or null. Points into m.
  static const std::string* resolve_env(const module& m, std::string_view name);
  // Drops the oldest notes of `queue` beyond max_queued_notes, counting them lost.
  static void enforce_queue_limit(module& m, std::deque<outbound_note>& queue);
  // Puts session notes back at the front of their queues, keeping their order.
  static void requeue_front(module& m, std::vector<outbound_note>& notes);
};

}  // namespace twelvefold::shim
