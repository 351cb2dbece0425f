#include "twelvefold/sim/world_builder.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numbers>
#include <tuple>

#include "serial_rule.hpp"
#include "twelvefold/models/random.hpp"
#include "twelvefold/models/sensors.hpp"
#include "twelvefold/scenario/v1/scenario.pb.h"

namespace twelvefold::sim {
namespace {

// Defaults of optional scenario fields (docs/scenarios.md lists the same values).
constexpr std::uint64_t default_seed = 1;
constexpr std::uint32_t default_window_ms = 1000;
constexpr std::uint32_t default_store_flush_minutes = 15;
constexpr std::uint32_t default_boot_spread_s = 900;

actors::env_map env_of(const google::protobuf::RepeatedPtrField<scenario::v1::EnvVar>& vars) {
  actors::env_map env;
  for (const auto& v : vars) env[v.name()] = v.value();
  return env;
}

std::uint16_t operator_index(actors::world& w, const std::string& name) {
  const auto it = std::find(w.operators.begin(), w.operators.end(), name);
  if (it != w.operators.end()) return static_cast<std::uint16_t>(it - w.operators.begin());
  w.operators.push_back(name);
  return static_cast<std::uint16_t>(w.operators.size() - 1);
}

std::int32_t index_or_all(const std::vector<std::string>& names, const std::string& name) {
  if (name.empty()) return -1;
  const auto it = std::find(names.begin(), names.end(), name);
  return static_cast<std::int32_t>(it - names.begin());
}

// Turns the scenario's timeline into network events (a sunset is one event, an outage a begin
// and an end) and cloud events (everything else, for the management service). Sorted by
// (time, id) so they are applied in a fixed order.
void build_timeline(const scenario::v1::Scenario& s, const scenario_file& file, actors::world& w) {
  std::vector<std::string> region_names;
  for (const auto& r : w.regions) region_names.push_back(r.name);
  std::uint32_t id = 0;
  for (const auto& ev : s.timeline()) {
    actors::network_event e;
    e.at_us = *parse_event_time_us(ev.at(), file.epoch_utc_us);
    e.id = id++;
    auto rat_of = [](const std::string& name) {
      models::rat r{};
      return name.empty() || !models::parse_rat(name, r) ? -1 : static_cast<std::int32_t>(r);
    };
    if (ev.has_sunset()) {
      e.what = actors::network_event::kind::sunset;
      e.technology = rat_of(ev.sunset().rat());
      e.region = index_or_all(region_names, ev.sunset().region());
      e.operator_id = index_or_all(w.operators, ev.sunset().operator_());
      w.timeline.push_back(e);
    } else if (ev.has_outage()) {
      const auto& o = ev.outage();
      e.what = actors::network_event::kind::outage_begin;
      e.technology = rat_of(o.rat());
      e.region = index_or_all(region_names, o.region());
      e.operator_id = index_or_all(w.operators, o.operator_());
      e.cells.assign(o.cells().begin(), o.cells().end());
      e.backhaul_only = o.backhaul_only();
      w.timeline.push_back(e);
      actors::network_event end = e;
      end.what = actors::network_event::kind::outage_end;
      end.at_us = e.at_us + *parse_duration_us(o.duration());
      w.timeline.push_back(end);
    } else if (ev.event_case() != scenario::v1::TimelineEvent::EVENT_NOT_SET) {
      w.cloud_timeline.push_back({e.at_us, e.id, ev.SerializeAsString()});
    }
  }
  std::stable_sort(w.cloud_timeline.begin(), w.cloud_timeline.end(),
                   [](const auto& a, const auto& b) {
                     return std::tie(a.at_us, a.index) < std::tie(b.at_us, b.index);
                   });
  std::stable_sort(w.timeline.begin(), w.timeline.end(), [](const auto& a, const auto& b) {
    return std::tie(a.at_us, a.id) < std::tie(b.at_us, b.id);
  });
}

// Factor 8: firmware images (a library each, shared with a device model of the same file) and
// DFU campaigns in timeline order (their ids). Fleet indices are scenario order.
void build_dfu(const scenario::v1::Scenario& s, const scenario_file& file, actors::world& w) {
  for (int i = 0; i < s.firmware_images_size(); ++i) {
    const auto& fi = s.firmware_images(i);
    actors::firmware_image_spec image;
    image.name = fi.name();
    image.path = file.firmware_image_paths[static_cast<std::size_t>(i)];
    image.version = fi.version();
    image.size_bytes = file.firmware_image_sizes[static_cast<std::size_t>(i)];
    if (!image.path.empty()) {
      const auto model = std::find_if(w.device_models.begin(), w.device_models.end(),
                                      [&](const auto& m) { return m.firmware_path == image.path; });
      const auto extra =
          std::find(w.extra_firmware_paths.begin(), w.extra_firmware_paths.end(), image.path);
      if (model != w.device_models.end()) {
        image.library = static_cast<std::uint32_t>(model - w.device_models.begin());
      } else {
        image.library = static_cast<std::uint32_t>(w.device_models.size() +
                                                   (extra - w.extra_firmware_paths.begin()));
        if (extra == w.extra_firmware_paths.end()) w.extra_firmware_paths.push_back(image.path);
      }
    }
    w.firmware_images.push_back(std::move(image));
  }
  struct timed {
    std::int64_t at_us;
    actors::dfu_campaign_spec spec;
  };
  std::vector<timed> campaigns;
  for (const auto& ev : s.timeline()) {
    if (!ev.has_dfu_campaign()) continue;
    const auto& c = ev.dfu_campaign();
    actors::dfu_campaign_spec spec;
    spec.name = c.name();
    for (int f = 0; f < s.fleets_size(); ++f) {
      if (s.fleets(f).name() == c.fleet()) spec.fleet = static_cast<std::uint32_t>(f);
    }
    for (std::size_t k = 0; k < w.firmware_images.size(); ++k) {
      if (w.firmware_images[k].name == c.image()) spec.image = static_cast<std::uint32_t>(k);
    }
    spec.start_us = *parse_event_time_us(ev.at(), file.epoch_utc_us);
    for (const auto& stage : c.stages()) {
      spec.stages.push_back(
          {static_cast<double>(stage.percent()), *parse_duration_us(stage.after())});
    }
    if (spec.stages.empty()) spec.stages.push_back({100, 0});
    spec.apply_failure_rate = c.apply_failure_rate();
    spec.has_gate = c.has_health_gate();
    if (spec.has_gate) {
      const auto& g = c.health_gate();
      spec.gate_max_failure_rate = g.max_failure_rate();
      spec.gate_window_us = *parse_duration_us(g.window());
      spec.gate_metric = g.metric() == "reboots"  ? actors::dfu_metric::reboots
                         : g.metric() == "silent" ? actors::dfu_metric::silent
                                                  : actors::dfu_metric::apply_failures;
      if (g.has_min_samples()) spec.gate_min_samples = g.min_samples();
    }
    spec.rollback = c.rollback();
    spec.kind = c.kind() == "asset" ? actors::dfu_kind::asset : actors::dfu_kind::host;
    spec.diagnostic = c.diagnostic();
    if (spec.diagnostic) spec.revert_after_us = *parse_duration_us(c.revert_after());
    spec.outboard = c.outboard();
    spec.allow_packet_limited = c.allow_packet_limited();
    campaigns.push_back({spec.start_us, std::move(spec)});
  }
  std::stable_sort(campaigns.begin(), campaigns.end(),
                   [](const timed& a, const timed& b) { return a.at_us < b.at_us; });
  for (timed& t : campaigns) w.dfu_campaigns.push_back(std::move(t.spec));
}

// Config (docs/cloud-config.md): priority, lifecycle and watchdog of a fleet (validated by
// the loader). Rules name fleets, so they are resolved once every fleet exists.
void apply_fleet_config(const scenario::v1::Fleet& fl, actors::fleet_spec& fleet) {
  fleet.priority = fl.priority();
  if (fl.lifecycle() == "quarantine") fleet.lifecycle = actors::fleet_lifecycle::quarantine;
  if (fl.lifecycle() == "repair") fleet.lifecycle = actors::fleet_lifecycle::repair;
  if (fl.lifecycle() == "decommissioned") {
    fleet.lifecycle = actors::fleet_lifecycle::decommissioned;
  }
  if (!fl.watchdog().empty()) fleet.watchdog_us = parse_duration_us(fl.watchdog()).value_or(0);
}

void resolve_fleet_rules(const scenario::v1::Scenario& s, actors::world& w) {
  auto find = [](const auto& list, const std::string& name) -> std::int32_t {
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list[i].name == name) return static_cast<std::int32_t>(i);
    }
    return -1;
  };
  for (int f = 0; f < s.fleets_size(); ++f) {
    const auto& fl = s.fleets(f);
    if (!fl.has_rule()) continue;
    actors::membership_rule& rule = w.fleets[static_cast<std::size_t>(f)].rule;
    rule.present = true;
    const auto& r = fl.rule();
    if (!r.device_model().empty()) rule.device_model = find(w.device_models, r.device_model());
    if (!r.region().empty()) rule.region = find(w.regions, r.region());
    if (!r.home_fleet().empty()) rule.home_fleet = find(w.fleets, r.home_fleet());
    rule.serial_prefix = r.serial_prefix();
  }
}

