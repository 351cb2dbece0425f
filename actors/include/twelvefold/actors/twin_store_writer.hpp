// The twin-store writer actor: the one writer of a run's SQLite file, on a thread of its own
// (SQLite calls block). Protocol:
//   (upsert_atom, std::vector<twin_row>) -> bool, or an error naming the file and the cause
//   (events_atom, std::vector<cloud_event>) -> bool   (appended to table events)
//   (sessions_atom, std::vector<session_row>) -> bool  (appended to table sessions)
//   (sample_atom, std::vector<metric_sample>) -> bool  (appended to table metrics)
//   (expire_atom, int64 before_us) -> bool            (retention: older events/sessions go)
//   (close_atom) -> bool   (closes the database: a checkpointed, self-contained file)
//   (collect_atom) -> std::vector<uint64_t>{events, sessions} received so far (resume state)
// A resumed run's writer (replay.hpp) also answers (live_atom).
#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "twelvefold/actors/replay.hpp"
#include "twelvefold/actors/twin_store.hpp"

namespace twelvefold::actors {

caf::actor spawn_twin_store_writer(caf::actor_system& system, std::unique_ptr<twin_store> store);

// For a resumed run: starts in replay mode (drops every write, leaves `path` untouched) and
// opens the existing store at `path` on (live_atom); `skip` rows were written before the stop.
caf::actor spawn_resuming_twin_store_writer(caf::actor_system& system, std::filesystem::path path,
                                            store_skip skip);

}  // namespace twelvefold::actors
