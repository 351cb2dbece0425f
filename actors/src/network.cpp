// Network actor (see network.hpp): the actor, the cloud round trip and the time series.
#include "twelvefold/actors/network.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <limits>
#include <utility>

#include <caf/all.hpp>

#include "network_state.hpp"
#include "reconnect.hpp"
#include "twelvefold/actors/atoms.hpp"

namespace twelvefold::actors {

void count_session(network_state& s, twin_index twin, models::rat technology, bool success,
                   double charge_mah) {
  twin_radio& radio = s.totals.twins[twin];
  rat_totals& rt = s.totals.per_rat[static_cast<std::size_t>(technology)];
  ++s.totals.sessions;
  ++rt.sessions;
  ++radio.sessions;
  rt.radio_charge_mah += charge_mah;
  const world& w = *s.the_world;
  group_radio& fleet = s.totals.per_fleet[w.twins[twin].fleet];
  group_radio& region = s.totals.per_region[w.fleet_of(twin).region];
  ++fleet.sessions;
  ++region.sessions;
  if (!success) {
    ++s.totals.session_failures;
    ++rt.session_failures;
    ++radio.session_failures;
    ++fleet.session_failures;
    ++region.session_failures;
  }
}

void count_access(network_state& s, twin_index twin, models::rat technology, std::uint64_t attempts,
                  std::uint64_t collisions, bool in_interval) {
  const world& w = *s.the_world;
  s.totals.per_rat[static_cast<std::size_t>(technology)].access_collisions += collisions;
  for (group_radio* g :
       {&s.totals.per_fleet[w.twins[twin].fleet], &s.totals.per_region[w.fleet_of(twin).region]}) {
    g->attach_attempts += attempts;
    g->access_collisions += collisions;
  }
  if (!in_interval) return;
  s.interval.attach_attempts += attempts;
  s.interval.access_collisions += collisions;
}

session_completion completion_for(const network_state& s, twin_index twin, std::int64_t at_us,
                                  bool success, double charge_mah) {
  const twin_radio& radio = s.totals.twins[twin];
  session_completion c;
  c.twin = twin;
  c.at_us = at_us;
  c.success = success;
  c.radio_charge_mah = charge_mah;
  c.rsrp_dbm = radio.rsrp_dbm;
  c.cell_id = radio.cell_id;
  c.rat = radio.rat;
  return c;
}

namespace {

// Sorted, each stamped with its modem's penalty box (after the session's own outcome: a twin
// has one session per batch).
void sort_completions(const network_state& s, std::vector<session_completion>& completions) {
  for (session_completion& c : completions) {
    c.penalty_until_us = s.modems[c.twin].modem.penalty_until_us;
  }
  std::sort(completions.begin(), completions.end(), [](const auto& a, const auto& b) {
    return std::tie(a.at_us, a.twin) < std::tie(b.at_us, b.twin);
  });
}

// The cloud answered: send each reply down the link the session came up on.
void apply_replies(network_state& s, uplink_phase& phase, std::vector<cloud_reply>& replies,
                   std::int64_t window_end_us) {
  const world& w = *s.the_world;
  for (std::size_t i = 0; i < phase.awaiting.size(); ++i) {
    const awaiting_reply& a = phase.awaiting[i];
    twin_modem& m = s.modems[a.twin];
    const auto& prefs = w.model_of(a.twin).rats;
    const std::string* down = i < replies.size() ? &replies[i].downlink : nullptr;
    if (down == nullptr || down->empty()) {
      // The cloud refused the session (e.g. a malformed uplink): the radio worked.
      models::record_outcome(m.modem, true, a.uplink_done_us, s.penalty);
      count_session(s, a.twin, a.technology, false, a.charge_mah);
      phase.completions.push_back(completion_for(
          s, a.twin, std::max(a.uplink_done_us, window_end_us), false, a.charge_mah));
      continue;
    }
    const models::radio_model* model = s.radio->model(w.fleet_of(a.twin).region, a.technology);
    const std::uint32_t chunk = replies[i].dfu_chunk_bytes;
    // A DFU chunk rides on the downlink: the radio carries its bytes too. Its cost is the
    // difference with the same session without it (same random draws).
    models::session_outcome without{};
    if (chunk > 0) {
      models::random_stream same = m.rng;
      without = model->run_downlink(current_link(s, a.twin),
                                    static_cast<std::uint32_t>(down->size()), same);
    }
    const models::session_outcome dl = model->run_downlink(
        current_link(s, a.twin), static_cast<std::uint32_t>(down->size()) + chunk, m.rng);
    const double charge = a.charge_mah + dl.charge_mah;
    const std::int64_t done_us = a.uplink_done_us + dl.latency_us;
    models::record_outcome(m.modem, dl.success, done_us, s.penalty);
    count_session(s, a.twin, a.technology, dl.success, charge);
    twin_radio& radio = s.totals.twins[a.twin];
    radio.status = static_cast<std::uint8_t>(
        !dl.success
            ? radio_status::failing
            : (a.technology == prefs.front() ? radio_status::preferred : radio_status::fallback));
    session_completion c =
        completion_for(s, a.twin, std::max(done_us, window_end_us), dl.success, charge);
    if (dl.success) {
      if (chunk > 0) {
        const std::size_t campaign = replies[i].dfu_campaign;
        if (s.totals.dfu_costs.size() < campaign) s.totals.dfu_costs.resize(campaign);
        dfu_cost& cost = s.totals.dfu_costs[campaign - 1];
        cost.bytes_down += chunk;
        cost.airtime_s +=
            static_cast<double>(std::max<std::int64_t>(0, dl.airtime_us - without.airtime_us)) /
            1e6;
        cost.radio_charge_mah += std::max(0.0, dl.charge_mah - without.charge_mah);
      }
      const std::uint64_t bytes = down->size() + chunk + model->overhead_bytes_per_direction();
      s.totals.bytes_downlink += bytes;
      s.totals.per_rat[static_cast<std::size_t>(a.technology)].bytes_downlink += bytes;
      c.downlink = std::move(replies[i].downlink);
    }
    phase.completions.push_back(std::move(c));
  }
}

network_sample sample_at(network_state& s, std::int64_t at_us) {
  network_sample sample;
  sample.at_us = at_us;
  // The interval's access counts, with the stamped ones that fell in it (reconnect.cpp).
  access_interval& in = s.interval;
  std::erase_if(in.later, [&](const access_interval::stamped& c) {
    if (c.at_us > at_us) return false;
    in.attach_attempts += c.attach_attempts;
    in.access_collisions += c.access_collisions;
    in.reconnects += c.reconnects;
    return true;
  });
  sample.attach_attempts = std::exchange(in.attach_attempts, 0);
  sample.access_collisions = std::exchange(in.access_collisions, 0);
  sample.reconnects = std::exchange(in.reconnects, 0);
  apply_pending_statuses(s, at_us);
  sample.connected_by_rat.assign(models::rat_count, 0);
  for (const twin_radio& radio : s.totals.twins) {
    switch (static_cast<radio_status>(radio.status)) {
      case radio_status::preferred:
        ++sample.connected_by_rat[radio.rat];
        break;
      case radio_status::fallback:
        ++sample.connected_by_rat[radio.rat];
        ++sample.on_fallback;
        break;
      case radio_status::failing:
        ++sample.failing;
        break;
      case radio_status::dark:
        ++sample.dark;
        break;
      case radio_status::never:
        ++sample.never;
        break;
    }
  }
  const world& w = *s.the_world;
  for (std::size_t g = 0; g < w.regions.size(); ++g) {
    for (int r = 0; r < models::rat_count; ++r) {
      sample.sites_up +=
          static_cast<std::uint32_t>(s.radio->sites_up(g, static_cast<models::rat>(r)));
    }
  }
  return sample;
}

network_totals final_totals(network_state& s) {
  apply_pending_statuses(s, s.the_world->duration_us);
  network_totals totals = s.totals;
  const world& w = *s.the_world;
  for (twin_index twin = 0; twin < w.twins.size(); ++twin) {
    // Links may be stale after the last timeline event: the end state uses the topology of
    // the end of the run.
    const auto& prefs = w.model_of(twin).rats;
    const std::size_t region = w.fleet_of(twin).region;
    const twin_radio& radio = totals.twins[twin];
    ++totals.per_rat[radio.rat].twins;
    for (models::rat r : prefs) {
      rat_totals& rt = totals.per_rat[static_cast<std::size_t>(r)];
      ++rt.twins_capable;
      const models::radio_model* model = s.radio->model(region, r);
      if (model != nullptr && s.modems[twin].links_epoch == s.radio->topology_epoch()) {
        const auto it = std::find(prefs.begin(), prefs.end(), r);
        const auto& link =
            s.links[s.link_offset[twin] + static_cast<std::size_t>(it - prefs.begin())];
        if (link.coverage != models::coverage_class::none) ++rt.twins_in_coverage;
      }
    }
  }
  return totals;
}

caf::behavior network_actor(caf::stateful_actor<network_state>* self,
                            std::shared_ptr<const world> the_world, caf::actor management) {
  network_state& s = self->state;
  s.the_world = std::move(the_world);
  s.management = std::move(management);
  const world& w = *s.the_world;
  s.radio = std::make_unique<radio_world>(w);
  s.modems.reserve(w.twins.size());
  s.link_offset.reserve(w.twins.size());
  s.totals.per_rat.resize(models::rat_count);
  s.totals.twins.resize(w.twins.size());
  s.totals.per_fleet.resize(w.fleets.size());
  s.totals.per_region.resize(w.regions.size());
  std::size_t links = 0;
  for (twin_index twin = 0; twin < w.twins.size(); ++twin) {
    s.modems.emplace_back(w.seed, twin);
    const auto& prefs = w.model_of(twin).rats;
    s.modems.back().modem.current = prefs.front();
    s.totals.twins[twin].rat = static_cast<std::uint8_t>(prefs.front());
    s.link_offset.push_back(static_cast<std::uint32_t>(links));
    links += prefs.size();
  }
  s.links.resize(links);

  return {
      [self](sessions_atom, const std::vector<session_start>& starts,
             std::int64_t window_end_us) -> caf::result<std::vector<session_completion>> {
        const auto began = std::chrono::steady_clock::now();
        auto phase =
            std::make_shared<uplink_phase>(run_uplinks(self->state, starts, window_end_us));
        self->state.totals.busy_seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
        if (phase->delivered.empty()) {
          sort_completions(self->state, phase->completions);
          return std::move(phase->completions);
        }
        auto promise = self->make_response_promise<std::vector<session_completion>>();
        self->request(self->state.management, caf::infinite, uplinks_atom::value,
                      std::move(phase->delivered))
            .then(
                [self, promise, phase, window_end_us](std::vector<cloud_reply>& replies) mutable {
                  const auto applying = std::chrono::steady_clock::now();
                  apply_replies(self->state, *phase, replies, window_end_us);
                  self->state.totals.busy_seconds +=
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - applying)
                          .count();
                  sort_completions(self->state, phase->completions);
                  promise.deliver(std::move(phase->completions));
                },
                [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
        return promise;
      },
      [self](timeline_atom, const std::vector<network_event>& events) {
        std::vector<session_completion> reconnects;
        for (const network_event& e : events) {
          const site_snapshot before = snapshot_sites(self->state);
          self->state.radio->apply(e);
          // Modems that lost service find the returned sites (a reconnect storm).
          auto more = reconnect_after(self->state, e, before);
          std::move(more.begin(), more.end(), std::back_inserter(reconnects));
        }
        self->state.totals.timeline_events += events.size();
        std::sort(reconnects.begin(), reconnects.end(), [](const auto& a, const auto& b) {
          return std::tie(a.at_us, a.twin) < std::tie(b.at_us, b.twin);
        });
        return reconnects;
      },
      [self](sample_atom, std::int64_t at_us) {
        self->state.totals.samples.push_back(sample_at(self->state, at_us));
        return true;
      },
      [self](collect_atom) { return final_totals(self->state); },
  };
}

}  // namespace

caf::actor spawn_network(caf::actor_system& system, std::shared_ptr<const world> the_world,
                         caf::actor management) {
  // Detached: the ns-3 world must stay on one thread of its own (DESIGN.md, Radio).
  return system.spawn<caf::detached>(network_actor, std::move(the_world), std::move(management));
}

}  // namespace twelvefold::actors
