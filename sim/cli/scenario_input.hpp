// Resolving the SCENARIO argument of the CLI into a checked, built world.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "twelvefold/actors/world.hpp"
#include "twelvefold/sim/scenario.hpp"
#include "twelvefold/sim/world_builder.hpp"

namespace twelvefold::cli {

// Loads the scenario named by `scenario` (or the embedded quickstart) with its #param values
// from `params` ("NAME=VALUE"). build_input also applies --seed, --scale and --duration. On bad
// input both return the message to print (file:line:col: ...).
std::expected<sim::scenario_file, std::string> load_input(const std::string& scenario,
                                                          const std::vector<std::string>& params);
struct run_input {
  sim::scenario_file file;
  std::shared_ptr<const actors::world> world;
  sim::world_overrides overrides;  // kept for resume (resume.json "options")
};
std::expected<run_input, std::string> build_input(const run_args& args);

}  // namespace twelvefold::cli
