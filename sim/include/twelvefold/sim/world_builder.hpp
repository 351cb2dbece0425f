// Builds the immutable run description (actors::world) from a checked scenario: places the
// twins, spreads their boots, resolves defaults. Deterministic in the scenario's seed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "twelvefold/actors/world.hpp"
#include "twelvefold/sim/scenario.hpp"

namespace twelvefold::sim {

struct world_overrides {
  std::optional<std::uint64_t> seed;
  // Scales every fleet's count (at least one twin per fleet): runs a shipped scenario at
  // reduced size, e.g. in tests.
  std::optional<double> twin_scale;
  std::optional<std::int64_t> duration_us;
};

std::shared_ptr<const actors::world> build_world(const scenario_file& scenario,
                                                 const world_overrides& overrides = {});

}  // namespace twelvefold::sim
