#include "twelvefold/sim/summary.hpp"

#include "atomic_file.hpp"
#include "summary_groups.hpp"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

namespace twelvefold::sim {

nlohmann::ordered_json summary_document(const run_summary& s) {
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
  j["delivered_ratio"] = delivered_ratio(s.notes_added, s.notes_delivered);
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
    add_group_json(fleets[name], f.group);
  }
  j["per_fleet"] = fleets;
  j["per_region"] = per_region_json(s);
  j["reconnect"] = reconnect_json(s);
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
                        {"sites_up", p.sites_up},
                        {"attach_attempts", p.attach_attempts},
                        {"access_collisions", p.access_collisions},
                        {"reconnects", p.reconnects}});
  }
  j["network_timeline"] = timeline;
  // Factor 9 / 11 (docs/cloud-auth.md). Deterministic counts only: crypto timings are measured
  // by actors_bench, not here.
  const actors::auth_totals& a = s.auth;
  j["auth"] = {{"sessions_verified", a.sessions_verified},
               {"handshakes", a.handshakes},
               {"resumed", a.resumed},
               {"rejected",
                {{"spoofed", a.rejected_spoofed},
                 {"cloned", a.rejected_cloned},
                 {"replayed", a.rejected_replayed},
                 {"bad_signature", a.rejected_bad_signature},
                 {"malformed", a.rejected_malformed},
                 {"expired_ticket", a.rejected_expired_ticket}}},
               {"attack_sessions", a.attack_sessions},
               {"attack_sessions_accepted", a.attack_sessions_accepted},
               {"downlinks_rejected_by_devices", s.auth_downlinks_rejected},
               {"cert_rotations", a.cert_rotations},
               {"current_cert", a.current_cert},
               {"devices_on_new_cert", a.devices_on_new_cert},
               {"followed_after_overlap", a.followed_after_overlap},
               {"hardware_replacements", a.hardware_replacements},
               {"compact_joins", a.compact_joins},
               {"compact_sessions", a.compact_sessions},
               {"cert_exempt_twins", a.cert_exempt_twins}};
  // Firmware updates (factor 8, docs/cloud-dfu.md).
  nlohmann::ordered_json campaigns = nlohmann::ordered_json::array();
  for (const auto& c : s.dfu.campaigns) {
    campaigns.push_back({{"name", c.name},
                         {"fleet", c.fleet},
                         {"image", c.image},
                         {"started_at_s", c.started_at_s},
                         {"twins_targeted", c.twins_targeted},
                         {"skipped_packet_limited", c.skipped_packet_limited},
                         {"offered", c.offered},
                         {"downloaded", c.downloaded},
                         {"applied", c.applied},
                         {"failed", c.failed},
                         {"rolled_back", c.rolled_back},
                         {"reverted", c.reverted},
                         {"cancelled", c.cancelled},
                         {"halted_at_s", c.halted_at_s},
                         {"bytes_down", c.cost.bytes_down},
                         {"airtime_s", c.cost.airtime_s},
                         {"radio_charge_mah", c.cost.radio_charge_mah}});
  }
  j["dfu"] = {{"campaigns", campaigns}};
  nlohmann::ordered_json versions = nlohmann::ordered_json::array();
  for (const auto& p : s.dfu.versions) {
    nlohmann::ordered_json counts = nlohmann::ordered_json::object();
    for (const auto& [version, n] : p.versions) counts[version] = n;
    versions.push_back({{"at_s", p.at_s}, {"versions", counts}});
  }
  j["firmware_versions"] = versions;
  nlohmann::ordered_json by_kind = nlohmann::ordered_json::object();
  for (const auto& k : s.location.by_kind) {
    by_kind[k.kind] = {
        {"count", k.count},
        {"error_m", {{"p50", k.error_p50_m}, {"p90", k.error_p90_m}, {"p99", k.error_p99_m}}},
        {"estimated_error_m", {{"p50", k.estimated_error_p50_m}}},
        {"within_estimate", k.within_estimate}};
  }
  j["location"] = {{"by_kind", by_kind},
                   {"twins_located", s.location.twins_located},
                   {"twins_unlocated", s.location.twins_unlocated},
                   {"best_error_m",
                    {{"p50", s.location.best_error_p50_m}, {"p90", s.location.best_error_p90_m}}},
                   {"unknown_sites", s.location.unknown_sites}};
  j["time"] = {{"notes_reconciled", s.time.notes_reconciled},
               {"residual_error_ms",
                {{"p50", s.time.residual_error_p50_ms},
                 {"p90", s.time.residual_error_p90_ms},
                 {"p99", s.time.residual_error_p99_ms},
                 {"max", s.time.residual_error_max_ms}}},
               {"twins_never_synced", s.time.twins_never_synced},
               {"drift_ppm",
                {{"abs_p50", s.time.drift_abs_p50_ppm},
                 {"abs_p90", s.time.drift_abs_p90_ppm},
                 {"min", s.time.drift_min_ppm},
                 {"max", s.time.drift_max_ppm}}},
               {"drift_estimate",
                {{"twins", s.time.twins_drift_estimated},
                 {"error_ppm_p50", s.time.drift_estimate_error_p50_ppm},
                 {"error_ppm_p90", s.time.drift_estimate_error_p90_ppm}}}};
  nlohmann::ordered_json latency = {{"p50_s", s.latency_p50_s},
                                    {"p90_s", s.latency_p90_s},
                                    {"p99_s", s.latency_p99_s},
                                    {"max_s", s.latency_max_s}};
  nlohmann::ordered_json bins = nlohmann::ordered_json::array();
  for (const auto& [le_s, count] : s.latency_bins)
    bins.push_back({{"le_s", le_s}, {"count", count}});
  latency["histogram"] = bins;
  j["delivery_latency"] = latency;
  // Hourly at the cloud (sample at the end of each hour, like network_timeline).
  nlohmann::ordered_json cloud = nlohmann::ordered_json::array();
  const std::size_t hours = std::max(s.cloud_sessions_by_hour.size(), s.cloud_notes_by_hour.size());
  for (std::size_t h = 0; h < hours; ++h) {
    const auto at = [h](const std::vector<std::uint64_t>& v) { return h < v.size() ? v[h] : 0; };
    cloud.push_back(
        {{"at_s", static_cast<double>(h + 1) * 3600},
         {"sessions", at(s.cloud_sessions_by_hour)},
         {"notes_stored", at(s.cloud_notes_by_hour)},
         {"events_per_s",
          static_cast<double>(at(s.cloud_sessions_by_hour) + at(s.cloud_notes_by_hour)) / 3600.0}});
  }
  j["cloud_timeline"] = cloud;
  nlohmann::ordered_json assertions = nlohmann::ordered_json::array();
  for (const assertion_result& result : s.assertions) {
    assertions.push_back({{"name", result.name},
                          {"expect", result.expect},
                          {"passed", result.passed},
                          {"measured", result.measured ? nlohmann::ordered_json(*result.measured)
                                                       : nlohmann::ordered_json(nullptr)},
                          {"detail", result.detail}});
  }
  j["assertions"] = assertions;
  j["config"] = s.config_json.empty() ? nlohmann::ordered_json::object()
                                      : nlohmann::ordered_json::parse(s.config_json);
  j["routes"] = nlohmann::ordered_json::parse(actors::routes_report_json(s.routes));
  // A resumed run (docs/cli.md, "Resuming a run"); every other figure covers the whole run.
  if (s.resume.times_resumed > 0) {
    j["resume"] = {{"times_resumed", s.resume.times_resumed},
                   {"resumed_from_s", s.resume.resumed_from_s},
                   {"replay_wall_seconds", s.resume.replay_wall_seconds}};
  }
  return j;
}

std::string summary_json(const run_summary& s) { return summary_document(s).dump(2) + "\n"; }

std::expected<void, std::string> write_summary(const std::filesystem::path& dir,
                                               const run_summary& summary) {
  return write_file_atomically(dir / "summary.json", summary_json(summary));
}

}  // namespace twelvefold::sim
