// The uplink phase of a window's sessions: the modem picks a RAT, the twin contends for access,
// attaches and sends; what fails ends here, what reaches the cloud waits for its reply.
#include <algorithm>
#include <cmath>
#include <limits>

#include "network_state.hpp"

namespace twelvefold::actors {
namespace {

// Cloud unreachable behind a working radio: the module waits this long for an answer.
constexpr std::int64_t backhaul_timeout_us = 10'000'000;
// LoRa frames older than this cannot overlap a new one (SF12 with a 51-byte payload is 2.5 s).
constexpr std::int64_t lora_overlap_horizon_us = 5'000'000;
// EU868's three default channels (868.1/868.3/868.5 MHz, LoRaWAN Regional Parameters RP002);
// a device hops at random between them for every uplink.
constexpr std::uint64_t lora_channels = 3;

// The twin's shadowing on `r`: a property of the place, drawn from the twin's own stream in a
// fixed order so it is the same whatever else happens in the run.
double shadowing_db(const world& w, twin_index twin, models::rat r, double sigma_db) {
  models::random_stream shadow(w.seed, twin, models::stream_purpose::shadowing);
  double z = 0;
  for (int i = 0; i <= static_cast<int>(r); ++i) z = shadow.normal();
  return z * sigma_db;
}

// A session that could not even start: counted, answered at the end of the scan.
void fail_now(network_state& s, uplink_phase& out, twin_index twin, models::rat technology,
              std::int64_t at_us, std::int64_t window_end_us, double charge_mah,
              radio_status status, bool count_as_session) {
  if (count_as_session) count_session(s, twin, technology, false, charge_mah);
  s.totals.twins[twin].status = static_cast<std::uint8_t>(status);
  out.completions.push_back(
      completion_for(s, twin, std::max(at_us, window_end_us), false, charge_mah));
}

struct planned_session {
  const session_start* start = nullptr;
  const models::radio_model* model = nullptr;
  const models::link_budget* link = nullptr;
  models::rat technology = models::rat::lte_m;
  std::size_t rach_index = std::numeric_limits<std::size_t>::max();
};

}  // namespace

bool uses_random_access(models::rat r) {
  return r == models::rat::lte_m || r == models::rat::nb_iot || r == models::rat::gprs ||
         r == models::rat::umts;
}

void ensure_links(network_state& s, twin_index twin) {
  twin_modem& m = s.modems[twin];
  if (m.links_epoch == s.radio->topology_epoch()) return;
  const world& w = *s.the_world;
  const auto& prefs = w.model_of(twin).rats;
  const std::size_t region = w.fleet_of(twin).region;
  for (std::size_t k = 0; k < prefs.size(); ++k) {
    models::link_budget& link = s.links[s.link_offset[twin] + k];
    const models::radio_model* model = s.radio->model(region, prefs[k]);
    if (model == nullptr) {
      link = {};
      link.technology = prefs[k];
      continue;
    }
    link = model->best_link(w.twins[twin].position,
                            shadowing_db(w, twin, prefs[k], model->shadowing_sigma_db()),
                            s.radio->site_up(region, prefs[k]));
  }
  m.links_epoch = s.radio->topology_epoch();
}

const models::link_budget& current_link(const network_state& s, twin_index twin) {
  const auto& prefs = s.the_world->model_of(twin).rats;
  const auto it = std::find(prefs.begin(), prefs.end(), s.modems[twin].modem.current);
  const std::size_t k = it == prefs.end() ? 0 : static_cast<std::size_t>(it - prefs.begin());
  return s.links[s.link_offset[twin] + k];
}

void refresh_twin_radio(network_state& s, twin_index twin) {
  const models::link_budget& link = current_link(s, twin);
  twin_radio& radio = s.totals.twins[twin];
  radio.rat = static_cast<std::uint8_t>(s.modems[twin].modem.current);
  radio.coverage = static_cast<std::uint8_t>(link.coverage);
  radio.level = link.level;
  radio.cell_id = link.cell_id;
  // No site at all gives -inf; NaN stores as NULL ("no serving site") in the twin store.
  radio.rsrp_dbm = std::isfinite(link.rsrp_dbm) && link.coverage != models::coverage_class::none
                       ? static_cast<float>(link.rsrp_dbm)
                       : std::numeric_limits<float>::quiet_NaN();
  radio.sinr_db = std::isfinite(link.sinr_db) && link.coverage != models::coverage_class::none
                      ? static_cast<float>(link.sinr_db)
                      : std::numeric_limits<float>::quiet_NaN();
}

uplink_phase run_uplinks(network_state& s, const std::vector<session_start>& starts,
                         std::int64_t window_end_us) {
  uplink_phase out;
  const world& w = *s.the_world;
  std::vector<planned_session> planned;
  std::vector<models::rach_attempt> attempts;
  std::vector<models::random_stream*> attempt_rngs;
  planned.reserve(starts.size());

  // 1. The modem's choice of RAT.
  for (const session_start& start : starts) {
    const twin_index twin = start.twin;
    twin_modem& m = s.modems[twin];
    ensure_links(s, twin);
    const auto& prefs = w.model_of(twin).rats;
    // The firmware lifted the box (hub.sync allow:true, card.wireless.penalty reset:true): the
    // modem tries now; another failure puts it straight back in, for longer.
    if (start.penalty_override) m.modem.penalty_until_us = 0;
    if (models::in_penalty_box(m.modem, start.start_us)) {
      ++s.totals.penalty_blocked;
      fail_now(s, out, twin, m.modem.current, start.start_us, window_end_us, 0,
               static_cast<radio_status>(s.totals.twins[twin].status), false);
      continue;
    }
    models::links_by_rat by_rat{};
    for (auto& l : by_rat) l.coverage = models::coverage_class::none;
    for (std::size_t k = 0; k < prefs.size(); ++k) {
      by_rat[static_cast<std::size_t>(prefs[k])] = s.links[s.link_offset[twin] + k];
    }
    const std::uint32_t fallbacks_before = m.modem.fallbacks;
    const std::uint32_t returns_before = m.modem.returns;
    models::rat chosen{};
    if (!models::choose_rat(m.modem, prefs, by_rat, start.start_us, s.penalty, chosen)) {
      // No RAT in reach: the modem scans every band it has, then gives up.
      const std::size_t region = w.fleet_of(twin).region;
      models::session_outcome scan;
      scan.latency_us = 0;
      for (models::rat r : prefs) {
        if (const models::radio_model* model = s.radio->model(region, r)) {
          models::link_budget none;
          none.technology = r;
          const auto o = model->run_session(none, {}, m.rng);
          scan.latency_us += o.latency_us;
          scan.charge_mah += o.charge_mah;
        }
      }
      models::record_outcome(m.modem, false, start.start_us + scan.latency_us, s.penalty);
      ++s.totals.per_rat[static_cast<std::size_t>(prefs.front())].no_coverage;
      fail_now(s, out, twin, prefs.front(), start.start_us + scan.latency_us, window_end_us,
               scan.charge_mah, radio_status::dark, true);
      refresh_twin_radio(s, twin);
      continue;
    }
    if (m.modem.fallbacks != fallbacks_before) {
      ++s.totals.per_rat[static_cast<std::size_t>(chosen)].fallbacks_into;
      ++s.totals.twins[twin].fallbacks;
    }
    if (m.modem.returns != returns_before) {
      ++s.totals.per_rat[static_cast<std::size_t>(chosen)].returns_into;
    }
    refresh_twin_radio(s, twin);
    planned_session p;
    p.start = &start;
    p.technology = chosen;
    p.model = s.radio->model(w.fleet_of(twin).region, chosen);
    p.link = &current_link(s, twin);
    if (uses_random_access(chosen)) {
      p.rach_index = attempts.size();
      attempts.push_back({twin, p.link->cell_id, start.start_us});
      attempt_rngs.push_back(&m.rng);
    }
    planned.push_back(p);
  }

  // 2. Random access: everyone who attaches to a cell in this window contends for preambles.
  const std::vector<models::rach_result> rach =
      attempts.empty() ? std::vector<models::rach_result>{}
                       : models::resolve_rach(attempts, attempt_rngs, s.rach);

  // 3. Attach and uplink.
  struct lora_pending {
    std::size_t planned_index;
    models::session_outcome up;
    std::int64_t done_us;
  };
  std::vector<models::lora_tx> new_lora;
  std::vector<lora_pending> lora_sessions;
  auto accept = [&](const planned_session& p, const models::session_outcome& up,
                    std::int64_t done_us) {
    const twin_index twin = p.start->twin;
    const std::size_t region = w.fleet_of(twin).region;
    if (!s.radio->backhaul_up(region, p.technology, p.link->cell_id)) {
      ++s.totals.backhaul_failures;
      models::record_outcome(s.modems[twin].modem, false, done_us, s.penalty);
      fail_now(s, out, twin, p.technology, done_us + backhaul_timeout_us, window_end_us,
               up.charge_mah, radio_status::failing, true);
      return;
    }
    const std::uint64_t bytes = p.start->uplink.size() + p.model->overhead_bytes_per_direction();
    s.totals.bytes_uplink += bytes;
    s.totals.per_rat[static_cast<std::size_t>(p.technology)].bytes_uplink += bytes;
    out.delivered.push_back(
        {twin, done_us, p.start->uplink, static_cast<std::uint8_t>(p.technology), p.link->cell_id,
         static_cast<float>(p.link->rsrp_dbm), p.start->start_us, p.start->note_capture_us});
    out.awaiting.push_back({twin, p.technology, done_us, up.charge_mah});
  };
  for (std::size_t i = 0; i < planned.size(); ++i) {
    const planned_session& p = planned[i];
    const twin_index twin = p.start->twin;
    twin_modem& m = s.modems[twin];
    rat_totals& rt = s.totals.per_rat[static_cast<std::size_t>(p.technology)];
    std::int64_t access_delay_us = 0;
    if (p.rach_index < rach.size()) {
      const models::rach_result& r = rach[p.rach_index];
      count_access(s, twin, p.technology, 1,
                   static_cast<std::uint64_t>(std::max(0, r.attempts - 1)));
      if (!r.success) {
        models::record_outcome(m.modem, false, p.start->start_us + r.delay_us, s.penalty);
        fail_now(s, out, twin, p.technology, p.start->start_us + r.delay_us, window_end_us,
                 p.model->power().rx_ma * (r.delay_us / 3.6e9), radio_status::failing, true);
        continue;
      }
      access_delay_us = r.delay_us;
    }
    if (p.technology == models::rat::lorawan && p.start->start_us < m.lora_next_allowed_us) {
      ++rt.duty_cycle_blocked;
      fail_now(s, out, twin, p.technology, p.start->start_us, window_end_us, 0,
               radio_status::failing, true);
      continue;
    }
    const std::int64_t begin_us = p.start->start_us + access_delay_us;
    const models::session_outcome up = p.model->run_session(
        *p.link, {static_cast<std::uint32_t>(p.start->uplink.size()), 0, w.epoch_utc_us + begin_us},
        m.rng);
    const std::int64_t done_us = begin_us + up.latency_us;
    if (!up.success) {
      models::record_outcome(m.modem, false, done_us, s.penalty);
      const bool dark = up.failure == models::session_failure::no_coverage;
      if (dark) ++rt.no_coverage;
      fail_now(s, out, twin, p.technology, done_us, window_end_us, up.charge_mah,
               dark ? radio_status::dark : radio_status::failing, true);
      continue;
    }
    if (p.technology == models::rat::lorawan) {
      m.lora_next_allowed_us =
          models::lora_next_allowed_us(begin_us + up.airtime_us, up.airtime_us);
      models::lora_tx tx;
      tx.twin = twin;
      tx.gateway = p.link->cell_id;
      tx.sf = p.link->level;
      tx.start_us = begin_us;
      tx.airtime_us = up.airtime_us;
      tx.rssi_dbm = p.link->rsrp_dbm;
      tx.channel = static_cast<std::uint8_t>(m.rng.below(lora_channels));  // EU868 default set
      new_lora.push_back(tx);
      count_access(s, twin, models::rat::lorawan, 1, 0);
      lora_sessions.push_back({i, up, done_us});
      continue;
    }
    accept(p, up, done_us);
  }

  // 4. LoRa: frames of the same SF overlapping at a gateway collide unless one captures.
  // Frames from earlier windows that may still overlap count as interferers.
  if (!new_lora.empty()) {
    std::vector<models::lora_tx> all = s.recent_lora;
    const std::size_t first_new = all.size();
    all.insert(all.end(), new_lora.begin(), new_lora.end());
    const std::vector<bool> received = models::resolve_lora(all);
    for (std::size_t k = 0; k < lora_sessions.size(); ++k) {
      const lora_pending& lp = lora_sessions[k];
      const planned_session& p = planned[lp.planned_index];
      if (received[first_new + k]) {
        accept(p, lp.up, lp.done_us);
        continue;
      }
      count_access(s, p.start->twin, models::rat::lorawan, 0, 1);
      models::record_outcome(s.modems[p.start->twin].modem, false, lp.done_us, s.penalty);
      fail_now(s, out, p.start->twin, p.technology, lp.done_us, window_end_us, lp.up.charge_mah,
               radio_status::failing, true);
    }
    std::erase_if(all, [&](const models::lora_tx& tx) {
      return tx.start_us + tx.airtime_us < window_end_us - lora_overlap_horizon_us;
    });
    s.recent_lora = std::move(all);
  }
  return out;
}

}  // namespace twelvefold::actors
