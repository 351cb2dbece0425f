// module: card.time, card.location, card.location.mode and card.triangulate — what the module
// knows about when and where the twin is.
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json_value;
using detail::json_writer;
using detail::reply;

struct gnss_name {
  std::string_view text;
  location_mode mode;
};
constexpr gnss_name gnss_names[] = {
    {"off", location_mode::off},
    {"periodic", location_mode::periodic},
    {"continuous", location_mode::continuous},
    {"fixed", location_mode::fixed},
};

std::string_view name_of(location_mode mode) {
  for (const gnss_name& g : gnss_names) {
    if (g.mode == mode) return g.text;
  }
  return "off";
}

bool tower_derived(const location_fix& fix) {
  return fix.source == location_source::tower || fix.source == location_source::triangulated;
}

}  // namespace

reply module::impl::card_time(module& m, const json_value& /*req*/, json_writer& out,
                              std::int64_t now_us) {
  const auto utc = utc_s(m, now_us);
  if (!utc) {
    // Never synced: say so and give no "time", so firmware falls back to its own counter.
    out.field("zone", "UTC,Unknown");
    return {};
  }
  out.field("time", *utc);
  out.field("zone", "UTC");
  out.field("minutes", 0);
  // The Notecard adds the serving tower's position, learned with the time.
  if (const extended* e = m.ext_.get();
      e != nullptr && e->location && tower_derived(*e->location)) {
    out.field_number("lat", e->location->lat_deg);
    out.field_number("lon", e->location->lon_deg);
  }
  return {};
}

void module::set_location(const location_fix& fix) {
  extended& e = ext();
  e.location = fix;
  impl::attn_event(*this, "location", fix.at_us);
}

location_mode module::gnss_mode() const {
  const extended* e = ext_.get();
  return e != nullptr ? e->gnss : location_mode::off;
}

std::int32_t module::gnss_seconds() const {
  const extended* e = ext_.get();
  return e != nullptr ? e->gnss_seconds : 3600;
}

reply module::impl::card_location(module& m, const json_value& /*req*/, json_writer& out,
                                  std::int64_t /*now_us*/) {
  const extended* e = m.ext_.get();
  const location_mode mode = e != nullptr ? e->gnss : location_mode::off;
  if (e == nullptr || !e->location) {
    out.field("status", mode == location_mode::off ? "GPS inactive {gps-inactive}"
                                                   : "GPS searching {gps-active}");
    out.field("mode", name_of(mode));
    return {};
  }
  const location_fix& fix = *e->location;
  switch (fix.source) {
    case location_source::gnss:
      out.field("status", "GPS updated {gps}");
      break;
    case location_source::triangulated:
      out.field("status", "triangulated {triangulated}");
      break;
    case location_source::tower:
      out.field("status", "tower location {tower}");
      break;
    case location_source::fixed:
      out.field("status", "fixed location {fixed}");
      break;
  }
  static constexpr std::string_view sources[] = {"gnss", "triangulated", "tower", "fixed"};
  out.field("source", sources[static_cast<std::size_t>(fix.source)]);
  out.field("mode", name_of(mode));
  out.field_number("lat", fix.lat_deg);
  out.field_number("lon", fix.lon_deg);
  if (auto utc = utc_s(m, fix.at_us)) out.field("time", *utc);
  if (fix.source == location_source::gnss && fix.dop > 0) out.field_number("dop", fix.dop);
  return {};
}

reply module::impl::card_location_mode(module& m, const json_value& req, json_writer& out,
                                       std::int64_t now_us) {
  detail::fields f(req);
  const auto mode_text = f.string("mode");
  const auto seconds = f.integer("seconds");
  const auto lat = f.number("lat");
  const auto lon = f.number("lon");
  const auto remove = f.boolean("delete");
  f.integer("max");
  f.integer("minutes");
  f.integer("threshold");
  f.string("vseconds");
  std::optional<location_mode> mode;
  if (f.ok() && mode_text && !mode_text->empty()) {
    for (const gnss_name& g : gnss_names) {
      if (g.text == *mode_text) mode = g.mode;
    }
    if (!mode) f.fail(detail::type_error("mode", "one of off, periodic, continuous, fixed"));
  }
  if (f.ok() && seconds && (*seconds < 0 || *seconds > 0x7FFFFFFF)) {
    f.fail(detail::type_error("seconds", "seconds >= 0"));
  }
  if (f.ok() && lat && (*lat < -90 || *lat > 90)) f.fail(detail::type_error("lat", "-90..90"));
  if (f.ok() && lon && (*lon < -180 || *lon > 180)) f.fail(detail::type_error("lon", "-180..180"));
  if (f.ok() && mode == location_mode::fixed && (!lat || !lon)) {
    f.fail("mode fixed needs 'lat' and 'lon'");
  }
  if (!f.ok()) return f.failure();

  extended& e = m.ext();
  if (remove.value_or(false)) e.location.reset();
  if (mode) e.gnss = *mode;
  if (seconds) e.gnss_seconds = static_cast<std::int32_t>(*seconds);
  if (mode == location_mode::fixed) {
    m.set_location(
        {.lat_deg = *lat, .lon_deg = *lon, .at_us = now_us, .source = location_source::fixed});
  }
  out.field("mode", name_of(e.gnss));
  if (e.gnss == location_mode::periodic) out.field("seconds", e.gnss_seconds);
  if (e.gnss == location_mode::fixed && e.location) {
    out.field_number("lat", e.location->lat_deg);
    out.field_number("lon", e.location->lon_deg);
  }
  return {};
}

reply module::impl::card_triangulate(module& m, const json_value& req, json_writer& out,
                                     std::int64_t now_us) {
  detail::fields f(req);
  const auto mode_text = f.string("mode");
  const auto on = f.boolean("on");
  const auto usb = f.boolean("usb");
  const auto set = f.boolean("set");
  const auto text = f.string("text");
  const auto time = f.integer("time");
  const auto minutes = f.integer("minutes");
  bool cell = false;
  bool wifi = false;
  if (f.ok() && mode_text && *mode_text != "-" && !mode_text->empty()) {
    std::string_view rest = *mode_text;
    while (f.ok()) {
      const std::size_t comma = rest.find(',');
      const std::string_view word = rest.substr(0, comma);
      if (word == "cell") {
        cell = true;
      } else if (word == "wifi") {
        wifi = true;
      } else {
        f.fail(detail::type_error("mode", "\"cell\", \"wifi\", \"wifi,cell\" or \"-\""));
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (f.ok() && minutes && *minutes < -1) f.fail(detail::type_error("minutes", "minutes >= -1"));
  if (!f.ok()) return f.failure();

  extended& e = m.ext();
  if (mode_text && !mode_text->empty()) {
    e.triangulate_cell = cell;
    e.triangulate_wifi = wifi;
  }
  if (set.value_or(false)) {
    if (on) e.triangulate_on = *on;
    if (usb) e.triangulate_usb = *usb;
  }
  if (text) {
    e.wifi_text = *text;
    e.wifi_utc_s = time ? *time : utc_or_zero(m, now_us);
  }
  std::string mode;
  if (e.triangulate_wifi) mode = "wifi";
  if (e.triangulate_cell) mode += mode.empty() ? "cell" : ",cell";
  out.field("mode", mode);
  out.field("on", e.triangulate_on);
  out.field("usb", e.triangulate_usb);
  if (!e.wifi_text.empty()) out.field("length", static_cast<std::uint64_t>(e.wifi_text.size()));
  if (e.last_scan_utc_s != 0) out.field("time", e.last_scan_utc_s);
  return {};
}

}  // namespace twelvefold::shim
