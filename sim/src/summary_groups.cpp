// Per-fleet / per-region figures and the reconnect object (see summary_groups.hpp).
#include "summary_groups.hpp"

namespace twelvefold::sim {

void fill_group_summaries(run_summary& sum, const actors::world& w,
                          const actors::network_totals& network,
                          const actors::solution_totals& solution,
                          const std::vector<actors::twin_final>& finals,
                          std::uint64_t reconnect_syncs) {
  std::vector<group_summary> fleets(w.fleets.size());
  std::vector<group_summary> regions(w.regions.size());
  std::vector<std::uint64_t> region_twins(w.regions.size(), 0);
  auto add_radio = [](group_summary& g, const actors::group_radio& r) {
    g.sessions += r.sessions;
    g.session_failures += r.session_failures;
    g.attach_attempts += r.attach_attempts;
    g.access_collisions += r.access_collisions;
  };
  auto add_delivery = [](group_summary& g, const actors::group_delivery& d) {
    g.notes_delivered = d.notes_stored;
    g.latency_p50_s = d.latency_p50_s;
    g.latency_p90_s = d.latency_p90_s;
  };
  for (std::size_t f = 0; f < fleets.size(); ++f) {
    if (f < network.per_fleet.size()) add_radio(fleets[f], network.per_fleet[f]);
    if (f < solution.per_fleet.size()) add_delivery(fleets[f], solution.per_fleet[f]);
  }
  for (std::size_t g = 0; g < regions.size(); ++g) {
    if (g < network.per_region.size()) add_radio(regions[g], network.per_region[g]);
    if (g < solution.per_region.size()) add_delivery(regions[g], solution.per_region[g]);
  }
  for (actors::twin_index twin = 0; twin < w.twins.size(); ++twin) {
    const std::uint32_t fleet = w.twins[twin].fleet;
    const std::size_t region = w.fleets[fleet].region;
    const std::uint64_t added = twin < finals.size() ? finals[twin].notes_added : 0;
    const bool dark =
        twin < network.twins.size() &&
        static_cast<actors::radio_status>(network.twins[twin].status) == actors::radio_status::dark;
    for (group_summary* g : {&fleets[fleet], &regions[region]}) {
      g->notes_added += added;
      g->dark_twins += dark ? 1 : 0;
    }
    ++region_twins[region];
  }
  for (std::size_t f = 0; f < fleets.size(); ++f) {
    const auto it = sum.per_fleet.find(w.fleets[f].name);
    if (it != sum.per_fleet.end()) it->second.group = fleets[f];
  }
  for (std::size_t g = 0; g < regions.size(); ++g) {
    sum.per_region[w.regions[g].name] = {region_twins[g], regions[g]};
  }
  const actors::reconnect_totals& r = network.reconnect;
  reconnect_summary& out = sum.reconnect;
  out.outages_ended = r.outages_ended;
  out.twins_searching = r.twins_searching;
  out.deferred_penalty = r.deferred_penalty;
  out.attach_attempts = r.attach_attempts;
  out.access_collisions = r.access_collisions;
  out.registered = r.registered;
  out.gave_up = r.gave_up;
  out.syncs_started = reconnect_syncs;
  out.registered_after_s_mean =
      r.registered > 0 ? r.registered_after_s_sum / static_cast<double>(r.registered) : 0;
  out.registered_after_s_max = r.registered_after_s_max;
}

void add_group_json(nlohmann::ordered_json& object, const group_summary& g) {
  object["sessions"] = g.sessions;
  object["session_failures"] = g.session_failures;
  object["attach_attempts"] = g.attach_attempts;
  object["access_collisions"] = g.access_collisions;
  object["notes_added"] = g.notes_added;
  object["notes_delivered"] = g.notes_delivered;
  object["delivered_ratio"] = delivered_ratio(g.notes_added, g.notes_delivered);
  object["delivery_latency_p50_s"] = g.latency_p50_s;
  object["delivery_latency_p90_s"] = g.latency_p90_s;
  object["dark_twins"] = g.dark_twins;
}

nlohmann::ordered_json per_region_json(const run_summary& s) {
  nlohmann::ordered_json regions = nlohmann::ordered_json::object();
  for (const auto& [name, r] : s.per_region) {
    nlohmann::ordered_json entry = {{"twins", r.twins}};
    add_group_json(entry, r.group);
    regions[name] = std::move(entry);
  }
  return regions;
}

nlohmann::ordered_json reconnect_json(const run_summary& s) {
  const reconnect_summary& r = s.reconnect;
  return {{"outages_ended", r.outages_ended},
          {"twins_searching", r.twins_searching},
          {"deferred_penalty", r.deferred_penalty},
          {"attach_attempts", r.attach_attempts},
          {"access_collisions", r.access_collisions},
          {"registered", r.registered},
          {"gave_up", r.gave_up},
          {"syncs_started", r.syncs_started},
          {"registered_after_s_mean", r.registered_after_s_mean},
          {"registered_after_s_max", r.registered_after_s_max}};
}

}  // namespace twelvefold::sim
