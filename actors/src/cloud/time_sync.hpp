// The management service's time reconciliation (factor 7, docs/cloud-location-time.md).
//
// A twin boots without UTC; its Notes carry their age in the device's own counter seconds
// (Note.age_s, counted by a crystal that drifts a few ppm), and each session the device's
// counter at session start (SessionUplink.local_ms). At arrival the cloud places every new
// Note in time:
//   session_start_utc = anchor_utc + (local - anchor_local) / (1 + drift_estimate)
//   capture_utc = session_start_utc - (age_s + 0.5 s) / (1 + drift_estimate)
// (+0.5 s: the age is truncated to whole seconds, its expected value is half a second more),
// where the anchor is the twin's least delayed session (arrival earliest relative to the
// counter) and the drift is estimated from the counter across sessions (clock.hpp). The
// residual |capture_utc - true capture time| is the reported figure; the true capture time
// comes out of band with the delivered uplink (never on the wire, measurement only).
//
// Per twin: 48 bytes (drift estimator, anchor, and the highest Note seq reconciled, so a Note
// resent after a lost acknowledgement is counted once). Thread: owned by the management service.
#pragma once

#include <cstdint>
#include <vector>

#include "location_histogram.hpp"
#include "twelvefold/actors/location_totals.hpp"
#include "twelvefold/actors/world.hpp"
#include "twelvefold/models/clock.hpp"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {

class time_sync {
 public:
  explicit time_sync(const world& w, models::clock_params params = {});

  // `capture_us`: the true virtual capture time of each Note of `up`, in order (may be shorter
  // than the Notes, e.g. from an external device: those Notes are reconciled, not measured).
  void on_uplink(twin_index twin, std::int64_t arrival_us, const wire::v1::SessionUplink& up,
                 const std::vector<std::int64_t>& capture_us);

  [[nodiscard]] const models::drift_estimator& estimator(twin_index twin) const {
    return twins_[twin].drift;
  }
  [[nodiscard]] time_totals totals() const;

 private:
  struct twin_clock {
    models::drift_estimator drift;
    std::int64_t anchor_utc_us = -1;   // arrival of the least delayed session so far
    std::int64_t anchor_local_us = 0;  // the device counter at that session's start
    std::uint32_t last_seq = 0;
  };
  const world& world_;
  models::clock_params params_;
  std::vector<twin_clock> twins_;  // index: twin
  std::uint64_t notes_reconciled_ = 0;
  log_histogram residual_ms_;
};

}  // namespace twelvefold::actors
