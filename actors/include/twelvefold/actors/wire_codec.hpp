// Encoding and decoding of the device<->cloud wire messages (proto/twelvefold/wire/v1).
// Device side: builds a SessionUplink from module notes, reads a SessionDownlink into the
// module's sync_downlink. Cloud side decoding lives with the services.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "twelvefold/shim/module.hpp"

namespace twelvefold::actors {

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
  std::uint64_t down_acked_seq = 0;  // highest down-item seq applied (routes, factor 3)
};

// Encoded wire::v1::SessionUplink; note ages are measured against `now_us`. Templated Notes
// travel as their fixed-length binary records (the template goes up once, with the session
// that first needs it), so the bytes on the air are what a real module would send.
std::string encode_uplink(const uplink_fields& fields, const shim::sync_uplink& session,
                          std::int64_t now_us);

// False when `bytes` is not a valid SessionDownlink (the session then counts as failed).
// `down_seq`, when given, receives the highest down-item seq carried (0: none), for the
// device to acknowledge in its next uplink.
bool decode_downlink(const std::string& bytes, shim::sync_downlink& out, std::uint64_t& env_version,
                     std::uint64_t* down_seq = nullptr);

}  // namespace twelvefold::actors
