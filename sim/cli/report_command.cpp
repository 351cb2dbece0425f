// `twelvefold report OUTDIR`: (re)writes report.html, timeseries.csv and latency_histogram.csv
// from a run's output directory (summary.json, and twins.sqlite when present). `run` writes the
// same files at the end of a run; this command rebuilds them, e.g. after an upgrade.
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "twelvefold/sim/report.hpp"

namespace twelvefold::cli {
namespace {

struct report_args {
  std::string dir;
  bool json = false;
};

int run_report(const report_args& a) {
  auto files = sim::write_report(a.dir);
  if (!files) {
    std::fprintf(stderr, "twelvefold report: %s%s\n", files.error().bad_input ? "bad input: " : "",
                 files.error().message.c_str());
    return files.error().bad_input ? exit_bad_input : exit_failed;
  }
  if (a.json) {
    nlohmann::ordered_json out = {{"written", nlohmann::ordered_json::array()},
                                  {"notes", files->notes}};
    for (const auto& p : files->written) out["written"].push_back(p.string());
    std::printf("%s\n", out.dump(2).c_str());
    return exit_ok;
  }
  for (const auto& n : files->notes)
    std::fprintf(stderr, "twelvefold report: note: %s\n", n.c_str());
  for (const auto& p : files->written) std::printf("Wrote %s\n", p.c_str());
  return exit_ok;
}

}  // namespace

std::function<std::optional<int>()> add_report_command(CLI::App& app) {
  auto args = std::make_shared<report_args>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write OUT/report.html (self-contained charts and tables), OUT/timeseries.csv and "
      "OUT/latency_histogram.csv from a run's output directory");
  cmd->add_option("out", args->dir, "A run's output directory (with summary.json)")->required();
  cmd->add_flag("--json", args->json, "Print the files written as JSON");
  return [cmd, args]() -> std::optional<int> {
    if (!cmd->parsed()) return std::nullopt;
    return run_report(*args);
  };
}

}  // namespace twelvefold::cli
