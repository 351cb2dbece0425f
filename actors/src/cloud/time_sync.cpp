#include "time_sync.hpp"

#include <algorithm>
#include <cmath>

namespace twelvefold::actors {

time_sync::time_sync(const world& w, models::clock_params params)
    : world_(w), params_(params), twins_(w.twins.size()) {}

void time_sync::on_uplink(twin_index twin, std::int64_t arrival_us,
                          const wire::v1::SessionUplink& up,
                          const std::vector<std::int64_t>& capture_us) {
  if (twin >= twins_.size()) return;
  twin_clock& c = twins_[twin];
  const std::int64_t arrival_utc_us = world_.epoch_utc_us + arrival_us;
  c.drift.observe(params_, arrival_utc_us, static_cast<std::int64_t>(up.local_ms()) * 1000);
  const double drift_ppm = c.drift.valid ? c.drift.estimate_ppm : 0.0;
  // When did this session start, in UTC? The device's counter at session start, placed by the
  // anchor: the session that reached the cloud earliest relative to the counter (the least
  // delayed one, as NTP's minimum-delay filter). The arrival time alone would add this session's
  // own latency (attach, random-access back-off after an outage: up to tens of seconds).
  const std::int64_t local_us = static_cast<std::int64_t>(up.local_ms()) * 1000;
  const auto counter_to_utc = [&](std::int64_t local) {
    return c.anchor_utc_us + static_cast<std::int64_t>(std::llround(models::true_elapsed_us(
                                 static_cast<double>(local - c.anchor_local_us), drift_ppm)));
  };
  if (c.anchor_utc_us < 0 || local_us < c.anchor_local_us ||
      arrival_utc_us < counter_to_utc(local_us)) {
    c.anchor_utc_us = arrival_utc_us;
    c.anchor_local_us = local_us;
  }
  const std::int64_t session_start_utc_us = counter_to_utc(local_us);
  for (int i = 0; i < up.notes_size(); ++i) {
    const auto& note = up.notes(i);
    if (note.seq() <= c.last_seq) continue;  // already reconciled (a resend)
    c.last_seq = static_cast<std::uint32_t>(note.seq());
    const double age_local_us = (static_cast<double>(note.age_s()) + 0.5) * 1e6;
    const std::int64_t capture_utc_us =
        models::reconcile_capture_utc_us(session_start_utc_us, age_local_us, drift_ppm);
    ++notes_reconciled_;
    if (static_cast<std::size_t>(i) < capture_us.size()) {
      const std::int64_t truth_utc_us =
          world_.epoch_utc_us + capture_us[static_cast<std::size_t>(i)];
      residual_ms_.add(std::abs(static_cast<double>(capture_utc_us - truth_utc_us)) / 1e3);
    }
  }
}

time_totals time_sync::totals() const {
  time_totals t;
  t.notes_reconciled = notes_reconciled_;
  t.residual_error_p50_ms = residual_ms_.quantile(0.50);
  t.residual_error_p90_ms = residual_ms_.quantile(0.90);
  t.residual_error_p99_ms = residual_ms_.quantile(0.99);
  t.residual_error_max_ms = residual_ms_.max();
  log_histogram drift_abs;
  log_histogram estimate_error;
  t.drift_min_ppm = 0;
  t.drift_max_ppm = 0;
  for (twin_index twin = 0; twin < twins_.size(); ++twin) {
    const double drift = models::clock_drift_ppm(params_, world_.seed, twin);
    drift_abs.add(std::abs(drift));
    t.drift_min_ppm = twin == 0 ? drift : std::min(t.drift_min_ppm, drift);
    t.drift_max_ppm = twin == 0 ? drift : std::max(t.drift_max_ppm, drift);
    const models::drift_estimator& e = twins_[twin].drift;
    if (e.first_utc_us < 0) ++t.twins_never_synced;
    if (e.valid) {
      ++t.twins_drift_estimated;
      estimate_error.add(std::abs(e.estimate_ppm - drift));
    }
  }
  t.drift_abs_p50_ppm = drift_abs.quantile(0.50);
  t.drift_abs_p90_ppm = drift_abs.quantile(0.90);
  t.drift_estimate_error_p50_ppm = estimate_error.quantile(0.50);
  t.drift_estimate_error_p90_ppm = estimate_error.quantile(0.90);
  return t;
}

}  // namespace twelvefold::actors
