// Private to models/: small arithmetic shared by the session models of every RAT.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "twelvefold/models/radio_model.hpp"

namespace twelvefold::models::detail {

inline constexpr double seconds_per_hour = 3600.0;

inline std::int64_t seconds_to_us(double s) {
  return static_cast<std::int64_t>(std::llround(s * 1e6));
}

// Expected transmissions of one block with first-attempt error `bler` and up to `attempts`
// attempts (truncated geometric series).
inline double expected_transmissions(double bler, int attempts) {
  if (bler >= 1.0) return attempts;
  return (1.0 - std::pow(bler, attempts)) / (1.0 - bler);
}

// Achievable rate at `sinr_db` over `bandwidth_hz`: a fixed fraction of Shannon capacity, capped
// at the category's peak (the peak, not SINR, limits a good IoT link).
inline double shannon_rate_bps(double bandwidth_hz, double sinr_db, double implementation_factor,
                               double peak_bps) {
  const double shannon_bps = bandwidth_hz * std::log2(1.0 + std::pow(10.0, sinr_db / 10.0));
  return std::min(peak_bps, implementation_factor * shannon_bps);
}

// Charge drawn asleep at the profile's floor current for `duration_us`.
inline double sleep_charge(const power_profile& power, std::int64_t duration_us) {
  if (duration_us <= 0) return 0;
  const double hours = static_cast<double>(duration_us) / 3.6e9;
  return power.sleep_ua * hours / 1000.0;
}

}  // namespace twelvefold::models::detail
