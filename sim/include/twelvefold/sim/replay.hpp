// What the kernel needs to resume a stopped run by deterministic re-execution, and what it
// reports about a stop (docs/cli.md, "Resuming a run"). resume_state.hpp keeps it in OUT.
//
// Why a replay and not a memory snapshot: a twin's state includes its firmware's RAM image,
// which holds absolute pointers into the loaded copy of the firmware library and its heap
// arena (docs/firmware.md, "RAM images"); a new process loads the library elsewhere, so saved
// images cannot be restored in general. The simulation is deterministic, so the resumed run
// re-executes the prefix with every output suppressed and checks it arrived where it stopped.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "twelvefold/actors/replay.hpp"
#include "twelvefold/actors/routes_report.hpp"

namespace twelvefold::sim {

// The kernel's state at a window boundary: enough that a changed firmware, scenario or build
// moves it (the digest folds in every session's uplink bytes and every completion).
struct kernel_fingerprint {
  std::uint64_t windows = 0;         // windows run
  std::int64_t next_window_us = -1;  // start of the next window (-1: nothing left)
  std::uint64_t activations = 0;
  std::uint64_t sessions = 0;     // sessions started (sent to the network)
  std::uint64_t completions = 0;  // session completions received
  std::uint64_t digest = 0;       // FNV-1a over session starts and completions, in order
  std::uint64_t calendar_wakes = 0;
  std::uint64_t completions_pending = 0;
  std::int64_t next_sample_us = 0;
  std::uint64_t network_events_applied = 0;
  std::uint64_t cloud_events_applied = 0;

  friend bool operator==(const kernel_fingerprint&, const kernel_fingerprint&) = default;
};

// "" when equal, else each differing field as "name: recorded R, replayed X".
std::string fingerprint_difference(const kernel_fingerprint& recorded,
                                   const kernel_fingerprint& replayed);

// Where a stopped run stopped (run_summary::stop).
struct stop_point {
  kernel_fingerprint kernel;
  actors::store_skip store;  // events and sessions the twin-store writer received, whole run
};

// What a resumed run replays (run_options::replay).
struct replay_plan {
  kernel_fingerprint expected;                // replay expected.windows windows, then compare
  actors::store_skip store;                   // rows already in twins.sqlite
  std::vector<actors::route_counters> sinks;  // route counters at the stop
  std::uint32_t times_resumed = 1;            // this resume included
  // Called once the replay arrived at `expected`, before anything in OUT is written.
  std::function<std::expected<void, std::string>()> before_live;
};

// summary.json "resume" (present when times_resumed > 0).
struct resume_report {
  std::uint32_t times_resumed = 0;
  double resumed_from_s = 0;       // virtual time this process went live at
  double replay_wall_seconds = 0;  // wall time this process spent replaying the prefix
};

}  // namespace twelvefold::sim
