// module: the radio and power as the firmware sees them — card.wireless, card.wireless.penalty,
// card.transport, card.voltage — fed by the device actor (set_transport, set_voltage), with the
// transport hints of factor 2 (rat, bitrate class, packet-limited).
#include <algorithm>
#include <charconv>
#include <climits>
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json_value;
using detail::json_writer;
using detail::reply;

constexpr std::int64_t us_per_s = 1'000'000;
constexpr std::int64_t us_per_minute = 60 * us_per_s;

std::string_view rat_name(radio_access rat) {
  switch (rat) {
    case radio_access::none:
      return "none";
    case radio_access::lte_m:
      return "lte-m";
    case radio_access::nb_iot:
      return "nb-iot";
    case radio_access::gsm:
      return "gsm";
    case radio_access::umts:
      return "umts";
    case radio_access::lte:
      return "lte";
    case radio_access::wifi:
      return "wifi";
    case radio_access::lorawan:
      return "lorawan";
    case radio_access::ntn:
      return "ntn";
  }
  return "none";
}

std::string_view bitrate_name(bitrate_class rate) {
  switch (rate) {
    case bitrate_class::unknown:
      return "unknown";
    case bitrate_class::very_low:
      return "very-low";
    case bitrate_class::low:
      return "low";
    case bitrate_class::medium:
      return "medium";
    case bitrate_class::high:
      return "high";
  }
  return "unknown";
}

// card.voltage modes and their thresholds in volts, highest first (usb is USB power, not a
// voltage). After the Notecard's built-in modes; the exact figures are our reading of typical
// cell curves.
struct voltage_mode {
  std::string_view name;
  std::string_view thresholds;
};
constexpr voltage_mode voltage_modes[] = {
    {"default", "high:4.0;normal:3.5;low:3.2;dead:0"},
    {"lipo", "high:4.0;normal:3.5;low:3.2;dead:0"},
    {"l91", "high:4.2;normal:3.4;low:3.1;dead:0"},
    {"alkaline", "high:4.2;normal:3.6;low:3.2;dead:0"},
    {"tad", "high:3.7;normal:3.6;low:3.5;dead:0"},
    {"lic", "high:3.9;normal:3.7;low:3.5;dead:0"},
};

// "name:volts;name:volts" → pairs, or nullopt if malformed.
std::optional<std::vector<std::pair<std::string, double>>> parse_thresholds(std::string_view text) {
  std::vector<std::pair<std::string, double>> out;
  while (!text.empty()) {
    const std::size_t end = text.find(';');
    const std::string_view item = text.substr(0, end);
    const std::size_t colon = item.find(':');
    if (colon == 0 || colon == std::string_view::npos) return std::nullopt;
    double volts = 0;
    const std::string_view number = item.substr(colon + 1);
    const auto result = std::from_chars(number.data(), number.data() + number.size(), volts);
    if (result.ec != std::errc{} || result.ptr != number.data() + number.size())
      return std::nullopt;
    if (item.substr(0, colon) != "usb") out.emplace_back(std::string(item.substr(0, colon)), volts);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  if (out.empty()) return std::nullopt;
  std::ranges::sort(out, std::greater<>{}, &std::pair<std::string, double>::second);
  return out;
}

}  // namespace

void module::impl::write_transport_hints(const module& m, json_writer& out) {
  if (m.radio_.at_us < 0) return;
  out.field("rat", rat_name(m.radio_.rat));
  out.field("bitrate", bitrate_name(m.radio_.bitrate));
  out.field("limited", m.radio_.packet_limited);
}

namespace {

// A level in dB(m) as the packed reading keeps it; INT16_MIN is "absent".
std::int16_t packed_level(const std::optional<std::int32_t>& level) {
  if (!level) return INT16_MIN;
  return static_cast<std::int16_t>(std::clamp<std::int32_t>(*level, INT16_MIN + 1, INT16_MAX));
}

}  // namespace

void module::set_transport(std::int64_t now_us, const transport_info& transport) {
  const bool changed =
      radio_.at_us < 0 || radio_.rat != transport.rat || radio_.registered != transport.registered;
  radio_.at_us = now_us;
  radio_.cell_id = transport.cell_id;
  radio_.rssi_dbm = packed_level(transport.rssi_dbm);
  radio_.rsrp_dbm = packed_level(transport.rsrp_dbm);
  radio_.rsrq_db = packed_level(transport.rsrq_db);
  radio_.sinr_db = packed_level(transport.sinr_db);
  radio_.rat = transport.rat;
  radio_.bitrate = transport.bitrate;
  radio_.bars = static_cast<std::int8_t>(std::clamp(transport.bars, 0, 4));
  radio_.packet_limited = transport.packet_limited;
  radio_.registered = transport.registered;
  // A band name is rare (the device actor gives none): only then is the extended state used.
  if (!transport.band.empty() || (ext_.get() != nullptr && !ext_.get()->band.empty())) {
    ext().band = transport.band;
  }
  penalty_until_us_ = transport.penalty_until_us;  // the modem's box, reflected
  if (changed) impl::attn_event(*this, "wireless", now_us);
}

