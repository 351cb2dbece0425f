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
    cmd->add_option("--param", a.params, "Set a scenario #param (NAME=VALUE; repeat for several)");
  };

  CLI::App* run_cmd = app.add_subcommand(
      "run", "Run a scenario; writes OUT/summary.json, OUT/twins.sqlite, OUT/report.html");
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
  const char* stop_at_help =
      "Stop at the first window boundary at or after this simulated time (e.g. 12h), as "
      "Ctrl-C would: everything so far is written and `twelvefold resume OUT` continues";
  run_cmd->add_option("--stop-at", run.stop_at, stop_at_help);

  run_args resume;
  CLI::App* resume_cmd = app.add_subcommand(
      "resume",
      "Continue a run stopped by Ctrl-C (or --stop-at) from its output directory: replays the\n"
      "run up to where it stopped without writing anything, checks it arrived at the same\n"
      "state, then goes on recording. The result is the same as a run never interrupted.");
  resume_cmd->add_option("out", resume.out_dir, "The stopped run's output directory")->required();
  resume_cmd->add_option("--threads", resume.threads, "Worker threads (and device shards)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  resume_cmd->add_flag("--quiet", resume.quiet, "No progress bar and no summary on stdout");
  resume_cmd->add_flag("--json", resume.json, "Print the summary as JSON");
  resume_cmd
      ->add_option("--realtime", resume.realtime,
                   "Pace simulated time at SPEED x the wall clock after the replay")
      ->check(CLI::PositiveNumber);
  resume_cmd->add_option("--stop-at", resume.stop_at, stop_at_help);

  std::string validate_path;
  bool validate_json = false;
  std::vector<std::string> validate_params;
  CLI::App* validate_cmd = app.add_subcommand(
      "validate", "Check a scenario file; prints every problem as FILE:LINE:COL: message");
  validate_cmd->add_option("scenario", validate_path, "Scenario directory or .txtpb file")
      ->required();
  validate_cmd->add_flag("--json", validate_json, "Print the result as JSON");
  validate_cmd->add_option("--param", validate_params,
                           "Set a scenario #param (NAME=VALUE; repeat for several)");

  run_args bench;
  bench.scenario = "scenarios/scale-100k";
  CLI::App* bench_cmd = app.add_subcommand(
      "bench",
      "Run a scenario without outputs and print twins, activations/s, wall time, "
      "peak memory and bytes per twin");
  bench_cmd->add_option("scenario", bench.scenario, "Scenario directory or .txtpb file")
      ->capture_default_str();
  add_run_options(bench_cmd, bench);

  twin_args twin;
  CLI::App* twin_cmd =
      app.add_subcommand("twin", "Show or list the digital twins a run recorded (twins.sqlite)");
  twin_cmd->require_subcommand(1);
  auto add_db_option = [](CLI::App* cmd, std::string& db) {
    cmd->add_option("--db", db,
                    "A run's output directory or its twins.sqlite (default: the newest "
                    "out/*/twins.sqlite)");
  };
  CLI::App* twin_show = twin_cmd->add_subcommand(
      "show", "One twin: its record, bindings, fleets, env, firmware, sessions and events");
  twin_show->add_option("serial", twin.serial, "Product serial, e.g. ENV-AMS-0000042")->required();
  add_db_option(twin_show, twin.db);
  twin_show->add_option("--history", twin.history, "Rows of each history shown")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  twin_show->add_flag("--json", twin.json, "Print the twin as JSON");
  CLI::App* twin_list = twin_cmd->add_subcommand("list", "Twins matching filters, by serial");
  add_db_option(twin_list, twin.db);
  twin_list->add_option("--fleet", twin.fleet, "Only twins of this fleet");
  twin_list->add_option("--rat", twin.rat, "Only twins whose modem is on this RAT (e.g. lte-m)");
  twin_list->add_option("--state", twin.state,
                        "Only twins in this state: radio status (preferred, fallback, failing, "
                        "dark, never) or fleet lifecycle state");
  twin_list->add_option("--firmware", twin.firmware,
                        "Only twins running this firmware (name, or name@version)");
  twin_list->add_option("--limit", twin.limit, "Rows to print (0 = all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  twin_list->add_flag("--json", twin.json, "Print the twins as JSON");
  const auto events_command = add_events_command(app);
  const auto report_command = add_report_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help and usage errors; bad usage is bad input.
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_bad_input;
  }
  if (run_cmd->parsed()) return run_command(run);
  if (resume_cmd->parsed()) return resume_command(resume);
  if (validate_cmd->parsed())
    return validate_command(validate_path, validate_params, validate_json);
  if (bench_cmd->parsed()) return bench_command(bench);
  if (twin_show->parsed()) return twin_show_command(twin);
  if (twin_list->parsed()) return twin_list_command(twin);
  if (const auto code = events_command()) return *code;
  if (const auto code = report_command()) return *code;
  return exit_bad_input;
}
