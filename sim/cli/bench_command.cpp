// `twelvefold bench`: runs a scenario without writing outputs and prints the figures that
// matter for scale: twins, activations per second, wall time, peak memory, bytes per twin.
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "scenario_input.hpp"
#include "twelvefold/sim/kernel.hpp"

namespace twelvefold::cli {
namespace {

// Resident set size now, from /proc (bytes).
std::uint64_t current_rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages_total = 0;
  std::uint64_t pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * 4096;
}

std::uint64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
}

}  // namespace

int bench_command(const run_args& args) {
  const std::uint64_t rss_before = current_rss_bytes();
  auto input = build_input(args);
  if (!input) {
    std::fprintf(stderr, "twelvefold bench: bad input:\n%s", input.error().c_str());
    return exit_bad_input;
  }
  sim::run_options options;
  options.threads = args.threads;
  auto summary = sim::run_world(input->world, options);
  if (!summary) {
    std::fprintf(stderr, "twelvefold bench: %s\n", summary.error().message.c_str());
    return summary.error().kind == sim::run_error_kind::bad_input ? exit_bad_input : exit_failed;
  }
  const std::uint64_t peak = peak_rss_bytes();
  const double twins = static_cast<double>(summary->twins);
  const double per_twin = twins > 0 ? static_cast<double>(peak - rss_before) / twins : 0;
  const double rate = summary->wall_seconds > 0 ? summary->activations / summary->wall_seconds : 0;
  const double network_us_per_session =
      summary->sessions > 0 ? summary->network_busy_seconds * 1e6 / summary->sessions : 0;
  if (args.json) {
    nlohmann::ordered_json j{{"scenario", summary->scenario},
                             {"twins", summary->twins},
                             {"threads", summary->threads},
                             {"sim_seconds", summary->sim_seconds},
                             {"wall_seconds", summary->wall_seconds},
                             {"activations", summary->activations},
                             {"activations_per_second", rate},
                             {"sessions", summary->sessions},
                             {"network_busy_seconds", summary->network_busy_seconds},
                             {"network_us_per_session", network_us_per_session},
                             {"peak_rss_bytes", peak},
                             {"bytes_per_twin", per_twin}};
    std::printf("%s\n", j.dump(2).c_str());
    return exit_ok;
  }
  std::printf("scenario              %s\n", summary->scenario.c_str());
  std::printf("twins                 %llu\n", static_cast<unsigned long long>(summary->twins));
  std::printf("threads               %d\n", summary->threads);
  std::printf("simulated             %.1f h\n", summary->sim_seconds / 3600);
  std::printf("wall time             %.2f s\n", summary->wall_seconds);
  std::printf("activations           %llu\n",
              static_cast<unsigned long long>(summary->activations));
  std::printf("activations/s         %.0f\n", rate);
  std::printf("sessions              %llu\n", static_cast<unsigned long long>(summary->sessions));
  std::printf("network actor busy    %.2f s (%.2f us per session; its share of wall %.0f%%)\n",
              summary->network_busy_seconds, network_us_per_session,
              summary->wall_seconds > 0
                  ? 100 * summary->network_busy_seconds / summary->wall_seconds
                  : 0.0);
  std::printf("peak memory           %.1f MiB\n", peak / 1048576.0);
  std::printf("bytes per twin        %.0f (peak RSS growth over the run / twins)\n", per_twin);
  return exit_ok;
}

}  // namespace twelvefold::cli
