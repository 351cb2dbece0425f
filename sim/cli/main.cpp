// twelvefold: the command line.
#include <CLI/CLI.hpp>

#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace twelvefold::cli;
  CLI::App app{
      "twelvefold: fleet simulator and digital twins for twelve-factor connected devices.\n"
      "Runs scenarios of firmware-driven twins over modelled radio links to simulated cloud\n"
      "services, in virtual time. Exit codes: 0 ok, 1 run failed, 2 bad input, 130 stopped."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "twelvefold 0.1.0");

  run_args run;
  auto add_run_options = [](CLI::App* cmd, run_args& a) {
    cmd->add_option("--seed", a.seed, "Seed for every random stream (default: the scenario's)");
    cmd->add_option("--threads", a.threads, "Worker threads (and device shards)")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    cmd->add_option("--scale", a.scale,
                    "Multiply every fleet's count (e.g. 0.01 for a quick look)");
    cmd->add_option("--duration", a.duration, "Override the simulated duration (e.g. 6h)");
    cmd->add_flag("--json", a.json, "Print the summary as JSON");
  };

  CLI::App* run_cmd =
      app.add_subcommand("run", "Run a scenario; writes OUT/summary.json and OUT/twins.sqlite");
  run_cmd->add_option("scenario", run.scenario,
                      "Scenario directory or .txtpb file (default: the built-in quickstart)");
  run_cmd->add_option("--out", run.out_dir, "Output directory (default: out/<scenario name>)");
  run_cmd->add_flag("--quiet", run.quiet, "No progress bar and no summary on stdout");
  run_cmd
      ->add_option("--realtime", run.realtime,
                   "Pace simulated time at SPEED x the wall clock (1 = real time); the "
                   "summary reports how far the run lagged")
      ->check(CLI::PositiveNumber);
  add_run_options(run_cmd, run);

  std::string validate_path;
  bool validate_json = false;
  CLI::App* validate_cmd = app.add_subcommand(
      "validate", "Check a scenario file; prints every problem as FILE:LINE:COL: message");
  validate_cmd->add_option("scenario", validate_path, "Scenario directory or .txtpb file")
      ->required();
  validate_cmd->add_flag("--json", validate_json, "Print the result as JSON");

  run_args bench;
  bench.scenario = "scenarios/scale-100k";
  CLI::App* bench_cmd = app.add_subcommand(
      "bench",
      "Run a scenario without outputs and print twins, activations/s, wall time, "
      "peak memory and bytes per twin");
  bench_cmd->add_option("scenario", bench.scenario, "Scenario directory or .txtpb file")
      ->capture_default_str();
  add_run_options(bench_cmd, bench);

  const auto events_command = add_events_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help and usage errors; bad usage is bad input.
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_bad_input;
  }
  if (run_cmd->parsed()) return run_command(run);
  if (validate_cmd->parsed()) return validate_command(validate_path, validate_json);
  if (bench_cmd->parsed()) return bench_command(bench);
  if (const auto code = events_command()) return *code;
  return exit_bad_input;
}
