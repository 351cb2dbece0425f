// module: card.attn — the attention line by which the module wakes (or resets) its host — and
// the queries the device actor uses to schedule early wakes.
//
// Armed, the line is LOW; an event the firmware asked to watch (inbound Notes in a watched
// file, an environment change, a new location, a successful connection, a radio change) or the
// armed timeout pulls it HIGH ("fires"). The device actor asks attn_wake_us() when the host
// would wake. sleep: the module powers the host off until `seconds` pass (a cold boot), keeping
// a payload for it. watchdog: the module resets a host that makes no request for `seconds`.
#include <algorithm>
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json_kind;
using detail::json_value;
using detail::json_writer;
using detail::reply;

constexpr std::int64_t us_per_s = 1'000'000;

struct keyword {
  std::string_view name;
  std::uint32_t bit;
};
constexpr keyword watch_keywords[] = {
    {"files", attn_state::watch_files},
    {"env", attn_state::watch_env},
    {"location", attn_state::watch_location},
    {"connected", attn_state::watch_connected},
    {"wireless", attn_state::watch_wireless},
    {"motion", attn_state::watch_unmodelled},
    {"motionchange", attn_state::watch_unmodelled},
    {"usb", attn_state::watch_unmodelled},
    {"auxgpio", attn_state::watch_unmodelled},
    {"signal", attn_state::watch_unmodelled},
};

std::uint32_t bit_of(std::string_view name) {
  for (const keyword& k : watch_keywords) {
    if (k.name == name) return k.bit;
  }
  return 0;
}

// The timeout has passed: it is an event like the others.
void settle_timeout(attn_state& a, std::int64_t now_us) {
  if (!a.armed || !a.timeout_us || now_us < *a.timeout_us) return;
  if (std::ranges::find(a.fired, "timeout") == a.fired.end()) a.fired.emplace_back("timeout");
  if (!a.fired_us) a.fired_us = a.timeout_us;
}

}  // namespace

void module::impl::attn_event(module& m, std::string_view what, std::int64_t now_us) {
  extended* e = m.ext_.get();
  if (e == nullptr) return;
  attn_state& a = e->attn;
  if (a.disabled || !a.armed || (a.watch & bit_of(what)) == 0) return;
  if (std::ranges::find(a.fired, what) == a.fired.end()) a.fired.emplace_back(what);
  if (!a.fired_us) a.fired_us = now_us;
}

void module::impl::attn_file_changed(module& m, std::string_view file, std::int64_t now_us) {
  extended* e = m.ext_.get();
  if (e == nullptr) return;
  attn_state& a = e->attn;
  if (a.disabled || !a.armed || (a.watch & attn_state::watch_files) == 0) return;
  if (std::ranges::find(a.files, file) == a.files.end()) return;
  if (std::ranges::find(a.fired, file) == a.fired.end()) a.fired.emplace_back(file);
  if (!a.fired_us) a.fired_us = now_us;
}

std::optional<std::int64_t> module::attn_wake_us() const {
  const extended* e = ext_.get();
  if (e == nullptr) return std::nullopt;
  const attn_state& a = e->attn;
  if (a.disabled || !a.armed) return std::nullopt;
  if (a.fired_us) return a.fired_us;
  return a.timeout_us;
}

bool module::attn_host_powered_off() const {
  const extended* e = ext_.get();
  return e != nullptr && e->attn.sleeping;
}

std::optional<std::int64_t> module::attn_watchdog_us() const {
  const extended* e = ext_.get();
  if (e == nullptr || e->attn.watchdog_s <= 0 || e->attn.disabled) return std::nullopt;
  return e->last_request_us + std::int64_t{e->attn.watchdog_s} * us_per_s;
}

