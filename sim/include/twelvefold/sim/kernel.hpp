// The kernel: runs a world in virtual time (DESIGN.md, Time).
//
// Conservative windowed execution: time advances in windows of width Δ (world::window_us).
// In a window every due twin runs, in parallel across device shards; the sessions they start
// go to the network actor as one batch, sorted by (time, twin); whatever the cloud answers
// lands in a later window. The kernel owns every twin's next-wake time (wake_calendar) and
// skips windows in which nothing is due. Nothing on this path reads the wall clock, so the
// same world and seed give the same results whatever the number of threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <expected>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include "twelvefold/sim/assertions.hpp"
#include "twelvefold/sim/replay.hpp"

#include "twelvefold/actors/auth.hpp"
#include "twelvefold/actors/location_totals.hpp"
#include "twelvefold/actors/routes_report.hpp"
#include "twelvefold/actors/world.hpp"

namespace twelvefold::sim {

struct progress {
  std::int64_t sim_us = 0;
  std::int64_t duration_us = 0;
  std::uint64_t twins = 0;
  std::uint64_t activations = 0;
  double wall_seconds = 0;
  // A resumed run re-executing its prefix without recording (replay.hpp): it goes live at
  // replay_until_us.
  bool replaying = false;
  std::int64_t replay_until_us = 0;
};

struct run_options {
  int threads = 1;                                    // CAF worker threads, and device shards
  std::optional<std::filesystem::path> out_dir;       // writes twins.sqlite there when set
  std::function<void(const progress&)> on_progress;   // kernel thread, about 10 times a second
  const std::atomic<bool>* stop_requested = nullptr;  // polled between windows
  // Real-time mode (load tests, hardware in the loop): windows are paced so that simulated
  // time runs at `realtime_speed` times the wall clock; 0 runs as fast as possible. When the
  // machine cannot keep up, the run goes on and reports its lag (never stretches time).
  double realtime_speed = 0;
  // Checked against the summary when the run ends (results in run_summary::assertions).
  std::vector<assertion_spec> assertions;
  // One-line notices for the operator (an external twin's endpoint, real time switched on);
  // stderr when unset. Called on the calling thread, before the run starts.
  std::function<void(const std::string&)> on_notice;
  // Resume (replay.hpp): replay this prefix silently, check it, then go on recording. With a
  // plan, out_dir must hold the stopped run's twins.sqlite (it is continued, not recreated).
  const replay_plan* replay = nullptr;
  // Stops as a Ctrl-C would, at the first window boundary at or after this virtual time
  // (`twelvefold run --stop-at`, and tests that need a deterministic stop).
  std::optional<std::int64_t> stop_at_us;
};

struct rat_summary {
  std::uint64_t twins = 0;              // twins on this RAT at the end
  std::uint64_t twins_capable = 0;      // twins whose modem supports it
  std::uint64_t twins_in_coverage = 0;  // capable twins with a usable link at the end
  std::uint64_t sessions = 0;
  std::uint64_t session_failures = 0;
  std::uint64_t no_coverage_failures = 0;
  std::uint64_t fallbacks_into = 0;
  std::uint64_t returns_into = 0;
  std::uint64_t access_collisions = 0;
  std::uint64_t duty_cycle_blocked = 0;
  std::uint64_t dark_twins = 0;  // on this RAT and out of reach of every RAT at the end
  double radio_charge_mah = 0;
  std::uint64_t bytes_uplink = 0;
  std::uint64_t bytes_downlink = 0;
};

// Radio and delivery figures of a fleet or a region (sim/src/summary_groups.cpp).
struct group_summary {
  std::uint64_t sessions = 0;
  std::uint64_t session_failures = 0;
  std::uint64_t attach_attempts = 0;
  std::uint64_t access_collisions = 0;
  std::uint64_t notes_added = 0;
  std::uint64_t notes_delivered = 0;
  double latency_p50_s = 0;
  double latency_p90_s = 0;
  std::uint64_t dark_twins = 0;  // out of reach of every RAT at the end
};

struct fleet_summary {
  std::uint64_t twins = 0;
  double battery_mah_used_mean = 0;
  double battery_life_years_min = 0;
  double battery_life_years_p10 = 0;
  double battery_life_years_median = 0;
  group_summary group;
};

struct region_summary {
  std::uint64_t twins = 0;
  group_summary group;
};

// Modems re-registering when outages end (docs/radio.md, "Reconnect after an outage").
struct reconnect_summary {
  std::uint64_t outages_ended = 0;
  std::uint64_t twins_searching = 0;
  std::uint64_t deferred_penalty = 0;
  std::uint64_t attach_attempts = 0;
  std::uint64_t access_collisions = 0;
  std::uint64_t registered = 0;
  std::uint64_t gave_up = 0;
  std::uint64_t syncs_started = 0;  // modules that synced as soon as they were registered
  double registered_after_s_mean = 0;
  double registered_after_s_max = 0;
};

// Twins by radio status at one instant (every hour of simulated time, and at the end).
struct network_point {
  double at_s = 0;
  std::map<std::string, std::uint64_t> connected;  // by RAT
  std::uint64_t on_fallback = 0;
  std::uint64_t failing = 0;
  std::uint64_t dark = 0;
  std::uint64_t never = 0;
  std::uint64_t sites_up = 0;
  // Since the previous point (per interval): random-access procedures, their collisions, and
  // re-registrations after an outage.
  std::uint64_t attach_attempts = 0;
  std::uint64_t access_collisions = 0;
  std::uint64_t reconnects = 0;
};

struct run_summary {
  std::string scenario;
  std::uint64_t seed = 0;
  std::uint64_t twins = 0;
  int threads = 0;
  double sim_seconds = 0;
  double wall_seconds = 0;
  bool stopped_early = false;
  std::uint64_t windows = 0;
  std::uint64_t activations = 0;
  std::uint64_t notes_added = 0;
  std::uint64_t notes_delivered = 0;
  std::uint64_t notes_in_flight = 0;
  std::uint64_t notes_lost = 0;
  std::uint64_t duplicates_discarded = 0;
  std::uint64_t bytes_uplink = 0;
  std::uint64_t bytes_downlink = 0;
  std::uint64_t sessions = 0;
  std::uint64_t session_failures = 0;
  std::uint64_t sessions_refused = 0;
  std::uint64_t env_updates_sent = 0;
  std::uint64_t requests = 0;
  std::uint64_t request_errors = 0;
  std::map<std::string, std::uint64_t> request_errors_by_tag;  // "web-pending", "io", ...
  std::uint64_t module_wakes = 0;  // a module's own periodic syncs while its host slept
  std::map<std::string, std::uint64_t> external;  // external twins' link counters
  std::uint64_t missing_sleep_requests = 0;
  std::map<std::string, std::uint64_t> firmware_resets;  // by cause: "assert", "watchdog", ...
  double battery_mah_used_mean = 0;
  double battery_mah_used_max = 0;
  std::uint64_t penalty_blocked = 0;
  std::uint64_t backhaul_failures = 0;
  std::uint64_t timeline_events = 0;
  double network_busy_seconds = 0;       // measurement only; not written to summary.json
  double realtime_speed = 0;             // 0: as fast as possible
  double realtime_lag_max_seconds = 0;   // how far the run fell behind the wall clock
  double realtime_lag_mean_seconds = 0;  // mean over windows
  std::map<std::string, rat_summary> per_rat;
  std::map<std::string, fleet_summary> per_fleet;
  std::map<std::string, region_summary> per_region;
  reconnect_summary reconnect;
  std::vector<network_point> network_timeline;
  actors::location_totals location;  // factor 6 (docs/cloud-location-time.md)
  actors::time_totals time;          // factor 7
  // Hourly at the cloud: sessions accepted and Notes stored in each hour (index: hour).
  std::vector<std::uint64_t> cloud_sessions_by_hour;
  std::vector<std::uint64_t> cloud_notes_by_hour;
  // Delivery latency (note.add -> stored): percentiles and the histogram's non-empty bins.
  double latency_p50_s = 0, latency_p90_s = 0, latency_p99_s = 0, latency_max_s = 0;
  std::vector<std::pair<double, std::uint64_t>> latency_bins;  // (upper edge s, count)
  std::vector<assertion_result> assertions;                    // in scenario order
  actors::dfu_totals dfu;    // firmware update campaigns and versions over time (factor 8)
  actors::auth_totals auth;  // factor 9 / 11 (docs/cloud-auth.md)
  std::uint64_t auth_downlinks_rejected = 0;  // replies devices refused (server proof failed)
  std::string config_json;         // summary.json "config" (docs/cloud-config.md), compact JSON
  actors::routes_report routes;    // factors 1, 3, 5: summary.json "routes"
  std::optional<stop_point> stop;  // where a stopped run stopped (kept in OUT/resume.json)
  resume_report resume;            // summary.json "resume"
};

// interrupted: stopped while replaying a resumed run's prefix (nothing was written).
enum class run_error_kind { bad_input, failure, interrupted };
struct run_error {
  run_error_kind kind = run_error_kind::failure;
  std::string message;
};

std::expected<run_summary, run_error> run_world(std::shared_ptr<const actors::world> world,
                                                const run_options& options);

}  // namespace twelvefold::sim
