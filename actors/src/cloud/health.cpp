// Health (see health.hpp).
#include "cloud/health.hpp"

#include <string>

namespace twelvefold::actors::cloud {

health_monitor::health_monitor(const world& w) : w_(w) {
  for (const fleet_spec& f : w.fleets) enabled_ = enabled_ || f.watchdog_us > 0;
  if (enabled_) silent_.assign(w.twins.size(), 0);
}

void health_monitor::raise_silent(twin_index twin, std::int64_t now_us, std::int64_t last_seen_us,
                                  const fleet_spec& fleet, std::vector<cloud_event>& events) {
  silent_[twin] = 1;
  ++silent_events_;
  ++silent_now_;
  std::string body = "{\"fleet\":\"" + fleet.name +
                     "\",\"watchdog_s\":" + std::to_string(fleet.watchdog_us / 1'000'000) +
                     ",\"last_seen_us\":" + std::to_string(last_seen_us) + "}";
  events.push_back({twin, now_us, "health.silent", "", std::move(body), ""});
}

void health_monitor::on_seen(twin_index twin, std::int64_t at_us,
                             std::vector<cloud_event>& events) {
  if (!enabled_ || silent_[twin] == 0) return;
  silent_[twin] = 0;
  ++recovered_events_;
  --silent_now_;
  events.push_back({twin, at_us, "health.recovered", "", "{}", ""});
}

}  // namespace twelvefold::actors::cloud
