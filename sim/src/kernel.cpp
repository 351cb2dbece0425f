// The kernel (see kernel.hpp).
#include "twelvefold/sim/kernel.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <queue>
#include <thread>

#include <caf/all.hpp>

#include "external_twins.hpp"
#include "run_digest.hpp"
#include "summary_groups.hpp"
#include "twelvefold/actors/atoms.hpp"
#include "twelvefold/actors/device_shard.hpp"
#include "twelvefold/actors/latency_histogram.hpp"
#include "twelvefold/actors/network.hpp"
#include "twelvefold/actors/replay.hpp"
#include "twelvefold/actors/services.hpp"
#include "twelvefold/actors/twin_store_writer.hpp"
#include "twelvefold/models/battery.hpp"
#include "twelvefold/models/radio.hpp"
#include "twelvefold/models/radio_model.hpp"
#include "twelvefold/shim/firmware_image.hpp"
#include "twelvefold/sim/summary.hpp"
#include "twelvefold/sim/wake_calendar.hpp"

namespace twelvefold::sim {
namespace {

using namespace twelvefold::actors;
using wall_clock = std::chrono::steady_clock;

struct later_completion {
  bool operator()(const session_completion& a, const session_completion& b) const {
    return std::tie(a.at_us, a.twin) > std::tie(b.at_us, b.twin);
  }
};

struct shard_handle {
  caf::actor actor;
  twin_index first = 0;
  twin_index end = 0;
};

struct cast {
  caf::actor management;
  caf::actor solution;
  caf::actor network;
  caf::actor writer;  // invalid without an output directory
  std::vector<shard_handle> shards;
};

const char* coverage_name(models::coverage_class c) {
  switch (c) {
    case models::coverage_class::normal:
      return "normal";
    case models::coverage_class::extended:
      return "extended";
    case models::coverage_class::extreme:
      return "extreme";
    case models::coverage_class::none:
      break;
  }
  return "none";
}

// The hourly network series as rows of table metrics (name, label, value per sample).
std::vector<metric_sample> metric_samples_of(const run_summary& sum) {
  std::vector<metric_sample> out;
  for (const network_point& p : sum.network_timeline) {
    const auto at_us = static_cast<std::int64_t>(p.at_s * 1e6);
    for (const auto& [rat, n] : p.connected) {
      out.push_back({at_us, "connected", rat, static_cast<double>(n)});
    }
    out.push_back({at_us, "on_fallback", "", static_cast<double>(p.on_fallback)});
    out.push_back({at_us, "failing", "", static_cast<double>(p.failing)});
    out.push_back({at_us, "dark", "", static_cast<double>(p.dark)});
    out.push_back({at_us, "never_connected", "", static_cast<double>(p.never)});
    out.push_back({at_us, "sites_up", "", static_cast<double>(p.sites_up)});
    // Per interval since the previous sample (docs/outputs.md).
    out.push_back({at_us, "attach_attempts", "", static_cast<double>(p.attach_attempts)});
    out.push_back({at_us, "access_collisions", "", static_cast<double>(p.access_collisions)});
    out.push_back({at_us, "reconnects", "", static_cast<double>(p.reconnects)});
  }
  return out;
}

const char* status_name(radio_status s) {
  switch (s) {
    case radio_status::preferred:
      return "preferred";
    case radio_status::fallback:
      return "fallback";
    case radio_status::failing:
      return "failing";
    case radio_status::dark:
      return "dark";
    case radio_status::never:
      break;
  }
  return "never";
}

// Battery figures per fleet: mean charge used and the projected life of its twins.
std::map<std::string, fleet_summary> fleet_summaries(const world& w,
                                                     const std::vector<twin_final>& finals,
                                                     const std::vector<double>& life_years) {
  std::map<std::string, fleet_summary> fleets;
  std::vector<std::vector<double>> lives(w.fleets.size());
  for (twin_index twin = 0; twin < finals.size(); ++twin) {
    fleet_summary& f = fleets[w.fleet_of(twin).name];
    ++f.twins;
    f.battery_mah_used_mean += finals[twin].battery_mah_used;
    lives[w.twins[twin].fleet].push_back(life_years[twin]);
  }
  for (std::size_t k = 0; k < w.fleets.size(); ++k) {
    auto it = fleets.find(w.fleets[k].name);
    if (it == fleets.end() || lives[k].empty()) continue;
    fleet_summary& f = it->second;
    f.battery_mah_used_mean /= static_cast<double>(f.twins);
    std::sort(lives[k].begin(), lives[k].end());
    f.battery_life_years_min = lives[k].front();
    f.battery_life_years_p10 = lives[k][lives[k].size() / 10];
    f.battery_life_years_median = lives[k][lives[k].size() / 2];
  }
  return fleets;
}

std::map<std::string, std::string> run_info(const world& w, int threads) {
  return {{"scenario", w.scenario_name},
          {"seed", std::to_string(w.seed)},
          {"epoch_utc_us", std::to_string(w.epoch_utc_us)},
          {"duration_us", std::to_string(w.duration_us)},
          {"window_us", std::to_string(w.window_us)},
          {"twins", std::to_string(w.twins.size())},
          {"threads", std::to_string(threads)},
          {"schema_version", "2"}};
}

// Sends a request and waits for its answer; an error or a failed reply becomes run_error.
template <class Result, class... Ts>
std::expected<Result, run_error> ask(caf::scoped_actor& self, const caf::actor& who, Ts&&... xs) {
  std::expected<Result, run_error> out = std::unexpected(run_error{});
  self->request(who, caf::infinite, std::forward<Ts>(xs)...)
      .receive(
          [&](Result& r) { out = std::move(r); },
          [&](caf::error& err) {
            out = std::unexpected(run_error{run_error_kind::failure, self->system().render(err)});
          });
  return out;
}

class kernel {
 public:
  kernel(std::shared_ptr<const world> w, const run_options& options, caf::actor_system& system,
         cast actors)
      : world_(std::move(w)),
        options_(options),
        self_(system),
        cast_(std::move(actors)),
        calendar_(world_->window_us) {}

