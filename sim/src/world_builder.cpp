#include "twelvefold/sim/world_builder.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>

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

std::string default_prefix(const std::string& fleet) {
  std::string prefix;
  for (char c : fleet) {
    prefix += std::isalnum(static_cast<unsigned char>(c))
                  ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                  : '-';
  }
  return prefix + "-";
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
  w->project_env = env_of(s.env());

  for (const auto& r : s.regions()) {
    actors::region_spec region;
    region.name = r.name();
    region.center = {r.center_lat(), r.center_lon()};
    region.radius_km = r.radius_km();
    models::parse_environment(r.environment(), region.environment);
    for (const auto& c : r.cells()) {
      models::cell_site cell;
      cell.id = c.id();
      models::parse_rat(c.rat(), cell.technology);
      cell.position = {c.lat(), c.lon()};
      if (c.has_height_m()) cell.height_m = c.height_m();
      if (c.has_tx_power_dbm()) cell.tx_power_dbm = c.tx_power_dbm();
      if (c.has_frequency_mhz()) cell.frequency_mhz = c.frequency_mhz();
      region.cells.push_back(cell);
    }
    w->regions.push_back(std::move(region));
  }
  for (int i = 0; i < s.device_models_size(); ++i) {
    const auto& m = s.device_models(i);
    actors::device_model_spec model;
    model.name = m.name();
    model.firmware_path = scenario.firmware_paths[static_cast<std::size_t>(i)];
    for (const auto& name : m.rats()) {
      models::rat rat{};
      models::parse_rat(name, rat);
      model.rats.push_back(rat);
    }
    if (model.rats.empty()) model.rats.push_back(models::rat::lte_m);
    if (m.has_battery_mah()) model.battery_mah = m.battery_mah();
    if (m.has_mcu_active_ma()) model.mcu_active_ma = m.mcu_active_ma();
    if (m.has_sleep_ua()) model.sleep_ua = m.sleep_ua();
    w->device_models.push_back(std::move(model));
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
    fleet.serial_prefix =
        fl.serial_prefix().empty() ? default_prefix(fl.name()) : fl.serial_prefix();
    fleet.device_model = index_of(w->device_models, fl.device_model());
    fleet.region = index_of(w->regions, fl.region());
    fleet.env = env_of(fl.env());
    w->fleets.push_back(std::move(fleet));

    std::uint32_t count = fl.count();
    if (overrides.twin_scale) {
      count = std::max<std::uint32_t>(
          1, static_cast<std::uint32_t>(std::lround(count * *overrides.twin_scale)));
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
      w->twins.push_back(spec);
    }
  }
  return w;
}

}  // namespace twelvefold::sim