reply module::impl::card_attn(module& m, const json_value& req, json_writer& out,
                              std::int64_t now_us) {
  detail::fields f(req);
  const auto mode = f.string("mode");
  const json_value files = f.array("files");
  const auto seconds = f.integer("seconds");
  const auto on = f.boolean("on");
  const auto off = f.boolean("off");
  const auto payload = f.string("payload");
  const auto start = f.boolean("start");
  const auto verify = f.boolean("verify");

  // The mode is a comma-separated list of actions and watches; check it all first.
  bool arm = false;
  bool disarm = false;
  bool rearm = false;
  bool sleep = false;
  bool watchdog = false;
  bool clear_all = false;
  std::uint32_t add = 0;
  std::uint32_t remove = 0;
  if (f.ok() && mode) {
    std::string_view rest = *mode;
    while (f.ok() && !rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view word = rest.substr(0, comma);
      while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
      while (!word.empty() && word.back() == ' ') word.remove_suffix(1);
      if (word == "arm") {
        arm = true;
      } else if (word == "disarm") {
        disarm = true;
      } else if (word == "rearm") {
        rearm = true;
      } else if (word == "sleep") {
        sleep = true;
      } else if (word == "watchdog") {
        watchdog = true;
      } else if (word == "-all") {
        clear_all = true;
      } else if (word.starts_with('-') && bit_of(word.substr(1)) != 0) {
        remove |= bit_of(word.substr(1));
      } else if (bit_of(word) != 0) {
        add |= bit_of(word);
      } else if (!word.empty()) {
        f.fail("field 'mode': unknown keyword '" + std::string(word) + "' {not-supported}");
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  std::vector<std::string> file_list;
  if (f.ok() && files.present()) {
    for (const auto& item : files) {
      const json_value v = item.value();
      if (v.kind() != json_kind::string ||
          detail::classify_notefile(detail::keep_text(v)) == detail::notefile_kind::invalid) {
        f.fail(detail::type_error("files", "an array of Notefile names"));
        break;
      }
      file_list.emplace_back(detail::keep_text(v));
    }
  }
  if (f.ok() && (add & attn_state::watch_files) != 0 && !files.present()) {
    f.fail("mode 'files' needs a 'files' list");
  }
  if (f.ok() && watchdog && (!seconds || (*seconds != 0 && *seconds < 60))) {
    f.fail(detail::type_error("seconds", "seconds >= 60 for the watchdog (0 turns it off)"));
  }
  if (f.ok() && sleep && !seconds) f.fail(detail::type_error("seconds", "seconds for sleep"));
  if (f.ok() && seconds && *seconds < -1) f.fail(detail::type_error("seconds", "seconds >= -1"));
  if (f.ok() && payload && !detail::base64_decoded_size(*payload)) {
    f.fail(detail::type_error("payload", "base64 text"));
  }
  if (f.ok() && on.value_or(false) && off.value_or(false)) f.fail("'on' and 'off' together");
  if (!f.ok()) return f.failure();

  extended& e = m.ext();
  attn_state& a = e.attn;
  settle_timeout(a, now_us);
  if (off.value_or(false)) {
    a.disabled = true;
    a.armed = false;
  }
  if (on.value_or(false)) a.disabled = false;
  if (clear_all) {
    a.watch = 0;
    a.files.clear();
  }
  a.watch = (a.watch & ~remove) | add;
  if ((remove & attn_state::watch_files) != 0) a.files.clear();
  if (files.present()) a.files = std::move(file_list);
  const auto deadline = [&](std::int64_t s) -> std::optional<std::int64_t> {
    if (s <= 0) return std::nullopt;
    return now_us + s * us_per_s;
  };
  if (disarm) {
    a.armed = false;
    a.fired.clear();
    a.fired_us.reset();
    a.timeout_us.reset();
    a.seconds = 0;
    a.sleeping = false;
  }
  if (arm || (rearm && !a.armed)) {
    // Arming again re-arms: what fired before is forgotten.
    a.armed = !a.disabled;
    a.fired.clear();
    a.fired_us.reset();
    a.seconds = static_cast<std::int32_t>(seconds.value_or(0));
    a.timeout_us = deadline(a.seconds);
  } else if (rearm && seconds) {
    a.seconds = static_cast<std::int32_t>(*seconds);
    a.timeout_us = deadline(a.seconds);
  }
  if (sleep) {
    a.armed = !a.disabled;
    a.sleeping = a.armed && *seconds > 0;
    a.fired.clear();
    a.fired_us.reset();
    a.seconds = static_cast<std::int32_t>(*seconds);
    a.timeout_us = deadline(a.seconds);
    if (payload) {
      a.sleep_payload = *payload;
      a.sleep_payload_utc_s = utc_or_zero(m, now_us);
    }
  }
  if (watchdog) {
    a.watchdog_s = static_cast<std::int32_t>(*seconds);
    e.last_request_us = now_us;  // this request kicks it too
  }

  if (verify.value_or(false)) {
    std::string words = a.armed ? "arm" : "disarm";
    for (const keyword& k : watch_keywords) {
      if ((a.watch & k.bit) != 0 && k.bit != attn_state::watch_unmodelled) {
        words.append(",").append(k.name);
      }
    }
    if (a.watchdog_s > 0) words.append(",watchdog");
    out.field("mode", words);
    if (!a.files.empty()) {
      out.key("files").begin_array();
      for (const std::string& file : a.files) out.string(file);
      out.end_array();
    }
    if (a.seconds > 0) out.field("seconds", a.seconds);
    if (a.disabled) out.field("off", true);
    return {};
  }
  if (!a.fired.empty()) {
    out.key("files").begin_array();
    for (const std::string& what : a.fired) out.string(what);
    out.end_array();
  }
  // The line is HIGH unless armed and waiting.
  if (!a.armed || a.fired_us) out.field("set", true);
  if (a.disabled) out.field("off", true);
  if (start.value_or(false) && !a.sleep_payload.empty()) {
    out.field("payload", a.sleep_payload);
    if (a.sleep_payload_utc_s != 0) out.field("time", a.sleep_payload_utc_s);
  }
  return {};
}

}  // namespace twelvefold::shim