  std::expected<run_summary, run_error> run() {
    const auto wall_start = wall_clock::now();
    for (twin_index twin = 0; twin < world_->twins.size(); ++twin) {
      calendar_.schedule({twin, world_->twins[twin].boot_us});
    }
    std::int64_t next_flush_us = world_->store_flush_us;
    auto last_progress = wall_start;
    std::int64_t sim_us = 0;
    bool stopped = false;
    pace_wall_origin_ = wall_start;
    // Resume (replay.hpp): the prefix runs exactly as before, but nothing records it.
    const replay_plan* replay = options_.replay;
    bool replaying = replay != nullptr;
    if (replaying) {
      auto ok = ask<bool>(self_, cast_.solution, replay_atom::value, replay->sinks);
      if (!ok) return std::unexpected(ok.error());
      if (replay->expected.windows == 0) {
        if (auto live = go_live(wall_start); !live) return std::unexpected(live.error());
        replaying = false;
      }
    }
    while (true) {
      if (options_.stop_requested != nullptr && options_.stop_requested->load()) {
        if (replaying) {
          return std::unexpected(run_error{run_error_kind::interrupted,
                                           "stopped while replaying the run's prefix; nothing "
                                           "was written, the run can still be resumed"});
        }
        stopped = true;
        break;
      }
      const std::optional<std::int64_t> start = next_window_start();
      if (!start || *start >= world_->duration_us) break;
      if (!replaying && options_.stop_at_us && *start >= *options_.stop_at_us) {
        stopped = true;
        break;
      }
      // A stop while pacing leaves sim_us at the last window run, like any other stop: the
      // end-of-run steps then take only what a run never stopped takes before this window.
      if (!replaying && options_.realtime_speed > 0 && !pace(*start)) {
        stopped = true;
        break;
      }
      sim_us = *start;
      if (auto ok = advance_network(*start, *start + world_->window_us); !ok) {
        return std::unexpected(ok.error());
      }
      if (auto ok = run_one_window(*start); !ok) return std::unexpected(ok.error());
      while (sim_us >= next_flush_us) {
        // The digital twins reach SQLite every store_flush interval; the management service
        // writes them without holding the kernel up (the final flush below waits for all).
        // Without a store the flush lets the rows go, so that they do not pile up.
        caf::anon_send(cast_.management, flush_atom::value);
        if (cast_.writer) {
          // Retention applies as the run goes, so a long run's file stays bounded.
          if (world_->store_retention_us > 0 && next_flush_us > world_->store_retention_us) {
            caf::anon_send(cast_.writer, expire_atom::value,
                           next_flush_us - world_->store_retention_us);
          }
        }
        next_flush_us += world_->store_flush_us;
      }
      if (options_.on_progress &&
          wall_clock::now() - last_progress > std::chrono::milliseconds(100)) {
        last_progress = wall_clock::now();
        options_.on_progress(progress_at(sim_us, wall_start, replaying));
      }
      if (replaying && windows_ == replay->expected.windows) {
        if (auto live = go_live(wall_start); !live) return std::unexpected(live.error());
        replaying = false;
      }
    }
    if (replaying) {
      return std::unexpected(run_error{
          run_error_kind::bad_input,
          "the replay did not arrive where the run stopped: it ended after " +
              std::to_string(windows_) + " windows, the run stopped after " +
              std::to_string(replay->expected.windows) +
              " (the firmware, the scenario or the build behaves differently); nothing was "
              "written"});
    }
    // Where the run stopped, before the end-of-run steps below (a resumed run replays up to
    // here, then takes the next window).
    if (stopped) stop_kernel_ = fingerprint();
    if (!stopped) sim_us = world_->duration_us;
    // Samples (and events) up to the end of what was simulated, the end itself included.
    if (auto ok = advance_network(sim_us + 1, sim_us + 1); !ok) return std::unexpected(ok.error());
    auto summary = finish(sim_us, stopped);
    if (summary) {
      summary->wall_seconds = std::chrono::duration<double>(wall_clock::now() - wall_start).count();
      summary->realtime_speed = options_.realtime_speed;
      summary->realtime_lag_max_seconds = lag_max_s_;
      summary->realtime_lag_mean_seconds = paced_windows_ > 0 ? lag_sum_s_ / paced_windows_ : 0;
      if (options_.on_progress) options_.on_progress(progress_at(sim_us, wall_start, false));
      if (replay != nullptr) {
        summary->resume.times_resumed = replay->times_resumed;
        summary->resume.resumed_from_s = static_cast<double>(replay->expected.next_window_us) / 1e6;
        summary->resume.replay_wall_seconds = replay_wall_s_;
      }
    }
    return summary;
  }

