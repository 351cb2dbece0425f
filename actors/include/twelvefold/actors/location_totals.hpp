// What the cloud reports about location (factor 6) and time (factor 7) at the end of a run:
// summary.json "location" and "time" (docs/outputs.md, docs/cloud-location-time.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace twelvefold::actors {

// Fixes of one kind ("gnss", "triangulated", "wifi", "cell") the cloud computed or received.
struct location_kind_totals {
  std::string kind;
  std::uint64_t count = 0;
  double error_p50_m = 0;  // true error: distance from the twin's true position
  double error_p90_m = 0;
  double error_p99_m = 0;
  double estimated_error_p50_m = 0;  // what the cloud believed its error to be
  double within_estimate = 0;        // share of fixes whose true error <= estimated error
};

struct location_totals {
  std::vector<location_kind_totals> by_kind;
  std::uint64_t twins_located = 0;  // with a best location at the end of the run
  std::uint64_t twins_unlocated = 0;
  double best_error_p50_m = 0;  // true error of the best locations at the end of the run
  double best_error_p90_m = 0;
  std::uint64_t unknown_sites = 0;  // scan entries naming no known cell / access point
};

struct time_totals {
  std::uint64_t notes_reconciled = 0;
  double residual_error_p50_ms = 0;  // |reconciled capture time - true capture time|
  double residual_error_p90_ms = 0;
  double residual_error_p99_ms = 0;
  double residual_error_max_ms = 0;
  std::uint64_t twins_never_synced = 0;  // never got the time from the cloud
  double drift_abs_p50_ppm = 0;          // the twins' true crystal drifts
  double drift_abs_p90_ppm = 0;
  double drift_min_ppm = 0;
  double drift_max_ppm = 0;
  std::uint64_t twins_drift_estimated = 0;  // the cloud holds a drift estimate
  double drift_estimate_error_p50_ppm = 0;  // |estimate - true drift|
  double drift_estimate_error_p90_ppm = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, location_kind_totals& x) {
  return f(caf::meta::type_name("location_kind_totals"), x.kind, x.count, x.error_p50_m,
           x.error_p90_m, x.error_p99_m, x.estimated_error_p50_m, x.within_estimate);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, location_totals& x) {
  return f(caf::meta::type_name("location_totals"), x.by_kind, x.twins_located, x.twins_unlocated,
           x.best_error_p50_m, x.best_error_p90_m, x.unknown_sites);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, time_totals& x) {
  return f(caf::meta::type_name("time_totals"), x.notes_reconciled, x.residual_error_p50_ms,
           x.residual_error_p90_ms, x.residual_error_p99_ms, x.residual_error_max_ms,
           x.twins_never_synced, x.drift_abs_p50_ppm, x.drift_abs_p90_ppm, x.drift_min_ppm,
           x.drift_max_ppm, x.twins_drift_estimated, x.drift_estimate_error_p50_ppm,
           x.drift_estimate_error_p90_ppm);
}

}  // namespace twelvefold::actors
