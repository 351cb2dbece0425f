// `twelvefold resume OUT`: continues a stopped run by replaying its prefix (docs/cli.md,
// "Resuming a run").
#include <cstdio>

#include "commands.hpp"
#include "run_and_report.hpp"
#include "twelvefold/sim/resume_state.hpp"

namespace twelvefold::cli {

int resume_command(const run_args& args) {
  const std::filesystem::path out(args.out_dir);
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
  return run_and_report("resume", input->world, options, out, args);
}

}  // namespace twelvefold::cli
