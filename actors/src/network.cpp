// Network actor (see network.hpp).
#include "twelvefold/actors/network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <caf/all.hpp>

#include "twelvefold/actors/atoms.hpp"
#include "twelvefold/models/lte_m.hpp"
#include "twelvefold/models/random.hpp"

namespace twelvefold::actors {
namespace {

struct twin_link {
  std::optional<models::link_budget> link;  // computed at the first session; twins don't move yet
  models::random_stream rng;
  twin_link(std::uint64_t seed, twin_index twin)
      : rng(seed, twin, models::stream_purpose::session) {}
};

// A session whose uplink reached the cloud and which waits for the cloud's reply.
struct awaiting_reply {
  twin_index twin = 0;
  std::int64_t uplink_done_us = 0;
  double charge_mah = 0;
};

struct network_state {
  std::shared_ptr<const world> the_world;
  caf::actor management;
  std::vector<std::unique_ptr<models::lte_m_model>> region_models;  // index: region
  std::vector<twin_link> links;                                     // index: twin
  network_totals totals;
};

const models::lte_m_model& model_for(network_state& s, twin_index twin) {
  return *s.region_models[s.the_world->fleet_of(twin).region];
}

// Transport headers (IP/UDP/DTLS/CoAP) per direction of a session, as the radio model counts
// them (half of its per-session overhead each way).
std::uint64_t transport_overhead_bytes(const models::lte_m_model& model) {
  return static_cast<std::uint64_t>(model.params().session_overhead_bytes / 2);
}

const models::link_budget& link_for(network_state& s, twin_index twin) {
  twin_link& l = s.links[twin];
  if (!l.link) {
    const models::lte_m_model& model = model_for(s, twin);
    // The shadowing of a link is a property of the place: drawn once from the twin's own
    // stream, so it is the same whatever else happens in the run.
    models::random_stream shadow(s.the_world->seed, twin, models::stream_purpose::shadowing);
    const double shadowing_db = shadow.normal(0, model.shadowing_sigma_db());
    l.link = model.best_link(s.the_world->twins[twin].position, shadowing_db);
    twin_radio& radio = s.totals.twins[twin];
    radio.coverage = static_cast<std::uint8_t>(l.link->coverage);
    // No cell at all gives -inf; NaN stores as NULL ("no serving cell") in the twin store.
    radio.rsrp_dbm = std::isfinite(l.link->rsrp_dbm) ? static_cast<float>(l.link->rsrp_dbm)
                                                     : std::numeric_limits<float>::quiet_NaN();
    radio.cell_id = l.link->cell_id;
    if (l.link->coverage != models::coverage_class::none) {
      ++s.totals.per_rat[radio.rat].twins_in_coverage;
    }
  }
  return *l.link;
}

void count_session(network_state& s, twin_index twin, bool success, bool no_coverage,
                   double charge_mah) {
  twin_radio& radio = s.totals.twins[twin];
  rat_totals& rat = s.totals.per_rat[radio.rat];
  ++s.totals.sessions;
  ++rat.sessions;
  ++radio.sessions;
  rat.radio_charge_mah += charge_mah;
  if (!success) {
    ++s.totals.session_failures;
    ++rat.session_failures;
    ++radio.session_failures;
    if (no_coverage) ++rat.no_coverage;
  }
}

session_completion completion_for(network_state& s, twin_index twin, std::int64_t at_us,
                                  bool success, double charge_mah) {
  const twin_radio& radio = s.totals.twins[twin];
  session_completion c;
  c.twin = twin;
  c.at_us = at_us;
  c.success = success;
  c.radio_charge_mah = charge_mah;
  c.rsrp_dbm = radio.rsrp_dbm;
  c.cell_id = radio.cell_id;
  return c;
}

caf::behavior network_actor(caf::stateful_actor<network_state>* self,
                            std::shared_ptr<const world> the_world, caf::actor management) {
  network_state& s = self->state;
  s.the_world = std::move(the_world);
  s.management = std::move(management);
  const world& w = *s.the_world;
  for (const region_spec& region : w.regions) {
    s.region_models.push_back(std::make_unique<models::lte_m_model>(
        models::lte_m_params{}, region.environment, region.center, region.cells));
  }
  s.links.reserve(w.twins.size());
  s.totals.per_rat.resize(models::rat_count);
  s.totals.twins.resize(w.twins.size());
  for (twin_index twin = 0; twin < w.twins.size(); ++twin) {
    s.links.emplace_back(w.seed, twin);
    const auto rat = static_cast<std::uint8_t>(w.model_of(twin).rats.front());
    s.totals.twins[twin].rat = rat;
    ++s.totals.per_rat[rat].twins;
  }

  return {
      [self](sessions_atom, const std::vector<session_start>& starts,
             std::int64_t window_end_us) -> caf::result<std::vector<session_completion>> {
        network_state& st = self->state;
        auto completions = std::make_shared<std::vector<session_completion>>();
        auto awaiting = std::make_shared<std::vector<awaiting_reply>>();
        std::vector<delivered_uplink> delivered;
        for (const session_start& start : starts) {
          const models::link_budget& link = link_for(st, start.twin);
          const models::lte_m_model& model = model_for(st, start.twin);
          const models::session_outcome up = model.run_session(
              link, {static_cast<std::uint32_t>(start.uplink.size()), 0}, st.links[start.twin].rng);
          const std::int64_t done_us = start.start_us + up.latency_us;
          if (!up.success) {
            count_session(st, start.twin, false, up.failure == models::session_failure::no_coverage,
                          up.charge_mah);
            completions->push_back(completion_for(st, start.twin, std::max(done_us, window_end_us),
                                                  false, up.charge_mah));
            continue;
          }
          st.totals.bytes_uplink += start.uplink.size() + transport_overhead_bytes(model);
          delivered.push_back({start.twin, done_us, start.uplink});
          awaiting->push_back({start.twin, done_us, up.charge_mah});
        }
        auto finish = [completions] {
          std::sort(completions->begin(), completions->end(), [](const auto& a, const auto& b) {
            return std::tie(a.at_us, a.twin) < std::tie(b.at_us, b.twin);
          });
          return std::move(*completions);
        };
        if (delivered.empty()) return finish();
        auto promise = self->make_response_promise<std::vector<session_completion>>();
        self->request(st.management, caf::infinite, uplinks_atom::value, std::move(delivered))
            .then(
                [self, promise, completions, awaiting, window_end_us,
                 finish](std::vector<cloud_reply>& replies) mutable {
                  network_state& st2 = self->state;
                  // Replies come in the order of the uplinks.
                  for (std::size_t i = 0; i < awaiting->size(); ++i) {
                    const awaiting_reply& a = (*awaiting)[i];
                    const models::lte_m_model& model = model_for(st2, a.twin);
                    const models::link_budget& link = link_for(st2, a.twin);
                    const std::string* down = i < replies.size() ? &replies[i].downlink : nullptr;
                    if (down == nullptr || down->empty()) {
                      // The cloud refused the session (e.g. a malformed uplink).
                      count_session(st2, a.twin, false, false, a.charge_mah);
                      completions->push_back(
                          completion_for(st2, a.twin, std::max(a.uplink_done_us, window_end_us),
                                         false, a.charge_mah));
                      continue;
                    }
                    const models::session_outcome dl = model.run_downlink(
                        link, static_cast<std::uint32_t>(down->size()), st2.links[a.twin].rng);
                    const double charge = a.charge_mah + dl.charge_mah;
                    const std::int64_t at =
                        std::max(a.uplink_done_us + dl.latency_us, window_end_us);
                    count_session(st2, a.twin, dl.success, false, charge);
                    session_completion c = completion_for(st2, a.twin, at, dl.success, charge);
                    if (dl.success) {
                      st2.totals.bytes_downlink += down->size() + transport_overhead_bytes(model);
                      c.downlink = std::move(replies[i].downlink);
                    }
                    completions->push_back(std::move(c));
                  }
                  promise.deliver(finish());
                },
                [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
        return promise;
      },
      [self](collect_atom) { return self->state.totals; },
  };
}

}  // namespace

caf::actor spawn_network(caf::actor_system& system, std::shared_ptr<const world> the_world,
                         caf::actor management) {
  // Detached: the ns-3 world must stay on one thread of its own (DESIGN.md, Radio).
  return system.spawn<caf::detached>(network_actor, std::move(the_world), std::move(management));
}

}  // namespace twelvefold::actors