void module::set_voltage(std::int64_t now_us, double volts, bool usb_powered) {
  power_reading& p = power_;
  const double v = volts;
  if (p.samples == 0) {
    p.min_v = p.max_v = v;
    p.first_us = now_us;
  }
  p.min_v = std::min(p.min_v, v);
  p.max_v = std::max(p.max_v, v);
  p.sum_v += volts;
  ++p.samples;
  p.volts = v;
  p.usb = usb_powered;
}

std::string_view module::impl::voltage_level(const module& m) {
  if (m.power_.samples == 0) return "normal";
  if (m.power_.usb) return "usb";
  const double volts = m.power_.volts;
  const extended* e = m.ext_.get();
  if (e != nullptr && !e->voltage.thresholds.empty()) {
    for (const auto& [name, threshold] : e->voltage.thresholds) {
      if (volts >= threshold) return name;
    }
    return "dead";
  }
  // The default mode's thresholds, without parsing on this path.
  return volts >= 4.0 ? "high" : volts >= 3.5 ? "normal" : volts >= 3.2 ? "low" : "dead";
}

std::string module::transport_method() const {
  const extended* e = ext_.get();
  return e != nullptr ? e->transport_method : std::string("-");
}

std::string module::wireless_mode() const {
  const extended* e = ext_.get();
  return e != nullptr ? e->wireless_mode : std::string("auto");
}

reply module::impl::card_wireless(module& m, const json_value& req, json_writer& out,
                                  std::int64_t /*now_us*/) {
  detail::fields f(req);
  const auto mode = f.string("mode");
  const auto apn = f.string("apn");
  const auto method = f.string("method");
  f.integer("hours");
  static constexpr std::string_view modes[] = {"-", "auto", "m", "nb", "gprs"};
  static constexpr std::string_view methods[] = {"-", "dual-primary-secondary",
                                                 "dual-secondary-primary", "primary", "secondary"};
  if (f.ok() && mode && std::ranges::find(modes, *mode) == std::end(modes)) {
    f.fail(detail::type_error("mode", "one of -, auto, m, nb, gprs"));
  }
  if (f.ok() && method && std::ranges::find(methods, *method) == std::end(methods)) {
    f.fail(detail::type_error("method",
                              "one of -, primary, secondary, dual-primary-secondary, "
                              "dual-secondary-primary"));
  }
  if (!f.ok()) return f.failure();
  extended& e = m.ext();
  if (mode) e.wireless_mode = *mode == "-" ? "auto" : std::string(*mode);
  if (apn) e.apn = *apn == "-" ? "" : std::string(*apn);

  const radio_reading& t = m.radio_;
  const bool known = t.at_us >= 0;
  if (!known) {
    out.field("status", "{modem-off}");
  } else {
    out.field("status", t.registered ? "{network-up}" : "{cell-registration-wait}");
  }
  out.field("mode", e.wireless_mode);
  if (known) {
    const auto level = [&](std::string_view key, std::int16_t value) {
      if (value != radio_reading::absent) out.field(key, static_cast<std::int64_t>(value));
    };
    out.field("count", static_cast<std::int64_t>(t.bars));
    out.key("net").begin_object();
    out.field("rat", rat_name(t.rat));
    if (!e.band.empty()) out.field("band", e.band);
    level("rssi", t.rssi_dbm);
    level("rsrp", t.rsrp_dbm);
    level("sinr", t.sinr_db);
    level("rsrq", t.rsrq_db);
    out.field("bars", static_cast<std::int64_t>(t.bars));
    if (t.cell_id != 0) out.field("cid", static_cast<std::int64_t>(t.cell_id));
    if (auto utc = utc_s(m, t.at_us)) out.field("updated", *utc);
    out.end_object();
  }
  write_transport_hints(m, out);
  return {};
}

