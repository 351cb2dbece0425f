// Resolving the SCENARIO argument of the CLI into a checked, built world.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "commands.hpp"
#include "twelvefold/actors/world.hpp"
#include "twelvefold/sim/scenario.hpp"

namespace twelvefold::cli {

// Loads the scenario named by args.scenario (or the embedded quickstart), applying --seed,
// --scale and --duration. On bad input returns the message to print (file:line:col: ...).
std::expected<sim::scenario_file, std::string> load_input(const std::string& scenario);
std::expected<std::shared_ptr<const actors::world>, std::string> build_input(const run_args& args);

}  // namespace twelvefold::cli