 private:
  // Waits until the wall clock reaches the window's start (scaled by the speed), or measures
  // how late it already is. Returns false when a stop was requested while waiting.
  bool pace(std::int64_t window_start_us) {
    const auto target =
        pace_wall_origin_ +
        std::chrono::duration_cast<wall_clock::duration>(
            std::chrono::duration<double>(static_cast<double>(window_start_us - pace_origin_us_) /
                                          1e6 / options_.realtime_speed));
    ++paced_windows_;
    auto now = wall_clock::now();
    if (now >= target) {
      const double lag_s = std::chrono::duration<double>(now - target).count();
      lag_sum_s_ += lag_s;
      lag_max_s_ = std::max(lag_max_s_, lag_s);
      return true;
    }
    while (now < target) {
      if (options_.stop_requested != nullptr && options_.stop_requested->load()) return false;
      std::this_thread::sleep_for(
          std::min<wall_clock::duration>(target - now, std::chrono::milliseconds(50)));
      now = wall_clock::now();
    }
    return true;
  }

  progress progress_at(std::int64_t sim_us, wall_clock::time_point wall_start,
                       bool replaying) const {
    progress p{sim_us, world_->duration_us, world_->twins.size(), activations_,
               std::chrono::duration<double>(wall_clock::now() - wall_start).count()};
    p.replaying = replaying;
    if (options_.replay != nullptr) p.replay_until_us = options_.replay->expected.next_window_us;
    return p;
  }

  kernel_fingerprint fingerprint() {
    kernel_fingerprint f;
    f.windows = windows_;
    f.next_window_us = next_window_start().value_or(-1);
    f.activations = activations_;
    f.sessions = sessions_started_;
    f.completions = completions_received_;
    f.digest = digest_.value();
    f.calendar_wakes = calendar_.size();
    f.completions_pending = completions_.size();
    f.next_sample_us = next_sample_us_;
    f.network_events_applied = next_event_;
    f.cloud_events_applied = next_cloud_event_;
    return f;
  }

  // The replay arrived at the stop point: check it is the same state, then let the recording
  // actors record again (replay.hpp). Any failure leaves OUT as it was.
  std::expected<void, run_error> go_live(wall_clock::time_point wall_start) {
    const replay_plan& plan = *options_.replay;
    const auto refuse = [](const std::string& why) {
      return std::unexpected(run_error{
          run_error_kind::bad_input,
          "the replay did not arrive where the run stopped (" + why +
              "): the firmware, the scenario or the build behaves differently; nothing was "
              "written"});
    };
    if (const std::string diff = fingerprint_difference(plan.expected, fingerprint());
        !diff.empty()) {
      return refuse(diff);
    }
    // Barriers: the cloud services have handled everything the replay sent them (a flush's
    // rows are in the writer's mailbox before the answer), so "live" lands after them.
    const std::vector<cloud_timeline_event> none;
    if (auto ok = ask<bool>(self_, cast_.management, timeline_atom::value, none); !ok) {
      return std::unexpected(ok.error());
    }
    if (auto ok = ask<bool>(self_, cast_.solution, timeline_atom::value, none); !ok) {
      return std::unexpected(ok.error());
    }
    auto sinks = ask<std::vector<std::uint64_t>>(self_, cast_.solution, live_atom::value);
    if (!sinks) return std::unexpected(sinks.error());
    for (std::size_t k = 0; k < sinks->size() && k < plan.sinks.size(); ++k) {
      const actors::route_counters& recorded = plan.sinks[k];
      if (recorded.sink == "store" || (*sinks)[k] == recorded.events) continue;
      return refuse("route \"" + recorded.name + "\": " + std::to_string((*sinks)[k]) +
                    " events replayed, " + std::to_string(recorded.events) + " recorded");
    }
    if (cast_.writer) {
      // Everything the writer got so far came from the replay, which is the stopped run's
      // prefix: never more rows than that run wrote.
      auto rows = ask<std::vector<std::uint64_t>>(self_, cast_.writer, collect_atom::value);
      if (!rows) return std::unexpected(rows.error());
      if (rows->size() == 2 &&
          ((*rows)[0] > plan.store.events || (*rows)[1] > plan.store.sessions)) {
        return refuse("twin store: " + std::to_string((*rows)[0]) + " events and " +
                      std::to_string((*rows)[1]) + " sessions replayed, " +
                      std::to_string(plan.store.events) + " and " +
                      std::to_string(plan.store.sessions) + " recorded");
      }
    }
    if (plan.before_live) {
      if (auto ok = plan.before_live(); !ok) {
        return std::unexpected(run_error{run_error_kind::failure, ok.error()});
      }
    }
    if (cast_.writer) {
      auto opened = ask<std::vector<std::uint64_t>>(self_, cast_.writer, live_atom::value);
      if (!opened) return std::unexpected(opened.error());
    }
    const auto now = wall_clock::now();
    replay_wall_s_ = std::chrono::duration<double>(now - wall_start).count();
    pace_wall_origin_ = now;
    pace_origin_us_ = std::max<std::int64_t>(0, plan.expected.next_window_us);
    return {};
  }

