// module: request plumbing (size, parse, dispatch, id echo, counters) and observation.
#include "twelvefold/shim/module.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json_document;
using detail::json_kind;
using detail::json_value;
using detail::json_writer;

constexpr std::string_view empty_response = "{}";

struct route {
  std::string_view name;
  detail::handler handle;
};

}  // namespace

module::module(module_limits limits) :limits_(limits) {}

module::extended_ptr::extended_ptr(const extended_ptr& other) :p_(
    other.p_ ? std::make_unique<extended>(*other.p_) : nullptr) {}
module::extended_ptr& module::extended_ptr::operator=(const extended_ptr& other) {
  if (this != &other) p_ = other.p_ ? std::make_unique<extended>(*other.p_) : nullptr;
  return *this;
}
module::extended_ptr::extended_ptr(extended_ptr&& other) noexcept = default;
module::extended_ptr& module::extended_ptr::operator=(extended_ptr&& other) noexcept = default;
module::extended_ptr::~extended_ptr() = default;

module::extended& module::extended_ptr::ensure() {
  if (!p_) p_ = std::make_unique<extended>();
  return *p_;
}

module::impl::handler module::impl::find_handler(std::string_view name) {
  // Sorted by name for a binary search: about five comparisons per request.
  static constexpr std::array<route, 33> routes{{
      {"card.attn", &card_attn},
      {"card.dfu", &card_dfu},
      {"card.location", &card_location},
      {"card.location.mode", &card_location_mode},
      {"card.time", &card_time},
      {"card.transport", &card_transport},
      {"card.triangulate", &card_triangulate},
      {"card.voltage", &card_voltage},
      {"card.wireless", &card_wireless},
      {"card.wireless.penalty", &card_wireless_penalty},
      {"dfu.get", &dfu_get},
      {"dfu.status", &dfu_status},
      {"env.default", &env_default},
      {"env.get", &env_get},
      {"env.set", &env_set},
      {"hub.get", &hub_get},
      {"hub.log", &hub_log},
      {"hub.set", &hub_set},
      {"hub.status", &hub_status},
      {"hub.sync", &hub_sync},
      {"hub.sync.status", &hub_sync_status},
      {"note.add", &note_add},
      {"note.changes", &note_changes},
      {"note.delete", &note_delete},
      {"note.get", &note_get},
      {"note.template", &note_template},
      {"note.update", &note_update},
      {"var.get", &var_get},
      {"var.set", &var_set},
      {"web.delete", &web_delete},
      {"web.get", &web_get},
      {"web.post", &web_post},
      {"web.put", &web_put},
  }};
  static_assert(std::ranges::is_sorted(routes, {}, &route::name));
  const auto it = std::ranges::lower_bound(routes, name, {}, &route::name);
  if (it == routes.end() || it->name != name) return nullptr;
  return it->handle;
}

std::string module::request(std::string_view json_text, std::int64_t now_us) {
  return respond(json_text, now_us).text;
}

module::answer module::respond(std::string_view json_text, std::int64_t now_us) {
  ++counters_.requests;
  if (extended* e = ext_.get()) {
    e->last_request_us = now_us;
    // The host is up and talking again: a card.attn sleep is over.
    if (e->attn.sleeping && e->attn.timeout_us && now_us >= *e->attn.timeout_us) {
      e->attn.sleeping = false;
    }
  }
  try {
    return handle(json_text, now_us);
  } catch (const std::exception&) {
    // Only allocation failure can get here; the firmware sees an I/O-style error it may retry.
    count_error("{io}");
    return {R"({"err":"module internal error {io}"})", true};
  }
}

std::string module::reject_request(std::string_view error_text) {
  ++counters_.requests;
  count_error(error_text);
  std::string out;
  json_writer(out).begin_object().field("err", error_text).end_object();
  return out;
}

std::string module::reject_oversize(std::size_t request_bytes) {
  return reject_request("request of " + std::to_string(request_bytes) + " bytes exceeds the " +
                        std::to_string(limits_.max_request_bytes) + "-byte limit {io}");
}