// Device-scope variables by serial; a serial that --scale removed from the run is skipped.
void build_device_env(const scenario::v1::Scenario& s, actors::world& w) {
  std::map<actors::twin_index, actors::env_map> by_twin;
  for (const auto& d : s.device_env()) {
    const auto twin = w.twin_of_serial(d.serial());
    if (!twin) continue;
    for (const auto& var : d.env()) by_twin[*twin][var.name()] = var.value();
  }
  for (auto& [twin, env] : by_twin) w.device_env.push_back({twin, std::move(env)});
}

}  // namespace

std::shared_ptr<const actors::world> build_world(const scenario_file& scenario,
                                                 const world_overrides& overrides) {
  const scenario::v1::Scenario& s = *scenario.spec;
  auto w = std::make_shared<actors::world>();
  w->scenario_name = s.name();
  w->seed = overrides.seed.value_or(s.has_seed() ? s.seed() : default_seed);
  w->epoch_utc_us = scenario.epoch_utc_us;
  w->duration_us = overrides.duration_us.value_or(scenario.duration_us);
  w->window_us = static_cast<std::int64_t>(s.kernel().has_window_ms() ? s.kernel().window_ms()
                                                                      : default_window_ms) *
                 1000;
  w->store_flush_us = static_cast<std::int64_t>(s.kernel().has_store_flush_minutes()
                                                    ? s.kernel().store_flush_minutes()
                                                    : default_store_flush_minutes) *
                      60 * 1'000'000;
  w->store_sessions = !s.store().has_sessions() || s.store().sessions();
  if (!s.store().retention().empty()) {
    w->store_retention_us = *parse_duration_us(s.store().retention());
  }
  w->project_env = env_of(s.env());

  for (const auto& r : s.regions()) {
    actors::region_spec region;
    region.name = r.name();
    region.center = {r.center_lat(), r.center_lon()};
    region.radius_km = r.radius_km();
    models::parse_environment(r.environment(), region.environment);
    for (const auto& c : r.cells()) {
      models::rat technology{};
      models::parse_rat(c.rat(), technology);
      models::cell_site cell = models::default_site(technology);
      cell.id = c.id();
      cell.technology = technology;
      cell.operator_id = operator_index(*w, c.operator_().empty() ? "default" : c.operator_());
      cell.position = {c.lat(), c.lon()};
      if (c.has_height_m()) cell.height_m = c.height_m();
      if (c.has_tx_power_dbm()) cell.tx_power_dbm = c.tx_power_dbm();
      if (c.has_frequency_mhz()) cell.frequency_mhz = c.frequency_mhz();
      if (c.has_antenna_gain_dbi()) cell.antenna_gain_dbi = c.antenna_gain_dbi();
      region.cells.push_back(cell);
    }
    w->regions.push_back(std::move(region));
  }
  for (int i = 0; i < s.device_models_size(); ++i) {
    const auto& m = s.device_models(i);
    actors::device_model_spec model;
    model.name = m.name();
    model.firmware_path = scenario.firmware_paths[static_cast<std::size_t>(i)];
    model.external = m.external();  // no firmware to load: the device runs outside
    if (static_cast<std::size_t>(i) < scenario.external_where.size()) {
      model.external_where = scenario.external_where[static_cast<std::size_t>(i)];
    }
    for (const auto& name : m.rats()) {
      models::rat rat{};
      models::parse_rat(name, rat);
      model.rats.push_back(rat);
    }
    if (model.rats.empty()) model.rats.push_back(models::rat::lte_m);
    if (!m.battery().empty()) models::parse_battery_kind(m.battery(), model.battery);
    if (m.has_battery_mah()) model.battery_mah = m.battery_mah();
    if (m.has_mcu_active_ma()) model.mcu_active_ma = m.mcu_active_ma();
    if (m.has_sleep_ua()) model.sleep_ua = m.sleep_ua();
    w->device_models.push_back(std::move(model));
  }
  if (s.has_constellation() && s.constellation().satellites() > 0) {
    const auto& c = s.constellation();
    models::constellation_spec spec;
    spec.satellites = static_cast<int>(c.satellites());
    if (c.has_altitude_km()) spec.altitude_km = c.altitude_km();
    if (c.has_inclination_deg()) spec.inclination_deg = c.inclination_deg();
    if (c.has_planes()) spec.planes = static_cast<int>(c.planes());
    if (c.has_min_elevation_deg()) spec.min_elevation_deg = c.min_elevation_deg();
    w->constellation = spec;
  }
  build_timeline(s, scenario, *w);
  build_dfu(s, scenario, *w);
  if (s.routes_size() > 0 || s.web_routes_size() > 0) {
    // Routes are the solution service's: it gets them as scenario text, only them.
    scenario::v1::Scenario routes;
    *routes.mutable_routes() = s.routes();
    *routes.mutable_web_routes() = s.web_routes();
    w->routes_spec = routes.SerializeAsString();
  }
  auto index_of = [](const auto& list, const std::string& name) {
    const auto it =
        std::find_if(list.begin(), list.end(), [&](const auto& item) { return item.name == name; });
    return static_cast<std::uint32_t>(it - list.begin());
  };

  for (int f = 0; f < s.fleets_size(); ++f) {
    const auto& fl = s.fleets(f);
    actors::fleet_spec fleet;
    fleet.name = fl.name();
    fleet.serial_prefix = serial_prefix(fl.serial_prefix(), fl.name());
    fleet.device_model = index_of(w->device_models, fl.device_model());
    fleet.region = index_of(w->regions, fl.region());
    fleet.env = env_of(fl.env());
    apply_fleet_config(fl, fleet);
    fleet.first_twin = static_cast<actors::twin_index>(w->twins.size());
    w->fleets.push_back(std::move(fleet));

    std::uint32_t count = fl.count();
    // The scenario's own scale (a variant: "scale: 10") and the command line's multiply; an
    // empty fleet (a move target) stays empty, and one external device stays one device.
    const bool external = !w->device_models[w->fleets.back().device_model].external.empty();
    const double scale = (s.has_scale() ? s.scale() : 1.0) * overrides.twin_scale.value_or(1.0);
    if (scale != 1.0 && count > 0 && !external) {
      count = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(count * scale)));
    }
    const auto boot_spread_us =
        static_cast<double>(fl.has_boot_spread_s() ? fl.boot_spread_s() : default_boot_spread_s) *
        1e6;
    const actors::region_spec& region = w->regions[w->fleets.back().region];
    for (std::uint32_t k = 0; k < count; ++k) {
      const auto twin = static_cast<std::uint64_t>(w->twins.size());
      models::random_stream place(w->seed, twin, models::stream_purpose::placement);
      // Uniform over the disc: radius ~ R*sqrt(u).
      const double r_m = region.radius_km * 1000 * std::sqrt(place.uniform());
      const double theta = 2 * std::numbers::pi * place.uniform();
      actors::twin_spec spec;
      spec.fleet = static_cast<std::uint32_t>(f);
      spec.index_in_fleet = k;
      spec.position = models::to_geo(region.center, {r_m * std::cos(theta), r_m * std::sin(theta)});
      spec.site_temperature_offset_c =
          static_cast<float>(models::draw_site_offset_c(models::temperature_params{}, place));
      models::random_stream boot(w->seed, twin, models::stream_purpose::boot);
      spec.boot_us = static_cast<std::int64_t>(boot.uniform() * boot_spread_us);
      if (external) spec.boot_us = 0;  // its link is served from the first window
      w->twins.push_back(spec);
    }
    w->fleets.back().twin_count = count;
  }
  resolve_fleet_rules(s, *w);
  build_device_env(s, *w);
  return w;
}

}  // namespace twelvefold::sim
