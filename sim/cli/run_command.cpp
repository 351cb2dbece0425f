// `twelvefold run` and `twelvefold validate`.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "progress_bar.hpp"
#include "run_and_report.hpp"
#include "scenario_input.hpp"
#include "twelvefold/scenario/v1/scenario.pb.h"
#include "twelvefold/sim/kernel.hpp"
#include "twelvefold/sim/report.hpp"
#include "twelvefold/sim/resume_state.hpp"
#include "twelvefold/sim/summary.hpp"

namespace twelvefold::cli {
namespace {

std::atomic<bool> stop_requested{false};

extern "C" void on_interrupt(int) { stop_requested.store(true); }

void print_human_summary(const sim::run_summary& s, const std::filesystem::path& out) {
  std::printf("\n%s: %llu twins, %.1f simulated hours in %.1f s (%s)\n", s.scenario.c_str(),
              static_cast<unsigned long long>(s.twins), s.sim_seconds / 3600, s.wall_seconds,
              s.stopped_early ? "stopped early" : "complete");
  std::printf("  activations   %llu (%.0f per second)\n",
              static_cast<unsigned long long>(s.activations),
              s.wall_seconds > 0 ? s.activations / s.wall_seconds : 0.0);
  std::printf("  notes         %llu added: %llu delivered, %llu in flight, %llu lost\n",
              static_cast<unsigned long long>(s.notes_added),
              static_cast<unsigned long long>(s.notes_delivered),
              static_cast<unsigned long long>(s.notes_in_flight),
              static_cast<unsigned long long>(s.notes_lost));
  std::printf("  sessions      %llu, %llu failed; %.1f KiB up, %.1f KiB down\n",
              static_cast<unsigned long long>(s.sessions),
              static_cast<unsigned long long>(s.session_failures), s.bytes_uplink / 1024.0,
              s.bytes_downlink / 1024.0);
  for (const auto& [name, r] : s.per_rat) {
    std::printf("  %-12s  %llu twins (%llu in coverage), %llu sessions, %llu failed\n",
                name.c_str(), static_cast<unsigned long long>(r.twins),
                static_cast<unsigned long long>(r.twins_in_coverage),
                static_cast<unsigned long long>(r.sessions),
                static_cast<unsigned long long>(r.session_failures));
  }
  std::printf("  battery       %.2f mAh used on average, %.2f at most\n", s.battery_mah_used_mean,
              s.battery_mah_used_max);
  for (const auto& c : s.dfu.campaigns) {  // factor 8 (docs/cloud-dfu.md)
    std::printf(
        "  dfu %-8s  %llu targeted, %llu applied, %llu failed, %llu rolled back%s\n",
        c.name.c_str(), static_cast<unsigned long long>(c.twins_targeted),
        static_cast<unsigned long long>(c.applied), static_cast<unsigned long long>(c.failed),
        static_cast<unsigned long long>(c.rolled_back), c.halted_at_s >= 0 ? " (halted)" : "");
  }
  std::printf("Wrote %s, %s and %s (+ CSVs)\n", (out / "summary.json").c_str(),
              (out / "twins.sqlite").c_str(), (out / "report.html").c_str());
}

// Every assertion with its measured value; with --quiet only the failures (for CI logs).
void print_assertions(const std::vector<sim::assertion_result>& results, bool quiet) {
  if (results.empty()) return;
  std::size_t failed = 0;
  for (const auto& a : results) failed += a.passed ? 0 : 1;
  FILE* out = failed > 0 ? stderr : stdout;
  if (!quiet || failed > 0) {
    std::fprintf(out, "Assertions: %zu passed, %zu failed\n", results.size() - failed, failed);
  }
  for (const auto& a : results) {
    if (quiet && a.passed) continue;
    char measured[64] = "no value";
    if (a.measured) std::snprintf(measured, sizeof measured, "%.6g", *a.measured);
    const std::string label = a.name == a.expect ? a.expect : a.name + ": " + a.expect;
    std::fprintf(out, "  %s  %s (measured %s%s%s)\n", a.passed ? "PASS" : "FAIL", label.c_str(),
                 measured, a.detail.empty() ? "" : "; ", a.detail.c_str());
  }
}

}  // namespace

int run_command(const run_args& args) {
  auto input = build_input(args);
  if (!input) {
    std::fprintf(stderr, "twelvefold run: bad input:\n%s", input.error().c_str());
    return exit_bad_input;
  }
  const auto& world = input->world;
  const std::filesystem::path out = args.out_dir.empty()
                                        ? std::filesystem::path("out") / world->scenario_name
                                        : std::filesystem::path(args.out_dir);
  sim::run_options options;
  options.assertions = input->file.assertions;
  auto stop_at = parse_stop_at(args.stop_at);
  if (!stop_at) {
    std::fprintf(stderr, "twelvefold run: bad input: %s\n", stop_at.error().c_str());
    return exit_bad_input;
  }
  options.stop_at_us = *stop_at;
  // What `twelvefold resume OUT` needs (docs/cli.md, "Resuming a run").
  if (auto ok = sim::record_run_start(out, input->file, input->overrides, *world); !ok) {
    std::fprintf(stderr, "twelvefold run: %s\n", ok.error().c_str());
    return exit_failed;
  }
  return run_and_report("run", world, options, out, args);
}

std::expected<std::optional<std::int64_t>, std::string> parse_stop_at(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto at = sim::parse_duration_us(text);
  if (!at || *at <= 0) {
    return std::unexpected("--stop-at: " + (at ? std::string("must be positive") : at.error()));
  }
  return *at;
}

int run_and_report(const char* command, std::shared_ptr<const actors::world> world,
                   sim::run_options& options, const std::filesystem::path& out,
                   const run_args& args) {
  if (args.threads < 1 || args.threads > 256) {
    std::fprintf(stderr, "twelvefold %s: --threads must be within [1, 256]\n", command);
    return exit_bad_input;
  }
  options.threads = args.threads;
  options.out_dir = out;
  options.stop_requested = &stop_requested;
  options.realtime_speed = args.realtime;
  progress_bar bar(stdout);
  const bool show_progress = !args.quiet && !args.json && isatty(STDOUT_FILENO) != 0;
  if (show_progress) options.on_progress = [&bar](const sim::progress& p) { bar.update(p); };
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);