reply module::impl::card_wireless_penalty(module& m, const json_value& req, json_writer& out,
                                          std::int64_t now_us) {
  detail::fields f(req);
  const auto reset = f.boolean("reset");
  const auto set = f.boolean("set");
  const auto rate = f.number("rate");
  const auto add = f.integer("add");
  const auto max = f.integer("max");
  const auto min = f.integer("min");
  if (f.ok() && rate && *rate < 1.0) f.fail(detail::type_error("rate", "a number >= 1"));
  for (const auto& [name, value] : {std::pair{"add", add}, {"max", max}, {"min", min}}) {
    if (f.ok() && value && (*value < 0 || *value > 525'600)) {
      f.fail(detail::type_error(name, "minutes 0..525600"));
    }
  }
  if (!f.ok()) return f.failure();
  // The box is the network's modem model's, with the Notecard's default timings: other timings
  // are refused rather than silently ignored.
  if (set.value_or(false) && (rate || add || max || min)) {
    return std::unexpected(std::string(
        "penalty timings are the Notecard defaults (min 15, add 15, rate 1.25, max 4320 minutes) "
        "and cannot be changed in this simulator {not-supported}"));
  }
  if (reset.value_or(false)) {
    m.penalty_until_us_ = 0;
    m.failures_ = 0;
    m.penalty_override_ = true;  // the modem tries at the next session
  }
  const std::int64_t since_us = m.failures_ > 0 ? now_us - m.first_failure_us_ : 0;
  if (const auto until = m.penalty_until_us(now_us)) {
    const std::int64_t seconds = (*until - now_us + us_per_s - 1) / us_per_s;
    out.field("seconds", seconds);
    out.field("status", "network: can't connect (" + std::to_string((seconds + 59) / 60) +
                            " min remaining) {registration-failure}{network}");
  }
  out.field("minutes", since_us / us_per_minute);
  out.field("count", static_cast<std::int64_t>(m.failures_));
  return {};
}

reply module::impl::card_transport(module& m, const json_value& req, json_writer& out,
                                   std::int64_t /*now_us*/) {
  detail::fields f(req);
  const auto method = f.string("method");
  const auto seconds = f.integer("seconds");
  f.boolean("allow");
  f.boolean("set");
  f.boolean("umin");
  static constexpr std::string_view methods[] = {"-",       "cell", "cell-ntn",  "dual-wifi-cell",
                                                 "ntn",     "wifi", "wifi-cell", "wifi-cell-ntn",
                                                 "wifi-ntn"};
  if (f.ok() && method && std::ranges::find(methods, *method) == std::end(methods)) {
    f.fail(detail::type_error("method",
                              "one of -, cell, cell-ntn, ntn, wifi, wifi-cell, "
                              "wifi-cell-ntn, wifi-ntn"));
  }
  if (f.ok() && seconds && *seconds < -1) f.fail(detail::type_error("seconds", "seconds >= -1"));
  if (!f.ok()) return f.failure();
  extended& e = m.ext();
  if (method) e.transport_method = *method == "dual-wifi-cell" ? "wifi-cell" : std::string(*method);
  if (seconds) e.transport_seconds = *seconds == -1 ? 3600 : static_cast<std::int32_t>(*seconds);
  out.field("method", e.transport_method);
  out.field("seconds", e.transport_seconds);
  write_transport_hints(m, out);
  return {};
}

reply module::impl::card_voltage(module& m, const json_value& req, json_writer& out,
                                 std::int64_t now_us) {
  detail::fields f(req);
  const auto mode = f.string("mode");
  f.integer("hours");
  f.number("offset");
  f.number("vmax");
  f.number("vmin");
  f.boolean("set");
  f.boolean("usb");
  f.boolean("alert");
  f.boolean("sync");
  f.number("calibration");
  std::optional<std::vector<std::pair<std::string, double>>> thresholds;
  if (f.ok() && mode && !mode->empty() && *mode != "?") {
    const auto known = std::ranges::find(voltage_modes, *mode, &voltage_mode::name);
    thresholds = parse_thresholds(known != std::end(voltage_modes) ? known->thresholds : *mode);
    if (!thresholds) {
      f.fail(detail::type_error("mode",
                                "default, lipo, l91, alkaline, tad, lic, or "
                                "\"level:volts;level:volts...\""));
    }
  }
  if (!f.ok()) return f.failure();
  extended& e = m.ext();
  if (thresholds) {
    e.voltage.mode = *mode;
    e.voltage.thresholds = *mode == "default" ? decltype(e.voltage.thresholds){} : *thresholds;
  }
  const power_reading& v = m.power_;
  if (v.samples == 0) {
    return std::unexpected(std::string("no voltage reading yet {voltage-unknown}"));
  }
  out.field("mode", voltage_level(m));
  out.field("usb", v.usb);
  out.field_number("value", v.volts);
  out.field_number("vmin", v.min_v);
  out.field_number("vmax", v.max_v);
  out.field_number("vavg", v.sum_v / static_cast<double>(v.samples));
  out.field("hours", (now_us - v.first_us) / (60 * us_per_minute));
  return {};
}

}  // namespace twelvefold::shim
