// Management service (see services.hpp).
#include <algorithm>
#include <string>
#include <utility>

#include <caf/all.hpp>

#include "cloud/routes_wire.hpp"
#include "twelvefold/actors/atoms.hpp"
#include "twelvefold/actors/services.hpp"
#include "twelvefold/scenario/v1/scenario.pb.h"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {
namespace {

// The cloud's compact record of one twin; strings are interned (a million twins share a few
// firmware names and RATs).
struct twin_record {
  std::int64_t last_seen_us = -1;
  std::uint64_t sessions = 0;
  std::uint64_t notes_delivered = 0;
  std::uint64_t env_version_sent = 0;
  float rsrp_dbm = 0;
  float battery_v = 0;
  float battery_mah_used = 0;
  std::uint32_t cell_id = 0;
  std::uint16_t firmware = 0;  // index into management_state::strings
  std::uint16_t rat = 0;
  bool dirty = false;
};

struct fleet_env {
  env_map resolved;  // fleet scope over project scope
  std::uint64_t version = 1;
};

struct management_state {
  std::shared_ptr<const world> the_world;
  caf::actor solution;
  caf::actor store;
  std::vector<twin_record> twins;
  std::vector<fleet_env> fleets;
  std::vector<std::string> strings{""};
  std::vector<twin_index> dirty;
  // Events raised since the last flush (every factor appends here; written at the next flush).
  std::vector<cloud_event> pending_events;
  caf::error store_error;  // a failed event write, reported by the next flush
  management_totals totals;
};

std::uint16_t intern(management_state& s, const std::string& text) {
  auto it = std::find(s.strings.begin(), s.strings.end(), text);
  if (it != s.strings.end()) return static_cast<std::uint16_t>(it - s.strings.begin());
  s.strings.push_back(text);
  return static_cast<std::uint16_t>(s.strings.size() - 1);
}

twin_row row_for(const management_state& s, twin_index twin) {
  const world& w = *s.the_world;
  const twin_record& r = s.twins[twin];
  twin_row row;
  row.serial = w.serial_of(twin);
  row.device_id = w.device_id_of(twin);
  row.fleet = w.fleet_of(twin).name;
  row.rat = s.strings[r.rat];
  row.firmware = s.strings[r.firmware];
  row.last_seen_us = r.last_seen_us;
  // Until the location service (factor 6) lands, a twin's location is the one it was
  // provisioned with at installation.
  row.lat = w.twins[twin].position.lat_deg;
  row.lon = w.twins[twin].position.lon_deg;
  row.battery_mah_used = r.battery_mah_used;
  row.battery_v = r.battery_v;
  row.notes_delivered = r.notes_delivered;
  row.sessions = r.sessions;
  row.rsrp_dbm = r.rsrp_dbm;
  row.cell_id = r.cell_id;
  return row;
}

// Checks one uplink and records the session on the twin. Returns false when it is refused.
bool accept_uplink(management_state& s, const delivered_uplink& d,
                   const wire::v1::SessionUplink& up) {
  const world& w = *s.the_world;
  if (d.twin >= w.twins.size() || up.serial() != w.serial_of(d.twin) ||
      up.device_id() != w.device_id_of(d.twin)) {
    return false;
  }
  twin_record& r = s.twins[d.twin];
  r.last_seen_us = d.arrival_us;
  ++r.sessions;
  r.firmware = intern(s, up.status().firmware());
  r.rat = intern(s, up.status().rat());
  r.rsrp_dbm = up.status().rsrp_dbm();
  r.cell_id = up.status().cell_id();
  r.battery_v = up.status().battery_v();
  r.battery_mah_used = up.status().battery_mah_used();
  if (!r.dirty) {
    r.dirty = true;
    s.dirty.push_back(d.twin);
  }
  return true;
}

std::string downlink_for(management_state& s, twin_index twin, std::int64_t arrival_us,
                         std::uint64_t device_env_version, const note_ack& ack) {
  const world& w = *s.the_world;
  const fleet_env& env = s.fleets[w.twins[twin].fleet];
  wire::v1::SessionDownlink down;
  down.set_utc_us(w.epoch_utc_us + arrival_us);
  down.set_acked_through_seq(ack.acked_through_seq);
  down.set_env_version(env.version);
  if (device_env_version != env.version) {
    down.set_env_changed(true);
    for (const auto& [name, value] : env.resolved) {
      auto* var = down.add_env();
      var->set_name(name);
      var->set_value(value);
    }
    ++s.totals.env_updates_sent;
  }
  s.twins[twin].notes_delivered += ack.new_notes;
  cloud::merge_downlink_part(down, ack.routes_down);
  return down.SerializeAsString();
}

caf::result<std::vector<cloud_reply>> handle_uplinks(caf::stateful_actor<management_state>* self,
                                                     std::vector<delivered_uplink>& batch) {
  management_state& s = self->state;
  struct accepted {
    std::size_t index;
    std::uint64_t env_version;
  };
  auto replies = std::make_shared<std::vector<cloud_reply>>(batch.size());
  auto sessions = std::make_shared<std::vector<accepted>>();
  std::vector<twin_notes> notes;
  wire::v1::SessionUplink up;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const delivered_uplink& d = batch[i];
    (*replies)[i].twin = d.twin;
    if (!up.ParseFromString(d.uplink) || !accept_uplink(s, d, up)) {
      ++s.totals.sessions_refused;
      continue;
    }
    ++s.totals.sessions_accepted;
    sessions->push_back({i, up.env_version()});
    twin_notes tn{d.twin, d.arrival_us, {}, {}};
    tn.notes.reserve(up.notes_size());
    std::string file;
    for (auto& n : *up.mutable_notes()) {
      if (!n.file().empty()) file = n.file();  // an empty file repeats the previous Note's
      // Templated Notes carry their binary record; the solution service stores either form.
      const bool templated = !n.record().empty();
      tn.notes.push_back(
          {n.seq(), file,
           n.record().empty() ? std::move(*n.mutable_body()) : std::move(*n.mutable_record()),
           n.utc_s(), templated});
    }
    tn.routes_up = cloud::take_uplink_part(up);  // web requests, .db changes (solution's)
    notes.push_back(std::move(tn));
  }
  if (sessions->empty()) return std::move(*replies);
  auto arrivals = std::make_shared<std::vector<std::int64_t>>();
  arrivals->reserve(notes.size());
  for (const twin_notes& tn : notes) arrivals->push_back(tn.arrival_us);
  auto promise = self->make_response_promise<std::vector<cloud_reply>>();
  self->request(s.solution, caf::infinite, notes_atom::value, std::move(notes))
      .then(
          [self, promise, replies, sessions, arrivals](std::vector<note_ack>& acks) mutable {
            for (std::size_t k = 0; k < sessions->size() && k < acks.size(); ++k) {
              const accepted& a = (*sessions)[k];
              cloud_reply& reply = (*replies)[a.index];
              reply.downlink =
                  downlink_for(self->state, reply.twin, (*arrivals)[k], a.env_version, acks[k]);
              // Notes a store route matched (routes_service.hpp) join the event stream.
              std::move(acks[k].events.begin(), acks[k].events.end(),
                        std::back_inserter(self->state.pending_events));
            }
            promise.deliver(std::move(*replies));
          },
          [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
  return promise;
}

caf::result<bool> flush(caf::stateful_actor<management_state>* self) {
  management_state& s = self->state;
  std::vector<twin_row> rows;
  rows.reserve(s.dirty.size());
  std::sort(s.dirty.begin(), s.dirty.end());
  for (twin_index twin : s.dirty) {
    rows.push_back(row_for(s, twin));
    s.twins[twin].dirty = false;
  }
  s.dirty.clear();
  std::vector<cloud_event> events = std::move(s.pending_events);
  s.pending_events.clear();
  s.totals.events_raised += events.size();
  if (!s.store) return true;
  if (!events.empty()) {
    for (cloud_event& e : events) e.serial = s.the_world->serial_of(e.twin);
    // The writer handles its mailbox in order, so the rows below land after these events; a
    // failure is kept and reported by this or the next flush (nothing is silently dropped).
    self->request(s.store, caf::infinite, events_atom::value, std::move(events))
        .then([](bool) {}, [self](caf::error& err) { self->state.store_error = std::move(err); });
  }
  if (s.store_error) return std::exchange(s.store_error, caf::error{});
  if (rows.empty()) return true;
  auto promise = self->make_response_promise<bool>();
  self->request(s.store, caf::infinite, upsert_atom::value, std::move(rows))
      .then([promise](bool ok) mutable { promise.deliver(ok); },
            [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
  return promise;
}

// Applies the cloud-side timeline events due in this window, in scenario order. Each factor
// handles its own kind of event here; the scenario loader has already validated them.
bool apply_timeline(management_state& s, const std::vector<cloud_timeline_event>& due) {
  scenario::v1::TimelineEvent event;
  for (const cloud_timeline_event& e : due) {
    if (!event.ParseFromString(e.encoded)) return false;
    switch (event.event_case()) {
      case scenario::v1::TimelineEvent::kRouteRepoint:
      case scenario::v1::TimelineEvent::kDbUpdate:
      case scenario::v1::TimelineEvent::kInboundNote:
        // Routes and the state that goes down to devices belong to the solution service; it
        // gets them before any uplink of this window (one sender, messages stay in order).
        caf::anon_send(s.solution, timeline_atom::value, std::vector<cloud_timeline_event>{e});
        break;
      default:
        break;  // network events never come here; unknown kinds were refused by the loader
    }
    (void)s;
  }
  return true;
}

caf::behavior management_actor(caf::stateful_actor<management_state>* self,
                               std::shared_ptr<const world> the_world, caf::actor solution,
                               caf::actor store) {
  management_state& s = self->state;
  s.the_world = std::move(the_world);
  s.solution = std::move(solution);
  s.store = std::move(store);
  const world& w = *s.the_world;
  s.twins.resize(w.twins.size());
  for (const fleet_spec& fleet : w.fleets) {
    fleet_env env;
    env.resolved = w.project_env;
    for (const auto& [name, value] : fleet.env) env.resolved[name] = value;
    s.fleets.push_back(std::move(env));
  }
  return {
      [self](uplinks_atom, std::vector<delivered_uplink>& batch) {
        return handle_uplinks(self, batch);
      },
      [self](timeline_atom, const std::vector<cloud_timeline_event>& due) {
        return apply_timeline(self->state, due);
      },
      [self](flush_atom) { return flush(self); },
      [self](collect_atom) {
        management_state& st = self->state;
        management_totals totals = st.totals;
        totals.twins.reserve(st.twins.size());
        for (twin_index twin = 0; twin < st.twins.size(); ++twin) {
          totals.twins.push_back(row_for(st, twin));
        }
        return totals;
      },
  };
}

}  // namespace

caf::actor spawn_management_service(caf::actor_system& system,
                                    std::shared_ptr<const world> the_world, caf::actor solution,
                                    caf::actor store) {
  return system.spawn(management_actor, std::move(the_world), std::move(solution),
                      std::move(store));
}

}  // namespace twelvefold::actors
