// module: hub.set / hub.get / hub.sync / hub.sync.status / hub.status / hub.log (how and when
// the module talks to the cloud).
#include <array>
#include <limits>
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json_value;
using detail::json_writer;
using detail::reply;

constexpr std::int32_t default_sync_minutes = 60;
constexpr std::int64_t us_per_s = 1'000'000;

struct mode_name {
  std::string_view text;
  hub_mode mode;
};
constexpr std::array<mode_name, 5> mode_names{{
    {"periodic", hub_mode::periodic},
    {"continuous", hub_mode::continuous},
    {"minimum", hub_mode::minimum},
    {"off", hub_mode::off},
    {"dfu", hub_mode::dfu},
}};

std::string_view name_of(hub_mode mode) {
  for (const mode_name& m : mode_names) {
    if (m.mode == mode) return m.text;
  }
  return "periodic";
}

// hub.set's outbound/inbound: minutes >= 0, or -1 to go back to the default (as the Notecard's
// API reference documents for these fields).
std::optional<std::int32_t> minutes_field(detail::fields& f, std::string_view name) {
  const auto minutes = f.integer(name);
  if (!minutes) return std::nullopt;
  if (*minutes == -1) return default_sync_minutes;
  if (*minutes < 0 || *minutes > std::numeric_limits<std::int32_t>::max()) {
    f.fail(detail::type_error(name, "minutes >= 0, or -1 for the default"));
    return std::nullopt;
  }
  return static_cast<std::int32_t>(*minutes);
}

