// Solution service (see services.hpp).
#include <algorithm>
#include <memory>

#include <caf/all.hpp>

#include "cloud/routes_service.hpp"
#include "delivery_groups.hpp"
#include "twelvefold/actors/atoms.hpp"
#include "twelvefold/actors/latency_histogram.hpp"
#include "twelvefold/actors/replay.hpp"
#include "twelvefold/actors/services.hpp"

namespace twelvefold::actors {
namespace {

constexpr std::int64_t us_per_hour = 3600LL * 1'000'000;

struct solution_state {
  solution_totals totals;
  std::unique_ptr<latency_histogram> latency = std::make_unique<latency_histogram>();
  std::unique_ptr<cloud::cloud_routes> routes;  // factors 1, 3, 5 (docs/cloud-routes.md)
  std::string routes_error;                     // a route the loader let through but cannot run
  std::unique_ptr<delivery_groups> groups;      // per fleet and region (summary.json)
};

void count_by_hour(std::vector<std::uint64_t>& by_hour, std::int64_t at_us, std::uint64_t n) {
  const auto hour = static_cast<std::size_t>(std::max<std::int64_t>(0, at_us / us_per_hour));
  if (by_hour.size() <= hour) by_hour.resize(hour + 1, 0);
  by_hour[hour] += n;
}

std::vector<note_ack> store_notes(solution_state& s, const std::vector<twin_notes>& batch) {
  std::vector<note_ack> acks;
  acks.reserve(batch.size());
  for (const twin_notes& tn : batch) {
    std::uint64_t& acked = s.totals.acked_through[tn.twin];
    note_ack ack{tn.twin, acked, 0, {}, {}};
    // Devices send their oldest notes first and never reorder, so "everything up to the
    // highest seq stored" identifies the stored set: anything at or below it is a duplicate
    // (a resend after a lost downlink).
    for (const note_record& note : tn.notes) {
      if (note.seq <= acked) {
        ++s.totals.duplicates_discarded;
        continue;
      }
      acked = note.seq;
      ++ack.new_notes;
      ++s.totals.notes_stored;
      // Queued on the device for age_s, then the session's own time to reach the cloud.
      const double latency_s =
          note.age_s + static_cast<double>(tn.arrival_us - tn.session_start_us) / 1e6;
      s.latency->add(latency_s);
      s.groups->add(tn.twin, latency_s);
      if (s.routes) s.routes->route_note(tn.twin, tn.arrival_us, note, ack.events);
    }
    if (ack.new_notes > 0) count_by_hour(s.totals.notes_by_hour, tn.arrival_us, ack.new_notes);
    if (s.routes) s.routes->on_session(tn, ack);
    ack.acked_through_seq = acked;
    acks.push_back(ack);
  }
  return acks;
}

caf::behavior solution_actor(caf::stateful_actor<solution_state>* self,
                             std::shared_ptr<const world> the_world) {
  self->state.totals.acked_through.assign(the_world->twins.size(), 0);
  self->state.groups = std::make_unique<delivery_groups>(the_world);
  if (auto routes = cloud::cloud_routes::create(the_world)) {
    self->state.routes = std::move(*routes);
  } else {
    self->state.routes_error = routes.error();
  }
  return {
      [self](notes_atom, const std::vector<twin_notes>& batch) {
        return store_notes(self->state, batch);
      },
      [self](timeline_atom, const std::vector<cloud_timeline_event>& due) {
        if (self->state.routes) self->state.routes->apply_timeline(due);
        return true;
      },
      // Resume (replay.hpp).
      [self](replay_atom, const std::vector<route_counters>& at_stop) -> caf::result<bool> {
        if (!self->state.routes) return true;
        if (auto ok = self->state.routes->begin_replay(at_stop); !ok) {
          return caf::make_error(caf::sec::invalid_argument, ok.error());
        }
        return true;
      },
      [self](live_atom) {
        return self->state.routes ? self->state.routes->end_replay() : std::vector<std::uint64_t>{};
      },
      [self](collect_atom) -> caf::result<solution_totals> {
        solution_state& st = self->state;
        if (!st.routes_error.empty()) {
          return caf::make_error(caf::sec::runtime_error, st.routes_error);
        }
        if (st.routes) st.totals.routes = st.routes->finish();
        solution_totals totals = st.totals;
        totals.latency_counts = st.latency->counts();
        totals.latency_p50_s = st.latency->quantile_s(0.50);
        totals.latency_p90_s = st.latency->quantile_s(0.90);
        totals.latency_p99_s = st.latency->quantile_s(0.99);
        totals.latency_max_s = st.latency->max_s();
        totals.per_fleet = st.groups->fleets();
        totals.per_region = st.groups->regions();
        return totals;
      },
  };
}

}  // namespace

caf::actor spawn_solution_service(caf::actor_system& system,
                                  std::shared_ptr<const world> the_world) {
  return system.spawn(solution_actor, std::move(the_world));
}

}  // namespace twelvefold::actors
