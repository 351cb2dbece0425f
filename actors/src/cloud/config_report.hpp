// The "config" object of summary.json (docs/outputs.md, docs/cloud-config.md).
#pragma once

#include <cstdint>
#include <string>

#include "cloud/config.hpp"
#include "cloud/health.hpp"
#include "cloud/logs.hpp"

namespace twelvefold::actors::cloud {

// Compact JSON: env_changes, fleet_moves, sessions_refused_decommissioned, logs, health.
[[nodiscard]] std::string config_report_json(const config_state& config,
                                             const health_monitor& health, const log_totals& logs,
                                             std::uint64_t sessions_refused_decommissioned);

}  // namespace twelvefold::actors::cloud
