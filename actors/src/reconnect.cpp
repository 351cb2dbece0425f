// Reconnect storms (see reconnect.hpp).
//
// What is modelled, and why (docs/radio.md, "Reconnect after an outage"): a Notecard whose
// modem lost service keeps trying to register; the registration penalty box (card.wireless.
// penalty: after four consecutive failures, 15 minutes growing to 3 days) is the one thing
// that holds it back. So when sites come back, every modem that had lost service and is not
// boxed finds the cell within one search cycle (models/reconnect.hpp) and runs random access
// on it at nearly the same instant as its neighbours: the storm. Registration resets the
// box, as any successful connection does. The module then syncs at once if its last session
// failed and it holds outbound data (module::sync_after_reconnect), so the backlog follows the
// storm instead of waiting for each twin's next periodic sync.
//
// Resolved when the event is applied, for the seconds that follow: the attempts contend with
// each other (the storm), not with ordinary sessions in those seconds (a few per cell per
// minute in normal traffic, which would not change the picture).
#include "reconnect.hpp"

#include <algorithm>
#include <tuple>

namespace twelvefold::actors {
namespace {

struct planned_attempt {
  twin_index twin = 0;
  std::uint32_t cell = 0;
  std::int64_t at_us = 0;
  int round = 0;
  double charge_mah = 0;  // drawn over every round so far
  models::random_stream rng{0};
};

// The (region, RAT) sites whose radio came back with this event, by cell id.
struct returned_sites {
  std::vector<std::vector<std::uint32_t>> cells;  // index: region * rat_count + rat
  std::vector<bool> region_touched;
};

returned_sites returned_by(const network_state& s, const site_snapshot& before) {
  const world& w = *s.the_world;
  returned_sites out;
  out.cells.resize(w.regions.size() * models::rat_count);
  out.region_touched.assign(w.regions.size(), false);
  for (std::size_t g = 0; g < w.regions.size(); ++g) {
    for (int r = 0; r < models::rat_count; ++r) {
      const std::size_t k = g * models::rat_count + static_cast<std::size_t>(r);
      const std::vector<bool>& now = s.radio->site_up(g, static_cast<models::rat>(r));
      const std::vector<bool>& was = before.up[k];
      // Sites in the radio world's order: the region's cells of this RAT, as given.
      std::size_t i = 0;
      for (const models::cell_site& site : w.regions[g].cells) {
        if (site.technology != static_cast<models::rat>(r)) continue;
        if (i < now.size() && i < was.size() && now[i] && !was[i]) {
          out.cells[k].push_back(site.id);
          out.region_touched[g] = true;
        }
        ++i;
      }
    }
  }
  return out;
}

bool contains(const std::vector<std::uint32_t>& ids, std::uint32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

site_snapshot snapshot_sites(const network_state& s) {
  const world& w = *s.the_world;
  site_snapshot snap;
  snap.up.reserve(w.regions.size() * models::rat_count);
  for (std::size_t g = 0; g < w.regions.size(); ++g) {
    for (int r = 0; r < models::rat_count; ++r) {
      snap.up.push_back(s.radio->site_up(g, static_cast<models::rat>(r)));
    }
  }
  return snap;
}

std::vector<session_completion> reconnect_after(network_state& s, const network_event& event,
                                                const site_snapshot& before) {
  std::vector<session_completion> notices;
  if (event.what != network_event::kind::outage_end || event.backhaul_only) return notices;
  const returned_sites back = returned_by(s, before);
  if (std::none_of(back.region_touched.begin(), back.region_touched.end(),
                   [](bool b) { return b; })) {
    return notices;
  }
  const world& w = *s.the_world;
  reconnect_totals& rt = s.totals.reconnect;
  ++rt.outages_ended;

  // 1. Who lost service, and when each tries again.
  std::vector<planned_attempt> pending;
  for (twin_index twin = 0; twin < w.twins.size(); ++twin) {
    const std::size_t region = w.fleet_of(twin).region;
    if (!back.region_touched[region]) continue;
    const twin_radio& radio = s.totals.twins[twin];
    const auto status = static_cast<radio_status>(radio.status);
    if (status == radio_status::never) continue;  // not booted yet: its first session attaches
    twin_modem& m = s.modems[twin];
    const models::rat technology = m.modem.current;
    const std::vector<std::uint32_t>& cells =
        back.cells[region * models::rat_count + static_cast<std::size_t>(technology)];
    if (cells.empty()) continue;
    // Lost service: it tried and found nothing, or it was on a cell that went down.
    const bool lost = status == radio_status::dark || contains(cells, radio.cell_id);
    if (!lost) continue;
    ++rt.twins_searching;
    if (models::in_penalty_box(m.modem, event.at_us)) {
      ++rt.deferred_penalty;
      continue;
    }
    ensure_links(s, twin);
    const models::link_budget& link = current_link(s, twin);
    if (!uses_random_access(technology) || link.coverage == models::coverage_class::none) {
      continue;  // still out of reach, or a RAT without registration (its next session goes)
    }
    planned_attempt a;
    a.twin = twin;
    a.cell = link.cell_id;
    // One stream per (event, twin): a twin's draws do not depend on who else searched.
    a.rng = models::random_stream(w.seed, (std::uint64_t{event.id} << 32) | twin,
                                  models::stream_purpose::reconnect);
    a.at_us = models::reconnect_attempt_us(s.reconnect, event.at_us, 0, a.rng);
    pending.push_back(std::move(a));
  }

  // 2. Rounds of random access: everyone searching in a round contends together.
  while (!pending.empty()) {
    std::sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) {
      return std::tie(a.at_us, a.twin) < std::tie(b.at_us, b.twin);
    });
    std::vector<models::rach_attempt> attempts;
    std::vector<models::random_stream*> rngs;
    attempts.reserve(pending.size());
    rngs.reserve(pending.size());
    for (planned_attempt& a : pending) {
      attempts.push_back({a.twin, a.cell, a.at_us});
      rngs.push_back(&a.rng);
    }
    const std::vector<models::rach_result> results = models::resolve_rach(attempts, rngs, s.rach);
    std::vector<planned_attempt> again;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      planned_attempt& a = pending[i];
      const models::rach_result& r = results[i];
      twin_modem& m = s.modems[a.twin];
      const models::rat technology = m.modem.current;
      const auto collisions = static_cast<std::uint64_t>(std::max(0, r.attempts - 1));
      count_access(s, a.twin, technology, 1, collisions, false);  // stamped below
      ++rt.attach_attempts;
      rt.access_collisions += collisions;
      const models::radio_model* model = s.radio->model(w.fleet_of(a.twin).region, technology);
      const std::int64_t access_end_us = a.at_us + r.delay_us;
      // Listening for responses through the procedure, and the attach's exchanges.
      const std::int64_t busy_us = r.delay_us + (r.success ? s.reconnect.attach_us : 0);
      const double charge_mah = model->power().rx_ma * (static_cast<double>(busy_us) / 3.6e9);
      s.totals.per_rat[static_cast<std::size_t>(technology)].radio_charge_mah += charge_mah;
      a.charge_mah += charge_mah;
      access_interval::stamped stamp{access_end_us, 1, static_cast<std::uint32_t>(collisions), 0};
      twin_radio& radio = s.totals.twins[a.twin];
      if (r.success) {
        const std::int64_t registered_us = access_end_us + s.reconnect.attach_us;
        models::record_outcome(m.modem, true, registered_us, s.penalty);
        refresh_twin_radio(s, a.twin);
        const auto& prefs = w.model_of(a.twin).rats;
        s.pending_statuses.push_back(
            {registered_us, a.twin, radio.sessions,
             static_cast<std::uint8_t>(technology == prefs.front() ? radio_status::preferred
                                                                   : radio_status::fallback)});
        ++rt.registered;
        const double after_s = static_cast<double>(registered_us - event.at_us) / 1e6;
        rt.registered_after_s_sum += after_s;
        rt.registered_after_s_max = std::max(rt.registered_after_s_max, after_s);
        stamp.reconnects = 1;
        s.interval.later.push_back(stamp);
        session_completion c = completion_for(s, a.twin, registered_us, true, a.charge_mah);
        c.penalty_until_us = m.modem.penalty_until_us;
        c.reconnect = true;
        notices.push_back(std::move(c));
        continue;
      }
      s.interval.later.push_back(stamp);
      if (a.round + 1 < s.reconnect.max_rounds) {
        a.at_us = models::reconnect_attempt_us(s.reconnect, access_end_us, a.round + 1, a.rng);
        ++a.round;
        again.push_back(std::move(a));
        continue;
      }
      // Every round failed: counted toward the penalty box like a failed session.
      models::record_outcome(m.modem, false, access_end_us, s.penalty);
      s.pending_statuses.push_back({access_end_us, a.twin, radio.sessions,
                                    static_cast<std::uint8_t>(radio_status::failing)});
      ++rt.gave_up;
      session_completion c = completion_for(s, a.twin, access_end_us, false, a.charge_mah);
      c.penalty_until_us = m.modem.penalty_until_us;
      c.reconnect = true;
      notices.push_back(std::move(c));
    }
    pending = std::move(again);
  }
  return notices;
}

void apply_pending_statuses(network_state& s, std::int64_t upto_us) {
  std::erase_if(s.pending_statuses, [&](const network_state::pending_status& p) {
    if (p.at_us > upto_us) return false;
    twin_radio& radio = s.totals.twins[p.twin];
    if (radio.sessions == p.sessions) radio.status = p.status;  // else a session came after
    return true;
  });
}

}  // namespace twelvefold::actors