  // Brings the network's timeline up to a window: takes every time-series sample due before
  // `sample_before_us` (after the events that precede it), then applies the events before
  // `events_before_us`. Events land at the start of the window they fall in (at most Δ early).
  std::expected<void, run_error> advance_network(std::int64_t sample_before_us,
                                                 std::int64_t events_before_us) {
    while (next_sample_us_ < sample_before_us && next_sample_us_ <= world_->duration_us) {
      if (auto ok = send_events(next_sample_us_ + 1); !ok) return ok;
      auto sampled = ask<bool>(self_, cast_.network, sample_atom::value, next_sample_us_);
      if (!sampled) return std::unexpected(sampled.error());
      // Firmware versions as the cloud knows them, on the same cadence (factor 8).
      auto versions = ask<bool>(self_, cast_.management, sample_atom::value, next_sample_us_);
      if (!versions) return std::unexpected(versions.error());
      // Health (docs/cloud-config.md): the watchdog sweep runs at the same instants.
      auto swept = ask<bool>(self_, cast_.management, health_atom::value, next_sample_us_);
      if (!swept) return std::unexpected(swept.error());
      next_sample_us_ += world_->sample_interval_us;
    }
    return send_events(events_before_us);
  }

  std::expected<void, run_error> send_events(std::int64_t before_us) {
    if (auto ok = send_cloud_events(before_us); !ok) return ok;
    std::vector<network_event> due;
    while (next_event_ < world_->timeline.size() &&
           world_->timeline[next_event_].at_us < before_us) {
      due.push_back(world_->timeline[next_event_++]);
    }
    if (due.empty()) return {};
    // Modems that re-register as sites come back (actors/src/reconnect.cpp) reach their
    // twins like session completions, in the windows they fall in.
    auto reconnects = ask<std::vector<session_completion>>(self_, cast_.network,
                                                           timeline_atom::value, std::move(due));
    if (!reconnects) return std::unexpected(reconnects.error());
    for (session_completion& c : *reconnects) completions_.push(std::move(c));
    return {};
  }

  // Cloud-side timeline events (env changes, fleet moves, campaigns, ...) go to the management
  // service, which applies them before it sees any session of the window.
  std::expected<void, run_error> send_cloud_events(std::int64_t before_us) {
    std::vector<cloud_timeline_event> due;
    while (next_cloud_event_ < world_->cloud_timeline.size() &&
           world_->cloud_timeline[next_cloud_event_].at_us < before_us) {
      due.push_back(world_->cloud_timeline[next_cloud_event_++]);
    }
    if (due.empty()) return {};
    auto applied = ask<bool>(self_, cast_.management, timeline_atom::value, std::move(due));
    if (!applied) return std::unexpected(applied.error());
    return {};
  }

  std::optional<std::int64_t> next_window_start() {
    std::optional<std::int64_t> start = calendar_.next_window_start_us();
    // A network event gets a window of its own: what it causes (reconnects) starts then.
    if (next_event_ < world_->timeline.size()) {
      const std::int64_t w =
          world_->timeline[next_event_].at_us / world_->window_us * world_->window_us;
      if (!start || w < *start) start = w;
    }
    if (!completions_.empty()) {
      const std::int64_t w = completions_.top().at_us / world_->window_us * world_->window_us;
      if (!start || w < *start) start = w;
    }
    return start;
  }

  std::size_t shard_of(twin_index twin) const {
    const auto it = std::upper_bound(cast_.shards.begin(), cast_.shards.end(), twin,
                                     [](twin_index t, const shard_handle& s) { return t < s.end; });
    return static_cast<std::size_t>(it - cast_.shards.begin());
  }

