// Encoding and decoding of the device<->cloud wire messages (proto/twelvefold/wire/v1).
// Device side: builds a SessionUplink from module notes, reads a SessionDownlink into the
// module's sync_downlink. Cloud side decoding lives with the services.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
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
  // Logs (factor 10, docs/cloud-config.md): lines this session carries, oldest first.
  struct log_line {
    std::uint8_t level = 0;
    std::int64_t at_us = 0;
    std::string_view text;  // valid until encode_uplink returns
  };
  std::vector<log_line> logs;
  std::uint32_t logs_dropped = 0;
};

// Encoded wire::v1::SessionUplink; note ages are measured against `now_us`. Templated Notes
// travel as their fixed-length binary records (the template goes up once, with the session
// that first needs it), so the bytes on the air are what a real module would send.
std::string encode_uplink(const uplink_fields& fields, const shim::sync_uplink& session,
                          std::int64_t now_us);

// False when `bytes` is not a valid SessionDownlink (the session then counts as failed).
bool decode_downlink(const std::string& bytes, shim::sync_downlink& out,
                     std::uint64_t& env_version);

}  // namespace twelvefold::actors
