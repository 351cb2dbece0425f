// The device actor. One device actor hosts a contiguous shard of twins and runs their firmware
// on its own loaded copy of each firmware image: DESIGN.md's "bind twins to copies" and
// "batch everything that crosses a thread" make the shard, not the single twin, the unit that
// receives messages (one message per window, not one per twin: a message to each of 1M
// distinct actors runs at 0.14-0.33M/s here, well below the activation rate we need).
//
// Each twin still owns what a device owns: its module (queues, env, time), its RAM image, its
// random streams and its battery. Twins never touch each other's state.
//
// Protocol:
//   (run_window_atom, window_work) -> window_result
//       Applies session completions and runs due wakes in (time, twin) order.
//   (collect_atom, std::vector<std::uint64_t> cloud_acked_through) -> shard_totals
//       End-of-run ground truth per twin (cloud_acked_through is indexed by global twin).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/meta/type_name.hpp>

#include "twelvefold/actors/messages.hpp"
#include "twelvefold/actors/world.hpp"

namespace twelvefold::shim {
class firmware_library;
class external_firmware;
}  // namespace twelvefold::shim

namespace twelvefold::actors {

struct twin_final {
  twin_index twin = 0;
  std::string firmware;
  double battery_mah_used = 0;
  double battery_v = 0;
  std::uint64_t notes_in_flight = 0;  // on the device and not yet stored by the cloud
  std::uint32_t resets = 0;           // firmware faults that reset the twin
  std::uint64_t notes_added = 0;      // note.add accepted over the run (per-fleet figures)
};

struct shard_totals {
  std::uint64_t activations = 0;
  std::uint64_t notes_added = 0;
  std::uint64_t notes_lost = 0;
  std::uint64_t notes_in_flight = 0;
  std::uint64_t requests = 0;
  std::uint64_t request_errors = 0;
  std::uint64_t missing_sleep_requests = 0;
  std::uint64_t inbound_dropped = 0;  // inbound Notes lost to full inbound queues
  std::uint64_t web_responses = 0;    // web answers the modules received
  std::map<std::string, std::uint64_t> resets_by_reason;  // "assert", "watchdog", ...
  std::vector<twin_final> twins;
  std::uint64_t auth_downlinks_rejected = 0;  // failed the secure element's server check
  std::uint64_t module_wakes = 0;             // a module's own syncs while its host slept
  std::map<std::string, std::uint64_t> request_errors_by_tag;  // "web-pending", "io", ...
  std::map<std::string, std::uint64_t> external;  // external twins' link counters, by name
  std::uint64_t reconnect_syncs = 0;              // sessions started as the modem re-registered
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, twin_final& x) {
  return f(caf::meta::type_name("twin_final"), x.twin, x.firmware, x.battery_mah_used, x.battery_v,
           x.notes_in_flight, x.resets, x.notes_added);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_totals& x) {
  return f(caf::meta::type_name("shard_totals"), x.activations, x.notes_added, x.notes_lost,
           x.notes_in_flight, x.requests, x.request_errors, x.missing_sleep_requests,
           x.resets_by_reason, x.twins, x.auth_downlinks_rejected, x.inbound_dropped,
           x.web_responses, x.module_wakes, x.request_errors_by_tag, x.external, x.reconnect_syncs);
}

struct external_device {
  twin_index twin = 0;
  std::shared_ptr<shim::external_firmware> link;
};

struct device_shard_config {
  std::shared_ptr<const world> the_world;
  twin_index first_twin = 0;  // the shard hosts [first_twin, end_twin)
  twin_index end_twin = 0;
  // One loaded library per device model (index = device model; null for an external model),
  // then one per world::extra_firmware_paths (DFU images), shared by all shards; this shard
  // runs on copy `copy_index` of each.
  std::vector<std::shared_ptr<shim::firmware_library>> firmware;
  int copy_index = 0;
  // Twins whose firmware runs outside (hardware / an emulator in the loop), their endpoints
  // already open; the shard hosting each serves it (several shards may see the same list).
  std::vector<external_device> external;
};

caf::actor spawn_device_shard(caf::actor_system& system, device_shard_config config);

}  // namespace twelvefold::actors
