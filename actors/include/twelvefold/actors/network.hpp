// The network actor: owns the radio world (the ns-3 models of models/) on one thread of its
// own, because ns-3 objects are not thread-safe. It turns the sessions twins start into
// outcomes: link budget (cached per twin until it moves), attach, uplink transfer; successful
// uplinks go to the management service, and its replies come back down the same link.
//
// Protocol:
//   (sessions_atom, std::vector<session_start> sorted by (start_us, twin), int64 window_end_us)
//       -> std::vector<session_completion> sorted by (at_us, twin), every at_us >= window_end
//   (collect_atom) -> network_totals
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/meta/type_name.hpp>

#include "twelvefold/actors/world.hpp"

namespace twelvefold::actors {

struct rat_totals {
  std::uint64_t twins = 0;
  std::uint64_t sessions = 0;
  std::uint64_t session_failures = 0;
  std::uint64_t no_coverage = 0;  // failures because no cell was within reach
  std::uint64_t twins_in_coverage = 0;
  double radio_charge_mah = 0;
};

struct twin_radio {
  std::uint8_t rat = 0;       // models::rat
  std::uint8_t coverage = 0;  // models::coverage_class; 0 until the first session
  float rsrp_dbm = 0;
  std::uint32_t cell_id = 0;
  std::uint32_t sessions = 0;
  std::uint32_t session_failures = 0;
};

struct network_totals {
  std::uint64_t sessions = 0;
  std::uint64_t session_failures = 0;
  std::uint64_t bytes_uplink = 0;  // on-air bytes: encoded messages + transport overhead
  std::uint64_t bytes_downlink = 0;
  std::vector<rat_totals> per_rat;  // index: models::rat
  std::vector<twin_radio> twins;    // index: twin
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rat_totals& x) {
  return f(caf::meta::type_name("rat_totals"), x.twins, x.sessions, x.session_failures,
           x.no_coverage, x.twins_in_coverage, x.radio_charge_mah);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, twin_radio& x) {
  return f(caf::meta::type_name("twin_radio"), x.rat, x.coverage, x.rsrp_dbm, x.cell_id, x.sessions,
           x.session_failures);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, network_totals& x) {
  return f(caf::meta::type_name("network_totals"), x.sessions, x.session_failures, x.bytes_uplink,
           x.bytes_downlink, x.per_rat, x.twins);
}

caf::actor spawn_network(caf::actor_system& system, std::shared_ptr<const world> the_world,
                         caf::actor management);

}  // namespace twelvefold::actors
