// The network actor: owns the radio world (the ns-3 models of models/) on one thread of its
// own, because ns-3 objects are not thread-safe. It turns the sessions twins start into
// outcomes: the modem's choice of RAT (preference, fallback, penalty box), link budget (cached
// per twin until the topology changes), contention at the cell (random access) or gateway
// (LoRa ALOHA), attach and uplink transfer; successful uplinks go to the management service,
// and its replies come back down the same link. Sunsets and outages arrive as timeline events.
//
// Protocol:
//   (sessions_atom, std::vector<session_start> sorted by (start_us, twin), int64 window_end_us)
//       -> std::vector<session_completion> sorted by (at_us, twin), every at_us >= window_end
//   (timeline_atom, std::vector<network_event>) -> std::vector<session_completion>
//       reconnects: modems that registered again when sites came back (actors/src/reconnect.cpp),
//       session_completion::reconnect set, sorted by (at_us, twin), at_us after the events
//   (sample_atom, int64 at_us) -> bool                            (appends a network_sample)
//   (collect_atom) -> network_totals
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/meta/type_name.hpp>

#include "twelvefold/actors/world.hpp"

namespace twelvefold::actors {

struct rat_totals {
  std::uint64_t twins = 0;              // twins whose modem is on this RAT at the end
  std::uint64_t twins_capable = 0;      // twins whose modem supports this RAT
  std::uint64_t twins_in_coverage = 0;  // capable twins with a usable link at the end
  std::uint64_t sessions = 0;
  std::uint64_t session_failures = 0;
  std::uint64_t no_coverage = 0;        // failures because no site was within reach
  std::uint64_t fallbacks_into = 0;     // moves onto this RAT from a more preferred one
  std::uint64_t returns_into = 0;       // moves back up onto this RAT
  std::uint64_t access_collisions = 0;  // RACH preamble collisions / LoRa frame collisions
  std::uint64_t duty_cycle_blocked = 0;
  double radio_charge_mah = 0;
  std::uint64_t bytes_uplink = 0;
  std::uint64_t bytes_downlink = 0;
};

// What a twin's radio looks like (at the end of the run, in network_totals::twins).
enum class radio_status : std::uint8_t {
  never,      // no session attempted yet
  preferred,  // last session succeeded on the most preferred RAT
  fallback,   // last session succeeded on a less preferred RAT
  failing,    // last session failed although a RAT had coverage
  dark,       // last attempt found no coverage on any of its RATs
};

struct twin_radio {
  std::uint8_t rat = 0;       // models::rat the modem is on
  std::uint8_t coverage = 0;  // models::coverage_class of that link
  std::uint8_t level = 0;
  std::uint8_t status = 0;  // radio_status
  float rsrp_dbm = 0;       // NaN when there is no serving site
  float sinr_db = 0;
  std::uint32_t cell_id = 0;
  std::uint32_t sessions = 0;
  std::uint32_t session_failures = 0;
  std::uint32_t fallbacks = 0;
};

// Counts of twins by radio status at one instant of the run (every world::sample_interval_us).
struct network_sample {
  std::int64_t at_us = 0;
  std::vector<std::uint32_t> connected_by_rat;  // status preferred/fallback, by current RAT
  std::uint32_t on_fallback = 0;
  std::uint32_t failing = 0;
  std::uint32_t dark = 0;
  std::uint32_t never = 0;
  std::uint32_t sites_up = 0;
  // Since the previous sample (per interval, not cumulative): random-access procedures begun
  // (a session's attach on a cellular RAT, a LoRa uplink frame, a re-registration after an
  // outage), preamble / frame collisions among them, and re-registrations that succeeded.
  std::uint64_t attach_attempts = 0;
  std::uint64_t access_collisions = 0;
  std::uint64_t reconnects = 0;
};

// Radio figures of a group of twins (a fleet, a region), aggregated as they happen: no state
// per twin.
struct group_radio {
  std::uint64_t sessions = 0;
  std::uint64_t session_failures = 0;
  std::uint64_t attach_attempts = 0;
  std::uint64_t access_collisions = 0;
};

// Reconnects after outages (actors/src/reconnect.cpp).
struct reconnect_totals {
  std::uint64_t outages_ended = 0;     // events that brought sites back
  std::uint64_t twins_searching = 0;   // modems that had lost service and searched
  std::uint64_t deferred_penalty = 0;  // of those, in the penalty box: back at its end instead
  std::uint64_t attach_attempts = 0;   // registration rounds (random-access procedures)
  std::uint64_t access_collisions = 0;
  std::uint64_t registered = 0;
  std::uint64_t gave_up = 0;          // every round failed: the modem waits for its next session
  double registered_after_s_sum = 0;  // from the sites' return to registration
  double registered_after_s_max = 0;
};

struct network_totals {
  std::uint64_t sessions = 0;
  std::uint64_t session_failures = 0;
  std::uint64_t bytes_uplink = 0;  // on-air bytes: encoded messages + transport overhead
  std::uint64_t bytes_downlink = 0;
  std::uint64_t penalty_blocked = 0;    // sessions refused by the modem's penalty box
  std::uint64_t backhaul_failures = 0;  // sessions lost to a backhaul outage
  std::uint64_t timeline_events = 0;
  // Wall time the actor spent computing sessions (a measurement for `twelvefold bench`, not a
  // simulation result: it varies run to run).
  double busy_seconds = 0;
  std::vector<rat_totals> per_rat;  // index: models::rat
  std::vector<twin_radio> twins;    // index: twin
  std::vector<network_sample> samples;
  std::vector<dfu_cost> dfu_costs;      // index: DFU campaign id - 1 (chunks carried, factor 8)
  std::vector<group_radio> per_fleet;   // index: fleet
  std::vector<group_radio> per_region;  // index: region
  reconnect_totals reconnect;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rat_totals& x) {
  return f(caf::meta::type_name("rat_totals"), x.twins, x.twins_capable, x.twins_in_coverage,
           x.sessions, x.session_failures, x.no_coverage, x.fallbacks_into, x.returns_into,
           x.access_collisions, x.duty_cycle_blocked, x.radio_charge_mah, x.bytes_uplink,
           x.bytes_downlink);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, twin_radio& x) {
  return f(caf::meta::type_name("twin_radio"), x.rat, x.coverage, x.level, x.status, x.rsrp_dbm,
           x.sinr_db, x.cell_id, x.sessions, x.session_failures, x.fallbacks);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, network_sample& x) {
  return f(caf::meta::type_name("network_sample"), x.at_us, x.connected_by_rat, x.on_fallback,
           x.failing, x.dark, x.never, x.sites_up, x.attach_attempts, x.access_collisions,
           x.reconnects);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, group_radio& x) {
  return f(caf::meta::type_name("group_radio"), x.sessions, x.session_failures, x.attach_attempts,
           x.access_collisions);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reconnect_totals& x) {
  return f(caf::meta::type_name("reconnect_totals"), x.outages_ended, x.twins_searching,
           x.deferred_penalty, x.attach_attempts, x.access_collisions, x.registered, x.gave_up,
           x.registered_after_s_sum, x.registered_after_s_max);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, network_totals& x) {
  return f(caf::meta::type_name("network_totals"), x.sessions, x.session_failures, x.bytes_uplink,
           x.bytes_downlink, x.penalty_blocked, x.backhaul_failures, x.timeline_events,
           x.busy_seconds, x.per_rat, x.twins, x.samples, x.dfu_costs, x.per_fleet, x.per_region,
           x.reconnect);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, network_event& x) {
  return f(caf::meta::type_name("network_event"), x.at_us, x.what, x.id, x.region, x.technology,
           x.operator_id, x.cells, x.backhaul_only);
}

caf::actor spawn_network(caf::actor_system& system, std::shared_ptr<const world> the_world,
                         caf::actor management);

}  // namespace twelvefold::actors
