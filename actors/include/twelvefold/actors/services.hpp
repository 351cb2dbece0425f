// The two cloud services every twelve-factor device talks to (TWELVE-FACTORS.md, factor 1).
//
// Management service: authenticates and records sessions, keeps the digital twin of every
// device (last seen, firmware, radio, battery as reported), resolves its environment
// (device > fleets > project, docs/cloud-config.md) and answers each session with time,
// acknowledgements and env changes.
// It flushes changed twins to the twin-store writer on request.
//
// Solution service: stores application data (Notes), exactly once: at-least-once delivery on
// the air, deduplicated here on the per-device note sequence number.
//
// Protocols:
//   management: (uplinks_atom, std::vector<delivered_uplink>) -> std::vector<cloud_reply>
//                   (same order; an empty downlink means the session was refused)
//               (timeline_atom, std::vector<cloud_timeline_event>) -> bool   (applied, in order)
//               (health_atom, std::int64_t now_us) -> bool (watchdog sweep, config)
//               (flush_atom) -> bool                 (dirty twins written to the store)
//               (sample_atom, int64 at_us) -> bool   (firmware versions time series, DFU gates)
//               (collect_atom) -> management_totals
//               (twin_rows_atom, twin_index first, twin_index end) -> std::vector<twin_row>
//                   (the digital twins [first, end), for the store at the end of a run; asked
//                   for in slices so that a million rows never exist at once)
//   solution:   (notes_atom, std::vector<twin_notes>) -> std::vector<note_ack> (same order)
//               (collect_atom) -> solution_totals
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/meta/type_name.hpp>

#include "twelvefold/actors/auth.hpp"
#include "twelvefold/actors/location_totals.hpp"
#include "twelvefold/actors/routes_report.hpp"
#include "twelvefold/actors/world.hpp"

namespace twelvefold::actors {

struct management_totals {
  std::uint64_t sessions_accepted = 0;
  std::uint64_t sessions_refused = 0;  // malformed uplinks, unknown serials
  std::uint64_t env_updates_sent = 0;
  std::uint64_t events_raised = 0;              // entries of the event stream (table events)
  std::vector<std::uint64_t> sessions_by_hour;  // accepted sessions, by hour of arrival
  location_totals location;                     // factor 6 (cloud/location.hpp)
  time_totals time;                             // factor 7 (cloud/time_sync.hpp)
  dfu_totals dfu;                               // firmware update campaigns and versions (factor 8)
  auth_totals auth;                             // factor 9 / 11 (docs/cloud-auth.md)
  std::string config_json;                      // summary.json "config" (docs/cloud-config.md)
};

// Notes stored for one fleet or region, and their delivery latency (actors/src/delivery_groups).
struct group_delivery {
  std::uint64_t notes_stored = 0;
  double latency_p50_s = 0;
  double latency_p90_s = 0;
};

struct solution_totals {
  std::uint64_t notes_stored = 0;
  std::uint64_t duplicates_discarded = 0;
  std::vector<std::uint64_t> acked_through;  // index: twin
  std::vector<std::uint64_t> notes_by_hour;  // Notes stored, by hour of arrival
  // Delivery latency (note.add -> stored): latency_histogram::edges_s() bins, percentiles.
  std::vector<std::uint64_t> latency_counts;
  double latency_p50_s = 0;
  double latency_p90_s = 0;
  double latency_p99_s = 0;
  double latency_max_s = 0;
  routes_report routes;                    // factors 1, 3, 5 (docs/cloud-routes.md)
  std::vector<group_delivery> per_fleet;   // index: fleet
  std::vector<group_delivery> per_region;  // index: region
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cloud_timeline_event& x) {
  return f(caf::meta::type_name("cloud_timeline_event"), x.at_us, x.index, x.encoded);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, management_totals& x) {
  return f(caf::meta::type_name("management_totals"), x.sessions_accepted, x.sessions_refused,
           x.env_updates_sent, x.events_raised, x.sessions_by_hour, x.location, x.time, x.dfu,
           x.auth, x.config_json);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, solution_totals& x) {
  return f(caf::meta::type_name("solution_totals"), x.notes_stored, x.duplicates_discarded,
           x.acked_through, x.notes_by_hour, x.latency_counts, x.latency_p50_s, x.latency_p90_s,
           x.latency_p99_s, x.latency_max_s, x.routes, x.per_fleet, x.per_region);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_delivery& x) {
  return f(caf::meta::type_name("group_delivery"), x.notes_stored, x.latency_p50_s,
           x.latency_p90_s);
}

caf::actor spawn_solution_service(caf::actor_system& system,
                                  std::shared_ptr<const world> the_world);

// `store` may be an invalid handle: the twins are then kept in memory only.
caf::actor spawn_management_service(caf::actor_system& system,
                                    std::shared_ptr<const world> the_world, caf::actor solution,
                                    caf::actor store);

}  // namespace twelvefold::actors
