// Firmware updates (factor 8): the images a run can deliver, its DFU campaigns as the scenario
// describes them, and the figures a run reports about them (docs/cloud-dfu.md).
//
// Image ids on the wire and per twin: 0 is the twin's device-model image, i + 1 is
// world::firmware_images[i]. Campaign ids: i + 1 is world::dfu_campaigns[i], 0 none.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace twelvefold::actors {

struct firmware_image_spec {
  static constexpr std::uint32_t no_library = std::numeric_limits<std::uint32_t>::max();
  std::string name;            // catalogue name
  std::filesystem::path path;  // empty for an asset
  std::string version;
  std::uint64_t size_bytes = 0;
  // Index into the run's firmware libraries: device models' first (index = device model), then
  // world::extra_firmware_paths. no_library for an asset.
  std::uint32_t library = no_library;
};

enum class dfu_kind : std::uint8_t { host, asset };
enum class dfu_metric : std::uint8_t { apply_failures, reboots, silent };

struct dfu_stage_spec {
  double percent = 100;       // of the fleet, (0, 100]
  std::int64_t after_us = 0;  // from the campaign's start
};

struct dfu_campaign_spec {
  std::string name;
  std::uint32_t fleet = 0;
  std::uint32_t image = 0;             // index into world::firmware_images
  std::int64_t start_us = 0;           // the timeline event's time
  std::vector<dfu_stage_spec> stages;  // after_us and percent strictly increasing
  double apply_failure_rate = 0;
  bool has_gate = false;
  double gate_max_failure_rate = 1;
  std::int64_t gate_window_us = 0;
  dfu_metric gate_metric = dfu_metric::apply_failures;
  std::uint32_t gate_min_samples = 5;
  bool rollback = false;
  dfu_kind kind = dfu_kind::host;
  bool diagnostic = false;
  std::int64_t revert_after_us = 0;
  bool outboard = false;
  bool allow_packet_limited = false;
};

// What the radio spent carrying one campaign's chunks (the network actor's share).
struct dfu_cost {
  std::uint64_t bytes_down = 0;  // chunk bytes delivered (transport overhead not included)
  double airtime_s = 0;          // extra radio time the chunks took
  double radio_charge_mah = 0;   // extra battery charge the chunks took
};

struct dfu_campaign_report {
  std::string name;
  std::string fleet;
  std::string image;                 // catalogue name
  std::uint64_t twins_targeted = 0;  // selected by the stages reached
  std::uint64_t skipped_packet_limited = 0;
  std::uint64_t offered = 0;
  std::uint64_t downloaded = 0;
  std::uint64_t applied = 0;
  std::uint64_t failed = 0;
  std::uint64_t rolled_back = 0;
  std::uint64_t reverted = 0;   // diagnostic images reverted
  std::uint64_t cancelled = 0;  // downloads abandoned when the campaign halted
  double halted_at_s = -1;      // -1: never halted
  double started_at_s = -1;     // -1: never started (its time is after the run)
  dfu_cost cost;
};

// Twins by reported firmware ("name@version", and asset "name@version") at one instant.
struct firmware_version_point {
  double at_s = 0;
  std::map<std::string, std::uint64_t> versions;
};

struct dfu_totals {
  std::vector<dfu_campaign_report> campaigns;  // index: campaign id - 1
  std::vector<firmware_version_point> versions;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dfu_cost& x) {
  return f(caf::meta::type_name("dfu_cost"), x.bytes_down, x.airtime_s, x.radio_charge_mah);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dfu_campaign_report& x) {
  return f(caf::meta::type_name("dfu_campaign_report"), x.name, x.fleet, x.image, x.twins_targeted,
           x.skipped_packet_limited, x.offered, x.downloaded, x.applied, x.failed, x.rolled_back,
           x.reverted, x.cancelled, x.halted_at_s, x.started_at_s, x.cost);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, firmware_version_point& x) {
  return f(caf::meta::type_name("firmware_version_point"), x.at_s, x.versions);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dfu_totals& x) {
  return f(caf::meta::type_name("dfu_totals"), x.campaigns, x.versions);
}

}  // namespace twelvefold::actors
