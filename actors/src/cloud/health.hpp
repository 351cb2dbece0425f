// Health (docs/cloud-config.md): a twin silent for longer than its home fleet's `watchdog`
// raises one `health.silent` event; its next accepted session raises `health.recovered`.
//
// The management service sweeps at every sample instant (hourly by default): a sweep costs one
// comparison per twin, so detection lags the deadline by at most one sample interval. A twin
// never seen counts from its first boot; decommissioned twins are expected to be silent and
// are skipped. Per twin: one byte.
#pragma once

#include <cstdint>
#include <vector>

#include "cloud/config.hpp"
#include "twelvefold/actors/messages.hpp"
#include "twelvefold/actors/world.hpp"

namespace twelvefold::actors::cloud {

class health_monitor {
 public:
  explicit health_monitor(const world& w);

  [[nodiscard]] bool enabled() const { return enabled_; }

  // Raises health.silent for every twin whose last sign of life (`last_seen_us(twin)`, -1 when
  // never seen) is older than its home fleet's watchdog at `now_us`.
  template <class LastSeen>
  void sweep(std::int64_t now_us, const config_state& config, LastSeen&& last_seen_us,
             std::vector<cloud_event>& events) {
    if (!enabled_) return;
    for (twin_index t = 0; t < silent_.size(); ++t) {
      if (silent_[t] != 0) continue;
      const fleet_spec& fleet = w_.fleets[config.home_fleet(t)];
      if (fleet.watchdog_us <= 0 || fleet.lifecycle == fleet_lifecycle::decommissioned) continue;
      const std::int64_t seen = last_seen_us(t);
      const std::int64_t since = seen >= 0 ? seen : w_.twins[t].boot_us;
      if (now_us - since > fleet.watchdog_us) raise_silent(t, now_us, seen, fleet, events);
    }
  }

  // A session of `twin` was accepted at `at_us`.
  void on_seen(twin_index twin, std::int64_t at_us, std::vector<cloud_event>& events);

  [[nodiscard]] std::uint64_t silent_events() const { return silent_events_; }
  [[nodiscard]] std::uint64_t recovered_events() const { return recovered_events_; }
  [[nodiscard]] std::uint64_t silent_now() const { return silent_now_; }

 private:
  void raise_silent(twin_index twin, std::int64_t now_us, std::int64_t last_seen_us,
                    const fleet_spec& fleet, std::vector<cloud_event>& events);

  const world& w_;
  bool enabled_ = false;
  std::vector<std::uint8_t> silent_;  // per twin; empty when disabled
  std::uint64_t silent_events_ = 0;
  std::uint64_t recovered_events_ = 0;
  std::uint64_t silent_now_ = 0;
};

}  // namespace twelvefold::actors::cloud