  std::expected<void, run_error> run_one_window(std::int64_t start_us) {
    const std::int64_t end_us = start_us + world_->window_us;
    std::vector<window_work> work(cast_.shards.size());
    for (window_work& w : work) w.window_end_us = end_us;
    const std::optional<std::int64_t> wake_window = calendar_.next_window_start_us();
    if (wake_window && *wake_window == start_us) {
      for (const wake_entry& wake : calendar_.take_window(start_us)) {
        work[shard_of(wake.twin)].wakes.push_back(wake);
      }
    }
    while (!completions_.empty() && completions_.top().at_us < end_us) {
      session_completion c = completions_.top();
      completions_.pop();
      work[shard_of(c.twin)].completions.push_back(std::move(c));
    }

    // Fan out to every shard with work, then gather: the shards run in parallel.
    std::vector<std::size_t> asked;
    std::vector<window_result> results(cast_.shards.size());
    std::optional<run_error> failure;
    std::vector<decltype(self_->request(cast_.shards[0].actor, caf::infinite,
                                        run_window_atom::value, window_work{}))>
        pending;
    for (std::size_t k = 0; k < work.size(); ++k) {
      if (work[k].wakes.empty() && work[k].completions.empty()) continue;
      asked.push_back(k);
      pending.push_back(self_->request(cast_.shards[k].actor, caf::infinite, run_window_atom::value,
                                       std::move(work[k])));
    }
    for (std::size_t i = 0; i < pending.size(); ++i) {
      pending[i].receive([&](window_result& r) { results[asked[i]] = std::move(r); },
                         [&](caf::error& err) {
                           failure = run_error{run_error_kind::failure,
                                               "device shard: " + self_->system().render(err)};
                         });
    }
    if (failure) return std::unexpected(*failure);
    ++windows_;

    std::vector<session_start> sessions;
    for (window_result& r : results) {
      activations_ += r.activations;
      for (const wake_entry& next : r.next_wakes) calendar_.schedule(next);
      std::move(r.sessions.begin(), r.sessions.end(), std::back_inserter(sessions));
    }
    if (sessions.empty()) return {};
    std::sort(sessions.begin(), sessions.end(), [](const auto& a, const auto& b) {
      return std::tie(a.start_us, a.twin) < std::tie(b.start_us, b.twin);
    });
    sessions_started_ += sessions.size();
    for (const session_start& st : sessions) {
      digest_.add(st.twin);
      digest_.add(static_cast<std::uint64_t>(st.start_us));
      digest_.add(st.uplink);
      digest_.add(st.penalty_override ? 1 : 0);
    }
    auto done = ask<std::vector<session_completion>>(self_, cast_.network, sessions_atom::value,
                                                     std::move(sessions), end_us);
    if (!done) return std::unexpected(done.error());
    completions_received_ += done->size();
    for (session_completion& c : *done) {
      digest_.add(c.twin);
      digest_.add(static_cast<std::uint64_t>(c.at_us));
      digest_.add(c.success ? 1 : 0);
      digest_.add(c.downlink);
      digest_.add(static_cast<std::uint64_t>(c.penalty_until_us));
      completions_.push(std::move(c));
    }
    return {};
  }

  // The end-of-run twins, in slices: a row is ~360 bytes, and a million of them at once would
  // be the run's peak of memory. Ground truth replaces what each twin last reported.
  std::expected<void, run_error> write_twin_rows(const std::vector<twin_final>& finals,
                                                 const network_totals& network,
                                                 const std::vector<double>& life_years) {
    constexpr twin_index slice = 65'536;
    const auto count = static_cast<twin_index>(world_->twins.size());
    for (twin_index first = 0; first < count; first += std::min(slice, count - first)) {
      const twin_index end = first + std::min(slice, count - first);
      auto rows =
          ask<std::vector<twin_row>>(self_, cast_.management, twin_rows_atom::value, first, end);
      if (!rows) return std::unexpected(rows.error());
      if (rows->size() != end - first) {
        return std::unexpected(
            run_error{run_error_kind::failure, "management service: wrong number of twin rows"});
      }
      for (twin_index twin = first; twin < end; ++twin) {
        twin_row& row = (*rows)[twin - first];
        const twin_final& f = finals[twin];
        const twin_radio& radio = network.twins[twin];
        row.battery_mah_used = f.battery_mah_used;
        row.battery_v = f.battery_v;
        row.sessions = radio.sessions;
        row.session_failures = radio.session_failures;
        if (row.firmware.empty()) row.firmware = f.firmware;
        row.rsrp_dbm = radio.rsrp_dbm;
        row.sinr_db = radio.sinr_db;
        row.cell_id = radio.cell_id;
        row.rat = std::string(models::rat_name(static_cast<models::rat>(radio.rat)));
        row.coverage = coverage_name(static_cast<models::coverage_class>(radio.coverage));
        row.fallbacks = radio.fallbacks;
        row.radio_status = status_name(static_cast<radio_status>(radio.status));
        row.battery_life_years = life_years[twin];
        row.reboots = f.resets;
      }
      auto written = ask<bool>(self_, cast_.writer, upsert_atom::value, std::move(*rows));
      if (!written) return std::unexpected(written.error());
    }
    return {};
  }

