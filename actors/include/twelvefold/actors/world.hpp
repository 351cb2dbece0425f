// The immutable description of a run that every actor reads: regions and their cells, device
// models, fleets and the twins themselves. Built once by the kernel from a scenario, then
// shared read-only (std::shared_ptr<const world>) across threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "twelvefold/actors/messages.hpp"
#include "twelvefold/models/geo.hpp"
#include "twelvefold/models/radio.hpp"

namespace twelvefold::actors {

using env_map = std::map<std::string, std::string>;

struct region_spec {
  std::string name;
  models::geo_point center;
  double radius_km = 0;
  models::environment_kind environment = models::environment_kind::urban;
  std::vector<models::cell_site> cells;
};

struct device_model_spec {
  std::string name;
  std::filesystem::path firmware_path;
  std::vector<models::rat> rats;  // preference order
  double battery_mah = 19000;
  double mcu_active_ma = 8;
  double sleep_ua = 6;  // whole device asleep: MCU stop mode + modem in PSM
};

struct fleet_spec {
  std::string name;
  std::string serial_prefix;
  std::uint32_t device_model = 0;  // index into world::device_models
  std::uint32_t region = 0;        // index into world::regions
  env_map env;                     // fleet scope
};

// Per-twin facts fixed for the whole run (ground truth, not what the cloud knows).
struct twin_spec {
  std::uint32_t fleet = 0;
  std::uint32_t index_in_fleet = 0;
  models::geo_point position;
  std::int64_t boot_us = 0;  // first wake
  float site_temperature_offset_c = 0;
};

struct world {
  std::string scenario_name;
  std::uint64_t seed = 1;
  std::int64_t epoch_utc_us = 0;  // virtual time 0 is this UTC instant
  std::int64_t duration_us = 0;
  std::int64_t window_us = 1'000'000;
  std::int64_t store_flush_us = 15 * 60 * 1'000'000LL;
  std::vector<region_spec> regions;
  std::vector<device_model_spec> device_models;
  std::vector<fleet_spec> fleets;
  std::vector<twin_spec> twins;
  env_map project_env;

  [[nodiscard]] std::string serial_of(twin_index twin) const;
  // A stable 15-digit IMEI-like device id derived from the seed and the twin.
  [[nodiscard]] std::string device_id_of(twin_index twin) const;
  [[nodiscard]] const fleet_spec& fleet_of(twin_index twin) const {
    return fleets[twins[twin].fleet];
  }
  [[nodiscard]] const device_model_spec& model_of(twin_index twin) const {
    return device_models[fleet_of(twin).device_model];
  }
};

}  // namespace twelvefold::actors
