// Resuming a stopped run by deterministic re-execution (docs/cli.md, "Resuming a run").
//
// A resumed run replays its prefix up to the stop point: the simulation runs exactly as it
// did, but what it already recorded must not be recorded twice. These are the messages that
// put the recording actors in replay mode and bring them back:
//   solution service: (replay_atom, std::vector<route_counters> at_stop) -> bool
//       real sinks (NDJSON, HTTP, MQTT) count what they are handed and send nothing; their
//       counters start from those recorded at the stop
//     (live_atom) -> std::vector<std::uint64_t>: events handed to each route while replaying
//   twin-store writer (spawn_resuming_twin_store_writer): drops every write while replaying
//     (live_atom) -> std::vector<std::uint64_t>{events, sessions} received while replaying;
//       opens the store
//     (collect_atom) -> std::vector<std::uint64_t>{events, sessions} received in the whole run
#pragma once

#include <cstdint>

#include <caf/atom.hpp>

namespace twelvefold::actors {

using replay_atom = caf::atom_constant<caf::atom("replay")>;
using live_atom = caf::atom_constant<caf::atom("live")>;

// Rows of the append-only tables the previous process(es) already wrote: the first `events`
// events and `sessions` sessions the resumed run produces are the same ones, and are dropped.
struct store_skip {
  std::uint64_t events = 0;
  std::uint64_t sessions = 0;
};

}  // namespace twelvefold::actors
