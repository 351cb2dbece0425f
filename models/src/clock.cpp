#include "twelvefold/models/clock.hpp"

#include <algorithm>
#include <cmath>

namespace twelvefold::models {

double clock_drift_ppm(const clock_params& params, std::uint64_t seed, std::uint64_t twin) {
  random_stream rng(seed, twin, stream_purpose::clock);
  const double tolerance = std::max(0.0, params.tolerance_ppm);
  return std::clamp(rng.normal(0.0, tolerance / 2), -tolerance, tolerance);
}

std::int64_t local_elapsed_us(std::int64_t true_elapsed_us, double drift_ppm) {
  return true_elapsed_us + static_cast<std::int64_t>(std::llround(
                               static_cast<double>(true_elapsed_us) * drift_ppm * 1e-6));
}

double true_elapsed_us(double local_elapsed_us, double drift_ppm) {
  return local_elapsed_us / (1.0 + drift_ppm * 1e-6);
}

void drift_estimator::observe(const clock_params& params, std::int64_t utc_us,
                              std::int64_t local_us) {
  if (first_utc_us < 0) {
    first_utc_us = utc_us;
    first_local_us = local_us;
    return;
  }
  const std::int64_t baseline_us = utc_us - first_utc_us;
  // A counter that went backwards is a reboot (the RTC restarted): start a new baseline.
  if (local_us < first_local_us || baseline_us <= 0) {
    if (local_us < first_local_us) {
      first_utc_us = utc_us;
      first_local_us = local_us;
      valid = false;
      estimate_ppm = 0;
    }
    return;
  }
  // Delayed sessions arrive late for their counter reading: leave them out. The model's
  // prediction is exact up to the drift it does not know yet (the tolerance, until valid).
  const double predicted_utc_us =
      static_cast<double>(first_utc_us) +
      true_elapsed_us(static_cast<double>(local_us - first_local_us), valid ? estimate_ppm : 0.0);
  const double unknown_drift_us =
      valid ? 0.0 : params.tolerance_ppm * 1e-6 * static_cast<double>(baseline_us);
  const double excess_us = static_cast<double>(utc_us) - predicted_utc_us;
  if (excess_us > static_cast<double>(params.max_session_delay_us) + unknown_drift_us) return;
  if (!valid && -excess_us > static_cast<double>(params.max_session_delay_us) + unknown_drift_us) {
    // Far earlier than the first session predicts: that one was delayed. Start over from here.
    first_utc_us = utc_us;
    first_local_us = local_us;
    return;
  }
  if (baseline_us < params.min_baseline_us) return;
  const double ratio =
      static_cast<double>(local_us - first_local_us) / static_cast<double>(baseline_us);
  estimate_ppm = static_cast<float>((ratio - 1.0) * 1e6);
  valid = true;
}

std::int64_t reconcile_capture_utc_us(std::int64_t arrival_utc_us, double age_local_us,
                                      double drift_estimate_ppm) {
  return arrival_utc_us -
         static_cast<std::int64_t>(std::llround(true_elapsed_us(age_local_us, drift_estimate_ppm)));
}

}  // namespace twelvefold::models
