// The immutable description of a run that every actor reads: regions and their cells, device
// models, fleets and the twins themselves. Built once by the kernel from a scenario, then
// shared read-only (std::shared_ptr<const world>) across threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "twelvefold/actors/dfu_spec.hpp"
#include "twelvefold/actors/messages.hpp"
#include "twelvefold/models/battery.hpp"
#include "twelvefold/models/geo.hpp"
#include "twelvefold/models/radio.hpp"
#include "twelvefold/models/radio_model.hpp"

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
  models::battery_kind battery = models::battery_kind::li_socl2;
  double battery_mah = 19000;
  double mcu_active_ma = 8;
  double sleep_ua = 6;  // whole device asleep: MCU stop mode + modem in PSM
  // Hardware / an emulator in the loop: the endpoint its firmware attaches to (firmware_path
  // is then empty), and where the scenario says so ("FILE:LINE:COL", for run errors).
  std::string external;
  std::string external_where;
};

// Config (factor 4, docs/cloud-config.md): the lifecycle stage a fleet stands for.
enum class fleet_lifecycle : std::uint8_t { quarantine, operational, repair, decommissioned };

// Rule-based membership: a twin matches when every set filter matches (-1 / empty: any).
struct membership_rule {
  bool present = false;
  std::int32_t device_model = -1;  // index into world::device_models
  std::int32_t region = -1;        // index into world::regions
  std::int32_t home_fleet = -1;    // index into world::fleets (the twin's current home fleet)
  std::string serial_prefix;
};

struct fleet_spec {
  std::string name;
  std::string serial_prefix;
  std::uint32_t device_model = 0;  // index into world::device_models
  std::uint32_t region = 0;        // index into world::regions
  env_map env;                     // fleet scope
  // Config and health (docs/cloud-config.md).
  std::int32_t priority = 0;  // two fleets setting one variable: the higher priority wins
  fleet_lifecycle lifecycle = fleet_lifecycle::operational;
  membership_rule rule{};
  std::int64_t watchdog_us = 0;  // 0: no watchdog
  twin_index first_twin = 0;     // the fleet's own twins are first_twin .. + twin_count - 1
  std::uint32_t twin_count = 0;
};

// Device-scope environment variables of one twin (scenario `device_env`).
struct device_env_spec {
  twin_index twin = 0;
  env_map env;
};

// Per-twin facts fixed for the whole run (ground truth, not what the cloud knows).
struct twin_spec {
  std::uint32_t fleet = 0;
  std::uint32_t index_in_fleet = 0;
  models::geo_point position;
  std::int64_t boot_us = 0;  // first wake
  float site_temperature_offset_c = 0;
};

// Something that happens to the radio network (scenario timeline). Filters: -1 / empty = all.
struct network_event {
  enum class kind : std::uint8_t { sunset, outage_begin, outage_end };
  std::int64_t at_us = 0;
  kind what = kind::sunset;
  std::uint32_t id = 0;  // pairs an outage's begin and end
  std::int32_t region = -1;
  std::int32_t technology = -1;  // models::rat
  std::int32_t operator_id = -1;
  std::vector<std::uint32_t> cells;
  bool backhaul_only = false;

  // True when the event concerns `site` in `region_index`.
  [[nodiscard]] bool matches(std::size_t region_index, const models::cell_site& site) const;
};

// Something that happens on the cloud side or to devices at a point in the run (env change,
// fleet move, DFU campaign, route re-point, hardware replacement, key compromise, ...): the
// scenario's TimelineEvent, encoded (scenario::v1::TimelineEvent), handed to the management
// service at the start of the window it falls in. Sunsets and outages are network_events.
struct cloud_timeline_event {
  std::int64_t at_us = 0;
  std::uint32_t index = 0;  // position in the scenario's timeline (stable order, error messages)
  std::string encoded;
};

struct world {
  std::string scenario_name;
  std::uint64_t seed = 1;
  std::int64_t epoch_utc_us = 0;  // virtual time 0 is this UTC instant
  std::int64_t duration_us = 0;
  std::int64_t window_us = 1'000'000;
  std::int64_t store_flush_us = 15 * 60 * 1'000'000LL;
  bool store_sessions = true;           // table sessions: one row per session seen by the cloud
  std::int64_t store_retention_us = 0;  // events and sessions older than this go; 0 = keep all
  std::vector<region_spec> regions;
  std::vector<device_model_spec> device_models;
  std::vector<fleet_spec> fleets;
  std::vector<twin_spec> twins;
  env_map project_env;
  std::vector<std::string> operators;  // index: cell_site::operator_id
  std::optional<models::constellation_spec> constellation;
  std::vector<network_event> timeline;                   // sorted by (at_us, id)
  std::vector<cloud_timeline_event> cloud_timeline;      // sorted by (at_us, index)
  std::int64_t sample_interval_us = 3600LL * 1'000'000;  // network time-series cadence
  // Firmware updates (factor 8, dfu_spec.hpp): images, libraries beyond the device models'
  // and campaigns (index = campaign id - 1, in timeline order).
  std::vector<firmware_image_spec> firmware_images;
  std::vector<std::filesystem::path> extra_firmware_paths;
  std::vector<dfu_campaign_spec> dfu_campaigns;
  std::vector<device_env_spec> device_env;  // sorted by twin (config)
  // Note routes and web routes (docs/cloud-routes.md): an encoded scenario::v1::Scenario
  // holding only its `routes` and `web_routes`; "" when it has none.
  std::string routes_spec;

  [[nodiscard]] std::string serial_of(twin_index twin) const;
  // The twin with that serial, if any (config: device-scope env, fleet moves by serial).
  [[nodiscard]] std::optional<twin_index> twin_of_serial(std::string_view serial) const;
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
