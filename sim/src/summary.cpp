#include "twelvefold/sim/summary.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

namespace twelvefold::sim {

std::string summary_json(const run_summary& s) {
  nlohmann::ordered_json j;
  j["scenario"] = s.scenario;
  j["seed"] = s.seed;
  j["twins"] = s.twins;
  j["threads"] = s.threads;
  j["sim_seconds"] = s.sim_seconds;
  j["wall_seconds"] = s.wall_seconds;
  j["stopped_early"] = s.stopped_early;
  j["windows"] = s.windows;
  j["activations"] = s.activations;
  j["activations_per_wall_second"] = s.wall_seconds > 0 ? s.activations / s.wall_seconds : 0.0;
  j["notes_added"] = s.notes_added;
  j["notes_delivered"] = s.notes_delivered;
  j["notes_in_flight"] = s.notes_in_flight;
  j["notes_lost"] = s.notes_lost;
  j["duplicates_discarded"] = s.duplicates_discarded;
  j["bytes_uplink"] = s.bytes_uplink;
  j["bytes_downlink"] = s.bytes_downlink;
  j["sessions"] = s.sessions;
  j["session_failures"] = s.session_failures;
  j["sessions_refused"] = s.sessions_refused;
  j["env_updates_sent"] = s.env_updates_sent;
  j["requests"] = s.requests;
  // Expected errors (web.* polls answered {web-pending}, card.location before a fix) are part
  // of the total: by_tag tells them from real misuse.
  nlohmann::ordered_json error_tags = nlohmann::ordered_json::object();
  for (const auto& [tag, n] : s.request_errors_by_tag) error_tags[tag] = n;
  j["request_errors"] = {{"total", s.request_errors}, {"by_tag", error_tags}};
  j["module_wakes"] = s.module_wakes;
  j["missing_sleep_requests"] = s.missing_sleep_requests;
  nlohmann::ordered_json resets = nlohmann::ordered_json::object();
  for (const auto& [reason, n] : s.firmware_resets) resets[reason] = n;
  j["firmware_resets"] = resets;
  j["battery_mah_used_mean"] = s.battery_mah_used_mean;
  j["battery_mah_used_max"] = s.battery_mah_used_max;
  if (s.realtime_speed > 0) {
    j["realtime_speed"] = s.realtime_speed;
    j["realtime_lag_max_seconds"] = s.realtime_lag_max_seconds;
    j["realtime_lag_mean_seconds"] = s.realtime_lag_mean_seconds;
  }
  if (!s.external.empty() && s.external.at("twins") > 0) {
    nlohmann::ordered_json external = nlohmann::ordered_json::object();
    for (const auto& [name, n] : s.external) external[name] = n;
    j["external"] = external;
  }
  j["penalty_blocked"] = s.penalty_blocked;
  j["backhaul_failures"] = s.backhaul_failures;
  j["timeline_events"] = s.timeline_events;
  nlohmann::ordered_json rats = nlohmann::ordered_json::object();
  for (const auto& [name, r] : s.per_rat) {
    rats[name] = {{"twins", r.twins},
                  {"twins_in_coverage", r.twins_in_coverage},
                  {"sessions", r.sessions},
                  {"session_failures", r.session_failures},
                  {"no_coverage_failures", r.no_coverage_failures},
                  {"twins_capable", r.twins_capable},
                  {"fallbacks_into", r.fallbacks_into},
                  {"returns_into", r.returns_into},
                  {"access_collisions", r.access_collisions},
                  {"duty_cycle_blocked", r.duty_cycle_blocked},
                  {"dark_twins", r.dark_twins},
                  {"radio_charge_mah", r.radio_charge_mah},
                  {"bytes_uplink", r.bytes_uplink},
                  {"bytes_downlink", r.bytes_downlink}};
  }
  j["per_rat"] = rats;
  nlohmann::ordered_json fleets = nlohmann::ordered_json::object();
  for (const auto& [name, f] : s.per_fleet) {
    fleets[name] = {{"twins", f.twins},
                    {"battery_mah_used_mean", f.battery_mah_used_mean},
                    {"battery_life_years_min", f.battery_life_years_min},
                    {"battery_life_years_p10", f.battery_life_years_p10},
                    {"battery_life_years_median", f.battery_life_years_median}};
  }
  j["per_fleet"] = fleets;
  nlohmann::ordered_json timeline = nlohmann::ordered_json::array();
  for (const auto& p : s.network_timeline) {
    nlohmann::ordered_json connected = nlohmann::ordered_json::object();
    for (const auto& [rat, n] : p.connected) connected[rat] = n;
    timeline.push_back({{"at_s", p.at_s},
                        {"connected", connected},
                        {"on_fallback", p.on_fallback},
                        {"failing", p.failing},
                        {"dark", p.dark},
                        {"never", p.never},
                        {"sites_up", p.sites_up}});
  }
  j["network_timeline"] = timeline;
  return j.dump(2) + "\n";
}

std::expected<void, std::string> write_summary(const std::filesystem::path& dir,
                                               const run_summary& summary) {
  const auto path = dir / "summary.json";
  const auto temp = dir / "summary.json.tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << summary_json(summary);
    if (!out) return std::unexpected(temp.string() + ": cannot write");
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return std::unexpected(path.string() + ": " + ec.message());
  return {};
}

}  // namespace twelvefold::sim
