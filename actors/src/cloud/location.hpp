// The management service's location service (factor 6, docs/cloud-location-time.md): a best
// location per twin from the GNSS fixes and the cell / Wi-Fi scans its sessions carry, with its
// kind and estimated error, and the error against the twin's true position for the report.
//
// Best location: each new fix (GNSS, or the scan's multilateration) replaces the current one
// when its estimated error is no larger than the current one's plus staleness_m_per_s for every
// second of the current one's age: a fresh GNSS fix beats triangulation, an hours-old one does
// not (the asset may have moved).
//
// Per twin: 24 bytes (best_location). Thread: owned by the management service actor.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "location_histogram.hpp"
#include "twelvefold/actors/location_totals.hpp"
#include "twelvefold/actors/world.hpp"
#include "twelvefold/models/multilateration.hpp"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {

// Values match wire::v1::LocationFix::kind.
enum class location_kind : std::uint8_t {
  none = 0,
  gnss = 1,
  triangulated = 2,
  wifi = 3,
  cell = 4
};

// "none", "gnss", "triangulated", "wifi", "cell" (twins table column location_kind).
std::string_view location_kind_name(location_kind kind);

struct best_location {
  std::int64_t at_us = -1;  // virtual time of the fix; -1: none
  std::int32_t lat_e7 = 0;
  std::int32_t lon_e7 = 0;
  float error_m = 0;  // estimated
  location_kind kind = location_kind::none;
  bool to_send = false;  // changed since the device was last told (downlink)
};

struct location_params {
  double staleness_m_per_s = 0.1;
};

class location_service {
 public:
  explicit location_service(const world& w, location_params params = {});

  // The GNSS fix and scans of one accepted uplink that arrived at `arrival_us`.
  void on_uplink(twin_index twin, std::int64_t arrival_us, const wire::v1::SessionUplink& up);
  // Adds the best location to a downlink when it changed since the device was last told and
  // did not come from the device's own receiver.
  void fill_downlink(twin_index twin, wire::v1::SessionDownlink& down);

  [[nodiscard]] const best_location& best(twin_index twin) const { return best_[twin]; }
  [[nodiscard]] location_totals totals() const;

 private:
  void offer(twin_index twin, location_kind kind, const models::geo_point& where, double error_m,
             std::int64_t at_us);
  models::position_estimate solve(
      const std::unordered_map<std::uint32_t, models::ranging_site>& sites,
      const std::vector<std::pair<std::uint32_t, double>>& entries);

  const world& world_;
  location_params params_;
  std::vector<best_location> best_;  // index: twin
  struct region_db {
    std::unordered_map<std::uint32_t, models::ranging_site> cells;
    std::unordered_map<std::uint32_t, models::ranging_site> aps;
  };
  std::vector<region_db> regions_;  // the cloud's cell / AP database, per deployment region
  struct kind_stats {
    log_histogram true_error_m;
    log_histogram estimated_error_m;
    std::uint64_t within_estimate = 0;
  };
  std::array<kind_stats, 5> stats_;  // index: location_kind
  std::uint64_t unknown_sites_ = 0;
};

}  // namespace twelvefold::actors
