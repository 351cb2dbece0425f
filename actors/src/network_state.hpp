// State of the network actor, shared by its source files (network.cpp: the actor and the
// cloud round trip; network_sessions.cpp: the uplink phase of a window's sessions).
#pragma once

#include <memory>
#include <vector>

#include <caf/actor.hpp>

#include "twelvefold/actors/messages.hpp"
#include "twelvefold/actors/network.hpp"
#include "twelvefold/actors/radio_world.hpp"
#include "twelvefold/models/contention.hpp"
#include "twelvefold/models/modem.hpp"
#include "twelvefold/models/random.hpp"
#include "twelvefold/models/reconnect.hpp"

namespace twelvefold::actors {

// Per twin: the modem and its cached links (one per RAT the modem supports, in preference
// order), valid while links_epoch matches the radio world's topology epoch.
struct twin_modem {
  models::modem_state modem;
  models::random_stream rng;  // session draws
  std::uint64_t links_epoch = 0;
  std::int64_t lora_next_allowed_us = 0;
  twin_modem(std::uint64_t seed, twin_index twin)
      : rng(seed, twin, models::stream_purpose::session) {}
};

// A session whose uplink reached the cloud and which waits for the cloud's reply.
struct awaiting_reply {
  twin_index twin = 0;
  models::rat technology = models::rat::lte_m;
  std::int64_t uplink_done_us = 0;
  double charge_mah = 0;
};

// The uplink phase of one window: sessions that already ended (failures) and those whose
// uplink reached the cloud.
struct uplink_phase {
  std::vector<session_completion> completions;
  std::vector<awaiting_reply> awaiting;
  std::vector<delivered_uplink> delivered;
};

// Access counts of the current sample interval (network_sample). Reconnect attempts are
// resolved when the sites come back but happen seconds later: they wait in `later`, stamped,
// and join the interval they fall in when it is sampled.
struct access_interval {
  struct stamped {
    std::int64_t at_us = 0;
    std::uint32_t attach_attempts = 0;
    std::uint32_t access_collisions = 0;
    std::uint32_t reconnects = 0;
  };
  std::uint64_t attach_attempts = 0;
  std::uint64_t access_collisions = 0;
  std::uint64_t reconnects = 0;
  std::vector<stamped> later;
};

struct network_state {
  std::shared_ptr<const world> the_world;
  caf::actor management;
  std::unique_ptr<radio_world> radio;
  std::vector<twin_modem> modems;            // index: twin
  std::vector<std::uint32_t> link_offset;    // index: twin -> first link in `links`
  std::vector<models::link_budget> links;    // cached links, per twin per supported RAT
  std::vector<models::lora_tx> recent_lora;  // frames that may still overlap new ones
  models::rach_params rach;
  models::penalty_params penalty;
  models::reconnect_params reconnect;
  access_interval interval;
  // A radio status that takes effect later than it was decided (a reconnect's registration,
  // actors/src/reconnect.cpp); dropped if a session of the twin came in between.
  struct pending_status {
    std::int64_t at_us = 0;
    twin_index twin = 0;
    std::uint32_t sessions = 0;  // the twin's session count when decided
    std::uint8_t status = 0;     // radio_status
  };
  std::vector<pending_status> pending_statuses;
  network_totals totals;
};

// Runs the uplink phase of `starts` (sorted by (start_us, twin)).
uplink_phase run_uplinks(network_state& s, const std::vector<session_start>& starts,
                         std::int64_t window_end_us);

// Bookkeeping shared by both phases.
void count_session(network_state& s, twin_index twin, models::rat technology, bool success,
                   double charge_mah);
session_completion completion_for(const network_state& s, twin_index twin, std::int64_t at_us,
                                  bool success, double charge_mah);
const models::link_budget& current_link(const network_state& s, twin_index twin);
void refresh_twin_radio(network_state& s, twin_index twin);
// Recomputes the twin's cached links if the topology changed since.
void ensure_links(network_state& s, twin_index twin);
// Cellular RATs attach through contention-based random access (contention.hpp).
bool uses_random_access(models::rat r);
// Counts `attempts` random-access procedures with `collisions` collisions of `twin` on
// `technology`: per RAT, per fleet and region, and (unless the caller stamps them into
// interval.later itself) in the current sample interval.
void count_access(network_state& s, twin_index twin, models::rat technology, std::uint64_t attempts,
                  std::uint64_t collisions, bool in_interval = true);

}  // namespace twelvefold::actors
