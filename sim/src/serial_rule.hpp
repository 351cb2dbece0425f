// Twin serials (factor 11, docs/cloud-auth.md "Identity"): a fleet's serial_prefix followed by
// the twin's 1-based number in the fleet, 7 digits (actors::world::serial_of). One rule, used
// by the world builder (to name twins) and the scenario loader (to check serials named in a
// scenario), so the two can never disagree.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

namespace twelvefold::sim {

// The prefix of a fleet without serial_prefix: its name upper-cased, every character that is
// not a letter or digit as '-', then '-' ("lora-a" -> "LORA-A-").
inline std::string default_serial_prefix(std::string_view fleet_name) {
  std::string prefix;
  prefix.reserve(fleet_name.size() + 1);
  for (char c : fleet_name) {
    prefix += std::isalnum(static_cast<unsigned char>(c))
                  ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                  : '-';
  }
  return prefix + "-";
}

// The prefix a fleet's twins get: the configured one, else the default.
inline std::string serial_prefix(std::string_view configured, std::string_view fleet_name) {
  return configured.empty() ? default_serial_prefix(fleet_name) : std::string(configured);
}

// True when `serial` is `prefix` followed by 7 digits naming a number in 1..count.
inline bool serial_in_fleet(std::string_view serial, std::string_view prefix, std::uint64_t count) {
  if (serial.size() != prefix.size() + 7 || !serial.starts_with(prefix)) return false;
  const std::string_view digits = serial.substr(prefix.size());
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  std::uint64_t n = 0;
  for (char c : digits) n = n * 10 + static_cast<std::uint64_t>(c - '0');
  return n >= 1 && n <= count;
}

}  // namespace twelvefold::sim