  std::expected<run_summary, run_error> finish(std::int64_t sim_us, bool stopped) {
    auto solution = ask<solution_totals>(self_, cast_.solution, collect_atom::value);
    if (!solution) return std::unexpected(solution.error());
    auto network = ask<network_totals>(self_, cast_.network, collect_atom::value);
    if (!network) return std::unexpected(network.error());
    run_summary sum;
    const world& w = *world_;
    sum.scenario = w.scenario_name;
    sum.seed = w.seed;
    sum.twins = w.twins.size();
    sum.threads = options_.threads;
    sum.sim_seconds = static_cast<double>(sim_us) / 1e6;
    sum.stopped_early = stopped;
    sum.windows = windows_;
    sum.notes_delivered = solution->notes_stored;
    sum.duplicates_discarded = solution->duplicates_discarded;
    sum.cloud_notes_by_hour = solution->notes_by_hour;
    sum.latency_p50_s = solution->latency_p50_s;
    sum.latency_p90_s = solution->latency_p90_s;
    sum.latency_p99_s = solution->latency_p99_s;
    sum.latency_max_s = solution->latency_max_s;
    const auto& edges = latency_histogram::edges_s();
    for (std::size_t i = 0; i < solution->latency_counts.size(); ++i) {
      if (solution->latency_counts[i] > 0) {
        sum.latency_bins.emplace_back(edges[i + 1], solution->latency_counts[i]);
      }
    }
    sum.routes = solution->routes;
    sum.sessions = network->sessions;
    sum.session_failures = network->session_failures;
    sum.bytes_uplink = network->bytes_uplink;
    sum.bytes_downlink = network->bytes_downlink;
    sum.penalty_blocked = network->penalty_blocked;
    sum.backhaul_failures = network->backhaul_failures;
    sum.timeline_events = network->timeline_events;
    sum.network_busy_seconds = network->busy_seconds;
    std::vector<std::uint64_t> dark_by_rat(models::rat_count, 0);
    for (const twin_radio& radio : network->twins) {
      if (static_cast<radio_status>(radio.status) == radio_status::dark) ++dark_by_rat[radio.rat];
    }
    for (int r = 0; r < models::rat_count; ++r) {
      const rat_totals& t = network->per_rat[static_cast<std::size_t>(r)];
      if (t.twins_capable == 0 && t.sessions == 0) continue;
      rat_summary rs;
      rs.twins = t.twins;
      rs.twins_capable = t.twins_capable;
      rs.twins_in_coverage = t.twins_in_coverage;
      rs.sessions = t.sessions;
      rs.session_failures = t.session_failures;
      rs.no_coverage_failures = t.no_coverage;
      rs.fallbacks_into = t.fallbacks_into;
      rs.returns_into = t.returns_into;
      rs.access_collisions = t.access_collisions;
      rs.duty_cycle_blocked = t.duty_cycle_blocked;
      rs.dark_twins = dark_by_rat[static_cast<std::size_t>(r)];
      rs.radio_charge_mah = t.radio_charge_mah;
      rs.bytes_uplink = t.bytes_uplink;
      rs.bytes_downlink = t.bytes_downlink;
      sum.per_rat[std::string(models::rat_name(static_cast<models::rat>(r)))] = rs;
    }
    for (const network_sample& sample : network->samples) {
      network_point p;
      p.at_s = static_cast<double>(sample.at_us) / 1e6;
      for (const auto& [name, rs] : sum.per_rat) {
        models::rat r{};
        models::parse_rat(name, r);
        p.connected[name] = sample.connected_by_rat[static_cast<std::size_t>(r)];
      }
      p.on_fallback = sample.on_fallback;
      p.failing = sample.failing;
      p.dark = sample.dark;
      p.never = sample.never;
      p.sites_up = sample.sites_up;
      p.attach_attempts = sample.attach_attempts;
      p.access_collisions = sample.access_collisions;
      p.reconnects = sample.reconnects;
      sum.network_timeline.push_back(std::move(p));
    }

    std::vector<twin_final> finals(w.twins.size());
    std::uint64_t reconnect_syncs = 0;
    for (const shard_handle& shard : cast_.shards) {
      auto totals =
          ask<shard_totals>(self_, shard.actor, collect_atom::value, solution->acked_through);
      if (!totals) return std::unexpected(totals.error());
      sum.activations += totals->activations;
      sum.notes_added += totals->notes_added;
      sum.notes_lost += totals->notes_lost;
      sum.notes_in_flight += totals->notes_in_flight;
      sum.requests += totals->requests;
      sum.request_errors += totals->request_errors;
      for (const auto& [tag, n] : totals->request_errors_by_tag)
        sum.request_errors_by_tag[tag] += n;
      sum.module_wakes += totals->module_wakes;
      reconnect_syncs += totals->reconnect_syncs;
      for (const auto& [name, n] : totals->external) sum.external[name] += n;
      sum.missing_sleep_requests += totals->missing_sleep_requests;
      sum.routes.queue_overflow_outbound += totals->notes_lost;
      sum.routes.queue_overflow_inbound += totals->inbound_dropped;
      sum.routes.device_web_responses += totals->web_responses;
      for (const auto& [reason, n] : totals->resets_by_reason) sum.firmware_resets[reason] += n;
      sum.auth_downlinks_rejected += totals->auth_downlinks_rejected;
      for (twin_final& f : totals->twins) finals[f.twin] = std::move(f);
    }
    std::vector<double> life_years(finals.size(), 0);
    for (twin_index twin = 0; twin < finals.size(); ++twin) {
      const twin_final& f = finals[twin];
      sum.battery_mah_used_mean += f.battery_mah_used;
      sum.battery_mah_used_max = std::max(sum.battery_mah_used_max, f.battery_mah_used);
      const device_model_spec& model = w.model_of(twin);
      life_years[twin] = models::projected_life_years(model.battery, model.battery_mah,
                                                      f.battery_mah_used, sim_us);
    }
    if (!finals.empty()) sum.battery_mah_used_mean /= static_cast<double>(finals.size());
    sum.per_fleet = fleet_summaries(w, finals, life_years);
    fill_group_summaries(sum, w, *network, *solution, finals, reconnect_syncs);

    // Wait for every periodic flush, then write the end-of-run twins over them.
    auto flushed = ask<bool>(self_, cast_.management, flush_atom::value);
    if (!flushed) return std::unexpected(flushed.error());
    auto management = ask<management_totals>(self_, cast_.management, collect_atom::value);
    if (!management) return std::unexpected(management.error());
    sum.sessions_refused = management->sessions_refused;
    sum.dfu = std::move(management->dfu);
    for (std::size_t c = 0; c < sum.dfu.campaigns.size() && c < network->dfu_costs.size(); ++c) {
      sum.dfu.campaigns[c].cost = network->dfu_costs[c];
    }
    sum.env_updates_sent = management->env_updates_sent;
    sum.cloud_sessions_by_hour = management->sessions_by_hour;
    sum.location = management->location;
    sum.time = management->time;
    sum.auth = management->auth;
    sum.config_json = management->config_json;
    if (cast_.writer) {
      if (auto ok = write_twin_rows(finals, *network, life_years); !ok) {
        return std::unexpected(ok.error());
      }
      auto sampled = ask<bool>(self_, cast_.writer, sample_atom::value, metric_samples_of(sum));
      if (!sampled) return std::unexpected(sampled.error());
      if (stop_kernel_) {
        // Rows of the append-only tables written so far: a resumed run drops as many.
        auto received = ask<std::vector<std::uint64_t>>(self_, cast_.writer, collect_atom::value);
        if (!received) return std::unexpected(received.error());
        sum.stop = stop_point{*stop_kernel_, {}};
        if (received->size() == 2) sum.stop->store = {(*received)[0], (*received)[1]};
      }
      auto closed = ask<bool>(self_, cast_.writer, close_atom::value);
      if (!closed) return std::unexpected(closed.error());
    }
    if (stop_kernel_ && !sum.stop) sum.stop = stop_point{*stop_kernel_, {}};
    return sum;
  }

