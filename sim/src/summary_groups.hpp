// summary.json per_fleet / per_region radio and delivery figures, and the reconnect object
// (docs/outputs.md): gathered from the services' per-group aggregates at the end of a run.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "twelvefold/actors/device_shard.hpp"
#include "twelvefold/actors/network.hpp"
#include "twelvefold/actors/services.hpp"
#include "twelvefold/sim/kernel.hpp"

namespace twelvefold::sim {

// Fills every per_fleet entry's `group` (entries must exist: one per fleet with twins),
// per_region (every region of the world) and reconnect. `finals` is indexed by twin;
// `reconnect_syncs` is the shards' count of sessions started on re-registration.
void fill_group_summaries(run_summary& sum, const actors::world& w,
                          const actors::network_totals& network,
                          const actors::solution_totals& solution,
                          const std::vector<actors::twin_final>& finals,
                          std::uint64_t reconnect_syncs);

// The keys of a group, added to a per_fleet / per_region object.
void add_group_json(nlohmann::ordered_json& object, const group_summary& g);
// The share of the Notes added that reached the store; 1 when none were added.
inline double delivered_ratio(std::uint64_t notes_added, std::uint64_t notes_delivered) {
  return notes_added > 0 ? static_cast<double>(notes_delivered) / static_cast<double>(notes_added)
                         : 1.0;
}
nlohmann::ordered_json per_region_json(const run_summary& s);
nlohmann::ordered_json reconnect_json(const run_summary& s);

}  // namespace twelvefold::sim