  auto summary = sim::run_world(std::move(world), options);
  if (show_progress) bar.finish();
  if (!summary) {
    const sim::run_error_kind kind = summary.error().kind;
    std::fprintf(stderr, "twelvefold %s: %s%s\n", command,
                 kind == sim::run_error_kind::bad_input ? "bad input: " : "",
                 summary.error().message.c_str());
    if (kind == sim::run_error_kind::interrupted) return exit_interrupted;
    return kind == sim::run_error_kind::bad_input ? exit_bad_input : exit_failed;
  }
  if (auto ok = sim::write_summary(out, *summary); !ok) {
    std::fprintf(stderr, "twelvefold %s: %s\n", command, ok.error().c_str());
    return exit_failed;
  }
  // report.html and the CSVs (docs/outputs.md, "Reports"); a run without them has failed.
  if (auto report = sim::write_report(out); !report) {
    std::fprintf(stderr, "twelvefold %s: %s\n", command, report.error().message.c_str());
    return exit_failed;
  }
  // Last, once everything it describes is on disk: stopped (resumable) or finished.
  if (auto ok = sim::record_run_end(out, *summary); !ok) {
    std::fprintf(stderr, "twelvefold %s: %s\n", command, ok.error().c_str());
    return exit_failed;
  }
  if (args.json) {
    std::fputs(sim::summary_json(*summary).c_str(), stdout);
  } else if (!args.quiet) {
    print_human_summary(*summary, out);
  }
  if (summary->stopped_early) {
    if (!args.json && !args.quiet) {
      std::printf("Stopped at %.1f simulated hours; continue with: twelvefold resume %s\n",
                  summary->stop ? summary->stop->kernel.next_window_us / 3.6e9
                                : summary->sim_seconds / 3600,
                  out.c_str());
    }
    return exit_interrupted;
  }
  const bool failed =
      std::ranges::any_of(summary->assertions, [](const auto& a) { return !a.passed; });
  if (!args.json) print_assertions(summary->assertions, args.quiet);
  return failed ? exit_failed : exit_ok;
}

int validate_command(const std::string& scenario, const std::vector<std::string>& params,
                     bool json) {
  auto loaded = load_input(scenario, params);
  if (!loaded) {
    if (json) {
      std::cout << nlohmann::json{{"valid", false}, {"errors", loaded.error()}}.dump() << "\n";
    } else {
      std::fprintf(stderr, "%s", loaded.error().c_str());
    }
    return exit_bad_input;
  }
  std::uint64_t twins = 0;
  const double scale = loaded->spec->has_scale() ? loaded->spec->scale() : 1.0;
  for (const auto& fleet : loaded->spec->fleets()) {
    twins +=
        std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(fleet.count() * scale)));
  }
  if (json) {
    std::cout << nlohmann::json{{"valid", true},
                                {"scenario", loaded->spec->name()},
                                {"twins", twins},
                                {"file", loaded->path.string()}}
                     .dump()
              << "\n";
  } else {
    std::printf("%s: ok: scenario \"%s\", %llu twins in %d fleets, %d regions\n",
                loaded->path.c_str(), loaded->spec->name().c_str(),
                static_cast<unsigned long long>(twins), loaded->spec->fleets_size(),
                loaded->spec->regions_size());
  }
  return exit_ok;
}

}  // namespace twelvefold::cli
