// Config timeline events (EnvChange, FleetMove) applied by the management service.
#pragma once

#include <cstdint>
#include <vector>

#include "cloud/config.hpp"
#include "twelvefold/scenario/v1/scenario.pb.h"

namespace twelvefold::actors::cloud {

// Applies one event at `at_us`; names were checked by the scenario loader, but a serial that
// does not exist in this run (e.g. after --scale) is skipped. Returns false for other kinds.
bool apply_config_event(config_state& config, const world& w,
                        const scenario::v1::TimelineEvent& event, std::int64_t at_us,
                        std::vector<cloud_event>& events);

}  // namespace twelvefold::actors::cloud