// A voltage-variable setting ("usb:1;high:5;normal:60"): every item "name:minutes".
bool valid_voltage_variable(std::string_view text) {
  while (!text.empty()) {
    const std::size_t end = text.find(';');
    const std::string_view item = text.substr(0, end);
    const std::size_t colon = item.find(':');
    if (colon == 0 || colon == std::string_view::npos || colon + 1 == item.size()) return false;
    for (const char c : item.substr(colon + 1)) {
      if (c < '0' || c > '9') return false;
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return true;
}

}  // namespace

reply module::impl::hub_set(module& m, const json_value& req, json_writer& /*out*/,
                            std::int64_t now_us) {
  detail::fields f(req);
  const auto product = f.string("product");
  const auto serial = f.string("sn");
  const auto mode_text = f.string("mode");
  const auto outbound = minutes_field(f, "outbound");
  const auto inbound_raw = f.integer("inbound");
  const auto inbound = minutes_field(f, "inbound");
  const auto voutbound = f.string("voutbound");
  const auto vinbound = f.string("vinbound");
  // Accepted for fidelity, with no effect on the model: the session cadence is the device
  // actor's, and note-c sends its user agent as `body`.
  f.boolean("sync");
  f.boolean("align");
  f.integer("duration");
  f.string("host");
  f.object("body");
  std::optional<hub_mode> mode;
  if (mode_text) {
    for (const mode_name& candidate : mode_names) {
      if (candidate.text == *mode_text) mode = candidate.mode;
    }
    if (!mode) f.fail(detail::type_error("mode", "one of periodic, continuous, minimum, off, dfu"));
  }
  for (const auto& [name, text] : {std::pair{"voutbound", voutbound}, {"vinbound", vinbound}}) {
    if (text && !text->empty() && *text != "-" && !valid_voltage_variable(*text)) {
      f.fail(detail::type_error(name, "\"level:minutes;level:minutes...\""));
    }
  }
  if (!f.ok()) return f.failure();

  // The periodic timers run from the last session; before the first, from the first hub.set
  // (the module's power-on as the host configures it). Timing them from time 0 instead would
  // make a whole fleet, however spread its boots, sync at the same instants ever after.
  if (m.sync_attempts_ == 0 && m.last_sync_attempt_us_ == 0) m.last_sync_attempt_us_ = now_us;
  if (product) m.product_ = *product;
  if (serial) m.serial_ = *serial;
  if (mode) m.mode_ = *mode;
  if (outbound) m.outbound_minutes_ = *outbound;
  if (inbound) {
    m.inbound_minutes_ = *inbound;
    m.ext().inbound_explicit = inbound_raw != -1 && *inbound > 0;
  }
  if (voutbound) m.ext().voutbound = *voutbound == "-" ? "" : std::string(*voutbound);
  if (vinbound) {
    m.ext().vinbound = *vinbound == "-" ? "" : std::string(*vinbound);
    if (!m.ext().vinbound.empty()) m.ext().inbound_explicit = true;
  }
  return {};
}

reply module::impl::hub_get(module& m, const json_value& /*req*/, json_writer& out,
                            std::int64_t /*now_us*/) {
  if (!m.product_.empty()) out.field("product", m.product_);
  if (!m.serial_.empty()) out.field("sn", m.serial_);
  out.field("mode", name_of(m.mode_));
  out.field("outbound", m.outbound_minutes_);
  out.field("inbound", m.inbound_minutes_);
  if (const extended* e = m.ext_.get()) {
    if (!e->voutbound.empty()) out.field("voutbound", e->voutbound);
    if (!e->vinbound.empty()) out.field("vinbound", e->vinbound);
  }
  return {};
}

void module::impl::request_sync(module& m, std::int64_t now_us) {
  if (!m.sync_requested_) m.sync_requested_us_ = now_us;  // the oldest unanswered request counts
  m.sync_requested_ = true;
}

reply module::impl::hub_sync(module& m, const json_value& req, json_writer& /*out*/,
                             std::int64_t now_us) {
  detail::fields f(req);
  const auto allow = f.boolean("allow");
  f.boolean("in");
  f.boolean("out");
  if (!f.ok()) return f.failure();
  // Returns at once, as the real module does; the device actor sees sync_wanted() and runs it.
  if (allow.value_or(false)) {  // out of the penalty box: the modem tries anyway
    m.penalty_until_us_ = 0;
    m.penalty_override_ = true;
  }
  request_sync(m, now_us);
  return {};
}

reply module::impl::hub_sync_status(module& m, const json_value& /*req*/, json_writer& out,
                                    std::int64_t now_us) {
  // Shaped after the Notecard's answer: "sync" while a session runs, "requested" and
  // "completed" as seconds ago, "time" the UTC of the last completed sync once time is known,
  // "alert" after a failed session, "seconds" left in a penalty box.
  if (m.sync_open_) {
    out.field("status", "syncing");
    out.field("sync", true);
  } else if (m.sync_requested_) {
    out.field("status", "sync requested");
  } else {
    out.field("status", "idle");
  }
  if (m.sync_requested_) out.field("requested", (now_us - m.sync_requested_us_) / us_per_s);
  if (m.sync_attempts_ > 0) out.field("attempted", (now_us - m.last_sync_attempt_us_) / us_per_s);
  if (m.last_sync_success_us_) {
    out.field("completed", (now_us - *m.last_sync_success_us_) / us_per_s);
    if (auto utc = utc_s(m, *m.last_sync_success_us_)) out.field("time", *utc);
  }
  if (m.failures_ > 0) out.field("alert", true);
  if (const auto until = m.penalty_until_us(now_us)) {
    out.field("seconds", (*until - now_us + us_per_s - 1) / us_per_s);
  }
  return {};
}

reply module::impl::hub_status(module& m, const json_value& /*req*/, json_writer& out,
                               std::int64_t now_us) {
  // The module is connected while a session is open; continuous mode keeps the connection up
  // after a successful session until one fails.
  const bool connected = m.sync_open_ || (m.mode_ == hub_mode::continuous &&
                                          m.last_sync_success_us_ && m.failures_ == 0);
  if (connected) {
    out.field("status", "connected {connected}");
    out.field("connected", true);
  } else if (m.penalty_until_us(now_us)) {
    out.field("status", "waiting: penalty box {network}");
  } else {
    out.field("status", "idle {disconnected}");
  }
  write_transport_hints(m, out);
  return {};
}

reply module::impl::hub_log(module& m, const json_value& req, json_writer& /*out*/,
                            std::int64_t now_us) {
  detail::fields f(req);
  const auto text = f.string("text");
  const auto alert = f.boolean("alert");
  const auto sync = f.boolean("sync");
  if (f.ok() && !text) f.fail(detail::type_error("text", "a string"));
  if (!f.ok()) return f.failure();
  outbound_note note;
  note.file = log_notefile;
  std::string body;
  json_writer w(body);
  w.begin_object().field("text", *text);
  if (alert.value_or(false)) w.field("alert", true);
  w.end_object();
  note.body_json = std::move(body);
  note.encoded_size = static_cast<std::uint32_t>(note.body_json.size());
  note.added_us = now_us;
  note.stamped_utc_s = utc_or_zero(m, now_us);
  enqueue_outbound(m, std::move(note));
  if (sync.value_or(false)) {
    m.penalty_until_us_ = 0;  // the Notecard lets an urgent log out of some penalty boxes
    m.penalty_override_ = true;
    request_sync(m, now_us);
  }
  return {};
}

}  // namespace twelvefold::shim
