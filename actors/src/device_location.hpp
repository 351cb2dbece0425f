// What a twin measures about where and when it is (factors 6 and 7, docs/cloud-location-time.md):
// its GNSS fixes, its cell and Wi-Fi scans and its drifting clock. Used by the device shard.
//
// Choice: scans are computed on the device shard, not the network actor. A real modem reports
// the serving and neighbour cells with their RSRP (card.triangulate); here the scan is the
// twin's true position through the same closed-form path-loss model the cloud inverts
// (multilateration.hpp), plus shadowing static per twin and site and per-scan measurement
// noise. That keeps the network actor's cost per session unchanged and needs no ns-3 call
// (thread-safe, deterministic by construction). The serving cell the network chose is reported
// separately in DeviceStatus.
#pragma once

#include <cstdint>
#include <vector>

#include "twelvefold/actors/wire_codec.hpp"
#include "twelvefold/actors/world.hpp"
#include "twelvefold/models/clock.hpp"
#include "twelvefold/models/gnss.hpp"
#include "twelvefold/models/multilateration.hpp"

namespace twelvefold::actors {

// Per twin (36 bytes): the receiver's last fix and the crystal's drift.
struct twin_location_state {
  std::int64_t fix_us = -1;      // virtual time of the last fix; -1 never
  std::int64_t attempt_us = -1;  // virtual time of the last attempt (one per activation)
  std::int32_t lat_e7 = 0;
  std::int32_t lon_e7 = 0;
  float accuracy_m = 0;
  float drift_ppm = 0;       // the twin's crystal (clock.hpp)
  bool fix_ok = false;       // the last attempt got a fix
  bool fix_pending = false;  // a fix the cloud has not been sent yet
};

class device_location {
 public:
  explicit device_location(const world& w);

  [[nodiscard]] twin_location_state initial_state(twin_index twin) const;

  // gnss_ok / gnss_lat / gnss_lon for the firmware. A powered receiver (card.location.mode not
  // off) attempts one fix per activation; its charge is returned through `charge_mah` (0 when
  // no attempt was made). False: not a GNSS sensor.
  bool read_gnss(twin_index twin, std::string_view name, bool powered, std::int64_t now_us,
                 twin_location_state& state, double& value, double& charge_mah) const;

  // Fills the scan, the pending GNSS fix and the clock fields of an uplink.
  void fill_uplink(twin_index twin, const twin_location_state& state, bool scan,
                   std::uint64_t scan_index, std::int64_t now_us, uplink_fields& fields) const;

 private:
  const world& world_;
  models::gnss_params gnss_;
  models::scan_params scan_;
  struct region_sites {
    std::vector<models::ranging_site> cells;  // LTE-M, NB-IoT, 2G, 3G
    std::vector<std::uint8_t> cell_rat;       // models::rat of each entry of cells
    std::vector<models::ranging_site> aps;    // Wi-Fi access points
  };
  std::vector<region_sites> regions_;
};

}  // namespace twelvefold::actors