  std::shared_ptr<const world> world_;
  const run_options& options_;
  caf::scoped_actor self_;
  cast cast_;
  wake_calendar calendar_;
  std::priority_queue<session_completion, std::vector<session_completion>, later_completion>
      completions_;
  std::uint64_t activations_ = 0;
  std::uint64_t windows_ = 0;
  std::int64_t next_sample_us_ = 0;
  std::uint64_t paced_windows_ = 0;
  double lag_sum_s_ = 0;
  double lag_max_s_ = 0;
  std::size_t next_event_ = 0;
  std::size_t next_cloud_event_ = 0;
  // Resume (replay.hpp).
  std::uint64_t sessions_started_ = 0;
  std::uint64_t completions_received_ = 0;
  run_digest digest_;
  std::optional<kernel_fingerprint> stop_kernel_;
  double replay_wall_s_ = 0;
  wall_clock::time_point pace_wall_origin_;  // real time paces from here ...
  std::int64_t pace_origin_us_ = 0;          // ... and this virtual time
};

}  // namespace

std::expected<run_summary, run_error> run_world(std::shared_ptr<const world> w,
                                                const run_options& caller_options) {
  run_options options = caller_options;
  const auto notice = [&](const std::string& line) {
    if (options.on_notice) {
      options.on_notice(line);
    } else {
      std::fprintf(stderr, "twelvefold: %s\n", line.c_str());
    }
  };
  // Hardware / an emulator in the loop: endpoints open before anything else, so that a port
  // in use fails the run at once; such a device lives on the wall clock, so the run does too.
  auto external = open_external_twins(*w, notice);
  if (!external) return std::unexpected(external.error());
  if (!external->empty() && options.realtime_speed <= 0) {
    options.realtime_speed = 1;
    notice(
        "the scenario has external twins, whose firmware runs on the wall clock: running in "
        "real time (--realtime 1); pass --realtime SPEED to choose another speed");
  }
  const int threads = std::max(1, options.threads);
  const auto shard_count = static_cast<std::size_t>(
      std::min<std::size_t>(threads, std::max<std::size_t>(1, w->twins.size())));

  std::vector<std::shared_ptr<shim::firmware_library>> firmware;
  for (const device_model_spec& model : w->device_models) {
    if (!model.external.empty()) {  // its firmware runs outside: nothing to load
      firmware.emplace_back();
      continue;
    }
    auto lib = shim::firmware_library::load(model.firmware_path, static_cast<int>(shard_count));
    if (!lib) {
      return std::unexpected(run_error{run_error_kind::bad_input,
                                       "device model \"" + model.name + "\": " + lib.error()});
    }
    firmware.emplace_back(std::move(*lib));
  }
  // DFU images that are not a device model's (world::extra_firmware_paths), after them.
  for (const std::filesystem::path& path : w->extra_firmware_paths) {
    auto lib = shim::firmware_library::load(path, static_cast<int>(shard_count));
    if (!lib) {
      return std::unexpected(run_error{run_error_kind::bad_input,
                                       "firmware image " + path.string() + ": " + lib.error()});
    }
    firmware.emplace_back(std::move(*lib));
  }

  if (options.replay != nullptr && !external->empty()) {
    return std::unexpected(run_error{run_error_kind::bad_input,
                                     "a run with external twins cannot be resumed: their "
                                     "firmware runs outside, on the wall clock"});
  }
  std::unique_ptr<twin_store> store;
  std::filesystem::path resumed_store;  // a resumed run continues the stopped run's store
  if (options.out_dir && options.replay != nullptr) {
    resumed_store = *options.out_dir / "twins.sqlite";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(resumed_store, ec)) {
      return std::unexpected(run_error{
          run_error_kind::bad_input,
          resumed_store.string() + ": no such file (a stopped run's twin store is continued)"});
    }
  } else if (options.out_dir) {
    std::error_code ec;
    std::filesystem::create_directories(*options.out_dir, ec);
    if (ec) {
      return std::unexpected(run_error{run_error_kind::bad_input, options.out_dir->string() +
                                                                      ": cannot create output "
                                                                      "directory: " +
                                                                      ec.message()});
    }
    auto created = twin_store::create(*options.out_dir / "twins.sqlite");
    if (!created) return std::unexpected(run_error{run_error_kind::bad_input, created.error()});
    store = std::move(*created);
    if (auto ok = store->set_run_info(run_info(*w, threads)); !ok) {
      return std::unexpected(run_error{run_error_kind::failure, ok.error()});
    }
  }

