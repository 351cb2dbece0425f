// Encoding and decoding of the device<->cloud wire messages (proto/twelvefold/wire/v1).
// Device side: builds a SessionUplink from module notes, reads a SessionDownlink into the
// module's sync_downlink. Cloud side decoding lives with the services.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "twelvefold/shim/module.hpp"

namespace twelvefold::actors {

// Location and time fields of an uplink (factors 6 and 7, docs/cloud-location-time.md).
struct uplink_gnss_fix {
  std::int32_t lat_e7 = 0;
  std::int32_t lon_e7 = 0;
  float accuracy_m = 0;
  std::uint32_t age_s = 0;  // device counter seconds since the fix
};
struct uplink_measurement {
  std::uint32_t id = 0;  // cell id or Wi-Fi site id
  std::int32_t rx_dbm = 0;
};

struct uplink_fields {
  std::string serial;
  std::string device_id;
  std::string product;
  std::uint64_t session_seq = 0;
  std::uint64_t env_version = 0;
  std::string firmware;
  std::string rat;
  float rsrp_dbm = 0;
  std::uint32_t cell_id = 0;
  float battery_v = 0;
  float battery_mah_used = 0;
  std::optional<uplink_gnss_fix> gnss;
  std::vector<uplink_measurement> cells;
  std::vector<uplink_measurement> aps;
  std::uint64_t local_ms = 0;  // the device's drifting counter at session start
  // The device's crystal drift: Note ages are counted by its drifting clock (never on the wire).
  double clock_drift_ppm = 0;
  // Firmware updates (factor 8): the installed asset, resets so far, and the DFU report
  // (sent when dfu_campaign != 0; docs/cloud-dfu.md).
  std::string asset;
  std::uint32_t resets = 0;
  std::uint32_t dfu_campaign = 0;
  std::uint64_t dfu_received_bytes = 0;
  std::uint32_t dfu_state = 0;
  // Logs (factor 10, docs/cloud-config.md): lines this session carries, oldest first.
  struct log_line {
    std::uint8_t level = 0;
    std::int64_t at_us = 0;
    std::string_view text;  // valid until encode_uplink returns
  };
  std::vector<log_line> logs;
  std::uint32_t logs_dropped = 0;
  std::uint64_t down_acked_seq = 0;  // highest down-item seq applied (routes, factor 3)
};

// The DFU part of a SessionDownlink (wire DfuOffer), when present.
struct downlink_dfu {
  bool present = false;
  std::uint32_t campaign = 0;
  std::uint32_t image = 0;
  std::string version;
  std::uint64_t size_bytes = 0;
  std::uint64_t offset = 0;
  std::uint32_t chunk_bytes = 0;
  bool revert = false;
  bool cancel = false;
};

// Encoded wire::v1::SessionUplink; note ages are measured against `now_us`. Templated Notes
// travel as their fixed-length binary records (the template goes up once, with the session
// that first needs it), so the bytes on the air are what a real module would send.
std::string encode_uplink(const uplink_fields& fields, const shim::sync_uplink& session,
                          std::int64_t now_us);

// False when `bytes` is not a valid SessionDownlink (the session then counts as failed).
// `dfu`, when given, receives the DFU offer (present = false when there is none); `down_seq`,
// when given, the highest down-item seq carried (0: none), for the device to acknowledge in its
// next uplink.
bool decode_downlink(const std::string& bytes, shim::sync_downlink& out, std::uint64_t& env_version,
                     downlink_dfu* dfu = nullptr, std::uint64_t* down_seq = nullptr);

}  // namespace twelvefold::actors
