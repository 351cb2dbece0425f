// The MCU's real-time clock: a 32.768 kHz tuning-fork crystal that runs fast or slow by a few
// ppm, and the cloud's view of it. Pure functions (factor 7, docs/cloud-location-time.md).
//
// A twin boots without UTC. Its local clock counts true elapsed time x (1 + drift): a twin with
// +20 ppm gains 1.73 s a day. The device stamps offline records with this counter (an age
// measured in local seconds at the session that carries them); the cloud converts the age back
// to UTC with its estimate of the drift, learned from the device's counter at successive
// sessions.
#pragma once

#include <cstdint>

#include "twelvefold/models/random.hpp"

namespace twelvefold::models {

struct clock_params {
  // Frequency tolerance of a 32.768 kHz watch crystal at 25 degC (typical datasheet value:
  // +/-20 ppm, e.g. Epson FC-135, Abracon ABS07). Drifts are drawn normal with sigma =
  // tolerance / 2 and clipped to +/-tolerance, so ~95% of parts are within the spec unclipped.
  double tolerance_ppm = 20;
  // The cloud trusts a drift estimate only once the device's counter has been seen over this
  // baseline: session latency jitter of ~1 s over 12 h is ~23 ppm, over a day ~12 ppm.
  std::int64_t min_baseline_us = 12LL * 3600 * 1'000'000;
  // A session whose arrival is later than the clock model predicts by more than this (plus the
  // drift the model may not know yet) was delayed (random-access back-off, retransmissions):
  // its arrival says nothing about the clock and is not used. Prompt LTE-M sessions reach the
  // cloud within ~1-2 s of their start.
  std::int64_t max_session_delay_us = 2'000'000;
};

// The drift of one twin's crystal, ppm (positive: the clock runs fast). Deterministic per
// (seed, twin): the device and the measurement both derive it, the cloud never sees it.
double clock_drift_ppm(const clock_params& params, std::uint64_t seed, std::uint64_t twin);

// Local clock ticks (us) elapsed while `true_elapsed_us` of true time passed.
std::int64_t local_elapsed_us(std::int64_t true_elapsed_us, double drift_ppm);
// The inverse: true time elapsed while the local clock counted `local_elapsed_us`.
double true_elapsed_us(double local_elapsed_us, double drift_ppm);

// The cloud's estimate of a device's drift from pairs (cloud UTC at arrival, device counter) of
// its sessions: the slope between the first pair and the latest prompt one, once the baseline
// is long enough. Arrivals include the session's latency, so delayed sessions (see
// clock_params::max_session_delay_us) are left out. 24 bytes; one per twin.
struct drift_estimator {
  std::int64_t first_utc_us = -1;  // -1: no session seen yet
  std::int64_t first_local_us = 0;
  float estimate_ppm = 0;
  bool valid = false;  // estimate_ppm is usable (baseline >= min_baseline_us)

  void observe(const clock_params& params, std::int64_t utc_us, std::int64_t local_us);
};

// The UTC at which a record was captured, from the arrival time of the session that carried it
// and the record's age in local clock time, corrected by the drift estimate (0 if none).
std::int64_t reconcile_capture_utc_us(std::int64_t arrival_utc_us, double age_local_us,
                                      double drift_estimate_ppm);

}  // namespace twelvefold::models
