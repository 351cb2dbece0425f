// The twelvefold subcommands. Each returns the process exit code:
// 0 success, 1 the run failed, 2 bad input (the message names the file and what is wrong),
// 130 stopped by Ctrl-C (everything recorded so far is kept).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace twelvefold::cli {

enum exit_code : int { exit_ok = 0, exit_failed = 1, exit_bad_input = 2, exit_interrupted = 130 };

// One worker per core: results do not depend on it (determinism), only speed does.
inline int default_threads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(std::min(cores, 256u));
}

struct run_args {
  std::string scenario;  // empty: the embedded quickstart
  std::string out_dir;   // empty: out/<scenario name>
  std::optional<std::uint64_t> seed;
  int threads = default_threads();
  std::optional<double> scale;
  std::string duration;  // empty: the scenario's
  bool quiet = false;
  double realtime = 0;  // --realtime SPEED; 0 = as fast as possible
  bool json = false;
  std::vector<std::string> params;  // --param NAME=VALUE, for the scenario's #param
  std::string stop_at;              // --stop-at TIME: stop there as Ctrl-C would (resumable)
};

// `twin show` / `twin list` over a run's twin store.
struct twin_args {
  std::string db;  // a run's output directory or its twins.sqlite; empty: default_store()
  std::string serial;
  int history = 10;  // rows of each history table shown by `twin show`
  std::string fleet, rat, state, firmware;
  int limit = 50;  // rows printed by `twin list`; 0 = all
  bool json = false;
};

int run_command(const run_args& args);
// `twelvefold resume OUT` (resume_command.cpp): args.out_dir is OUT; threads, quiet, json,
// realtime and stop_at apply, the rest comes from OUT/resume.json.
int resume_command(const run_args& args);
int validate_command(const std::string& scenario, const std::vector<std::string>& params,
                     bool json);
int bench_command(const run_args& args);
int twin_show_command(const twin_args& args);
int twin_list_command(const twin_args& args);
// The store the query commands read when none is given: the newest out/*/twins.sqlite.
std::string default_store();

}  // namespace twelvefold::cli

namespace CLI {
class App;
}

namespace twelvefold::cli {

// Registers `twelvefold events` (events_command.cpp); the returned function runs it after
// parsing when it was the chosen subcommand (otherwise it returns nullopt).
std::function<std::optional<int>()> add_events_command(CLI::App& app);
// Registers `twelvefold report` (report_command.cpp), the same way.
std::function<std::optional<int>()> add_report_command(CLI::App& app);

}  // namespace twelvefold::cli