module::answer module::handle(std::string_view json_text, std::int64_t now_us) {
  // Reused per thread: in the steady state a request allocates nothing but its answer.
  thread_local json_document document;
  thread_local std::string out;
  detail::reset_request_scratch();
  out.clear();

  const auto fail = [this](std::string_view text, const json_value& id) {
    count_error(text);
    out.clear();
    json_writer w(out);
    w.begin_object().field("err", text);
    if (id.present()) w.key("id").value(id);
    w.end_object();
    return answer{out, true};
  };

  // Checked before parsing: the real module's request buffer is finite, and parsing a huge body
  // only to reject it would cost the simulator what it saves the firmware.
  if (json_text.size() > limits_.max_request_bytes) {
    --counters_.requests;  // reject_oversize counts it
    return {reject_oversize(json_text.size()), true};
  }
  if (!document.parse(json_text)) return fail("request is not valid JSON {io}", {});
  const json_value root = document.root();
  if (root.kind() != json_kind::object) return fail("request is not a JSON object {io}", {});

  // One pass over the top level for the three members every request may have.
  json_value id;
  json_value req;
  json_value cmd;
  for (const auto& member : root) {
    const json_value key = member.key();
    const auto take = [&](std::string_view name, json_value& slot) {
      if (!slot.present() && key.text_equals(name)) slot = member.value();
    };
    take("id", id);
    take("req", req);
    take("cmd", cmd);
  }
  if (id.is(json_kind::null)) id = {};
  if (req.is(json_kind::null)) req = {};
  if (cmd.is(json_kind::null)) cmd = {};
  const bool is_command = !req.present() && cmd.present();
  const json_value name = is_command ? cmd : req;
  if (!name.present()) return fail("request has no \"req\" or \"cmd\" field", id);
  if (name.kind() != json_kind::string) {
    return fail(detail::type_error(is_command ? "cmd" : "req", "a string"), id);
  }

  const std::string_view request_name = detail::keep_text(name);
  const detail::handler handler = impl::find_handler(request_name);
  if (handler == nullptr) {
    if (is_command) {
      count_error("{not-supported}");
      return {std::string(empty_response), false};
    }
    std::string text = "unknown request: ";
    text.append(request_name).append(" {not-supported}");
    return fail(text, id);
  }

  out.push_back('{');
  json_writer writer(out);
  const detail::reply reply = handler(*this, root, writer, now_us);
  if (is_command) {
    // No answer goes back for a cmd, but a failed one still counts, so misuse stays visible.
    if (!reply) count_error(reply.error());
    return {std::string(empty_response), false};
  }
  if (!reply) return fail(reply.error(), id);
  if (id.present()) writer.key("id").value(id);
  out.push_back('}');
  return {out, true};
}

namespace {
thread_local module::error_tally* thread_error_tally = nullptr;
}  // namespace

module::error_tally* module::tally_errors_on_this_thread(error_tally* tally) {
  return std::exchange(thread_error_tally, tally);
}

std::string_view module::error_tag(std::string_view error_text) {
  const std::size_t close = error_text.rfind('}');
  if (close == std::string_view::npos) return "untagged";
  const std::size_t open = error_text.rfind('{', close);
  if (open == std::string_view::npos || close == open + 1) return "untagged";
  return error_text.substr(open + 1, close - open - 1);
}

void module::count_error(std::string_view error_text) {
  ++counters_.request_errors;
  if (thread_error_tally == nullptr) return;
  const std::string_view tag = error_tag(error_text);
  if (auto it = thread_error_tally->find(tag); it != thread_error_tally->end()) {
    ++it->second;
  } else {
    thread_error_tally->emplace(std::string(tag), 1);
  }
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
  const env_entry* entry = impl::resolve_env(*this, name);
  if (entry == nullptr) return std::nullopt;
  return entry->value;
}

std::optional<std::int64_t> module::impl::utc_s(const module& m, std::int64_t at_us) {
  constexpr std::int64_t us_per_s = 1'000'000;
  if (!m.utc_offset_us_) return std::nullopt;
  const std::int64_t utc_us = at_us + *m.utc_offset_us_;
  // Floor division: an instant before the epoch second still belongs to that second.
  return utc_us >= 0 ? utc_us / us_per_s : -((-utc_us + us_per_s - 1) / us_per_s);
}

std::int64_t module::impl::utc_or_zero(const module& m, std::int64_t at_us) {
  return utc_s(m, at_us).value_or(0);
}

}  // namespace twelvefold::shim
