// Reconnect storms: when an outage ends, the modems that had lost service find the returned
// sites within one search cycle of each other and re-register through the cells' random
// access (docs/radio.md, "Reconnect after an outage").
//
// Thread: the network actor's (it owns network_state).
#pragma once

#include <cstddef>
#include <vector>

#include "network_state.hpp"

namespace twelvefold::actors {

// Radio-up masks of every (region, RAT)'s sites, to tell which sites an event brought back.
struct site_snapshot {
  std::vector<std::vector<bool>> up;  // index: region * models::rat_count + rat
};
site_snapshot snapshot_sites(const network_state& s);

// After `event` was applied (`before`: the sites as they were): for every twin whose modem had
// lost service and now sees a returned cellular site on its current RAT, the instant it tries
// to register (models::reconnect_attempt_us, from the twin's reconnect stream for this event),
// resolved through random access together (models::resolve_rach: simultaneous attempts collide
// and back off; failed rounds search again). The modem's outcome (and penalty box) is
// recorded at the registration instant. A modem inside its penalty box does not search: its
// module's own sync at the box's end brings it back. Returns one reconnect notice per twin
// that tried (session_completion::reconnect), for the twin's module.
std::vector<session_completion> reconnect_after(network_state& s, const network_event& event,
                                                const site_snapshot& before);

// Applies the radio statuses reconnects decided for instants up to `upto_us` (a sample, the
// end of the run): a twin counts as dark until it has registered.
void apply_pending_statuses(network_state& s, std::int64_t upto_us);

}  // namespace twelvefold::actors