  caf::actor_system_config config;
  config.set("scheduler.max-threads", static_cast<std::size_t>(threads));
  caf::actor_system system{config};
  cast actors;
  if (store) actors.writer = spawn_twin_store_writer(system, std::move(store));
  if (!resumed_store.empty()) {
    actors.writer = spawn_resuming_twin_store_writer(system, resumed_store, options.replay->store);
  }
  actors.solution = spawn_solution_service(system, w);
  actors.management = spawn_management_service(system, w, actors.solution, actors.writer);
  actors.network = spawn_network(system, w, actors.management);
  const std::size_t per_shard = (w->twins.size() + shard_count - 1) / shard_count;
  for (std::size_t k = 0; k < shard_count; ++k) {
    device_shard_config shard;
    shard.the_world = w;
    shard.first_twin = static_cast<twin_index>(std::min(w->twins.size(), k * per_shard));
    shard.end_twin = static_cast<twin_index>(std::min(w->twins.size(), (k + 1) * per_shard));
    shard.firmware = firmware;
    shard.copy_index = static_cast<int>(k);
    shard.external = *external;
    actors.shards.push_back({spawn_device_shard(system, shard), shard.first_twin, shard.end_twin});
  }
  std::expected<run_summary, run_error> result;
  {
    kernel k(w, options, system, actors);
    result = k.run();
  }
  for (const auto& s : actors.shards) caf::anon_send_exit(s.actor, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(actors.network, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(actors.management, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(actors.solution, caf::exit_reason::user_shutdown);
  if (actors.writer) caf::anon_send_exit(actors.writer, caf::exit_reason::user_shutdown);
  if (result && !options.assertions.empty()) {
    const nlohmann::ordered_json document = summary_document(*result);
    for (const assertion_spec& spec : options.assertions) {
      result->assertions.push_back(evaluate(spec, document));
    }
  }
  return result;
}

}  // namespace twelvefold::sim
