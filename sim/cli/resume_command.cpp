// `twelvefold resume OUT`: continues a stopped run by replaying its prefix (docs/cli.md,
// "Resuming a run").
#include <cstdio>

#include "commands.hpp"
#include "run_and_report.hpp"
#include "twelvefold/sim/resume_state.hpp"

namespace twelvefold::cli {

int resume_command(const run_args& args) {
  const std::filesystem::path out(args.out_dir);
  auto stop_at = parse_stop_at(args.stop_at);
  if (!stop_at) {
    std::fprintf(stderr, "twelvefold resume: bad input: %s\n", stop_at.error().c_str());
    return exit_bad_input;
  }
  auto input = sim::prepare_resume(out, sim::default_firmware_search_path());
  if (!input) {
    std::fprintf(stderr, "twelvefold resume: cannot resume: %s\n", input.error().c_str());
    return exit_bad_input;
  }
  if (!args.quiet && !args.json) {
    std::printf("Resuming %s at %.1f simulated hours (resume %u): replaying the prefix first\n",
                out.c_str(), static_cast<double>(input->plan.expected.next_window_us) / 3.6e9,
                input->plan.times_resumed);
  }
  sim::run_options options;
  options.assertions = input->scenario.assertions;
  options.replay = &input->plan;
  options.stop_at_us = *stop_at;
  return run_and_report("resume", input->world, options, out, args);
}

}  // namespace twelvefold::cli
