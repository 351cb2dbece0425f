#include "scenario_input.hpp"

#include "embedded_scenarios.hpp"
#include "twelvefold/sim/world_builder.hpp"

namespace twelvefold::cli {

std::expected<sim::scenario_file, std::string> load_input(const std::string& scenario,
                                                          const std::vector<std::string>& params) {
  sim::load_options options;
  options.firmware_search_path = sim::default_firmware_search_path();
  for (const std::string& p : params) {
    const std::size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return std::unexpected("--param " + p + ": expected NAME=VALUE\n");
    }
    options.params[p.substr(0, eq)] = p.substr(eq + 1);
  }
  auto loaded = scenario.empty() ? sim::parse_scenario(std::string(embedded_quickstart()),
                                                       "<embedded quickstart>", ".", options)
                                 : sim::load_scenario(scenario, options);
  if (!loaded) return std::unexpected(sim::to_string(loaded.error()));
  return std::move(*loaded);
}

std::expected<run_input, std::string> build_input(const run_args& args) {
  auto loaded = load_input(args.scenario, args.params);
  if (!loaded) return std::unexpected(loaded.error());
  sim::world_overrides overrides;
  overrides.seed = args.seed;
  if (args.scale) {
    if (!(*args.scale > 0)) return std::unexpected("--scale: must be > 0\n");
    overrides.twin_scale = args.scale;
  }
  if (!args.duration.empty()) {
    auto d = sim::parse_duration_us(args.duration);
    if (!d || *d <= 0) {
      return std::unexpected("--duration: " + (d ? std::string("must be positive") : d.error()) +
                             "\n");
    }
    overrides.duration_us = *d;
  }
  auto world = sim::build_world(*loaded, overrides);
  return run_input{std::move(*loaded), std::move(world), overrides};
}

}  // namespace twelvefold::cli
