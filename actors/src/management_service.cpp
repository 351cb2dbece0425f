// Management service (see services.hpp).
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <caf/all.hpp>

#include "cloud/auth.hpp"
#include "cloud/auth_attacks.hpp"
#include "cloud/auth_timeline.hpp"
#include "cloud/config.hpp"
#include "cloud/config_report.hpp"
#include "cloud/config_timeline.hpp"
#include "cloud/dfu_service.hpp"
#include "cloud/health.hpp"
#include "cloud/location.hpp"
#include "cloud/logs.hpp"
#include "cloud/routes_wire.hpp"
#include "cloud/time_sync.hpp"
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

struct management_state {
  std::shared_ptr<const world> the_world;
  caf::actor solution;
  caf::actor store;
  std::vector<twin_record> twins;
  // Config, logs and health (cloud/config.hpp, cloud/logs.hpp, cloud/health.hpp).
  std::unique_ptr<cloud::config_state> config;
  std::unique_ptr<cloud::health_monitor> health;
  cloud::log_totals logs;
  std::uint64_t refused_decommissioned = 0;
  std::vector<std::string> strings{""};
  std::vector<twin_index> dirty;
  // Events raised since the last flush (every factor appends here; written at the next flush).
  std::vector<cloud_event> pending_events;
  std::vector<session_row> pending_sessions;  // table sessions, when the scenario keeps them
  std::uint64_t flushes = 0;                  // pending_* vectors were handed over this often
  caf::error store_error;                     // a failed event write, reported by the next flush
  management_totals totals;
  std::unique_ptr<location_service> location;  // factor 6: best location per twin
  std::unique_ptr<time_sync> clock;            // factor 7: Note time reconciliation
  std::unique_ptr<dfu_service> dfu;            // firmware updates (factor 8)
  // Factor 9/11: session verification, identity bindings and the timeline's attacks.
  std::unique_ptr<auth_service> auth;
  std::unique_ptr<attack_plan> attacks;
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
  row.device_id = device_id_for(w, twin, s.auth->generation(twin));  // the current binding
  row.fleet = w.fleets[s.config->home_fleet(twin)].name;             // after fleet moves
  row.rat = s.strings[r.rat];
  row.firmware = s.strings[r.firmware];
  row.last_seen_us = r.last_seen_us;
  // The cloud's best location (factor 6); until the first fix, the position the twin was
  // provisioned with at installation. The truth stays in the world.
  row.lat = w.twins[twin].position.lat_deg;
  row.lon = w.twins[twin].position.lon_deg;
  if (const best_location& best = s.location->best(twin); best.at_us >= 0) {
    row.lat = best.lat_e7 / 1e7;
    row.lon = best.lon_e7 / 1e7;
    row.location_kind = std::string(location_kind_name(best.kind));
    row.location_error_m = best.error_m;
  }
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
      up.device_id() != device_id_for(w, d.twin, s.auth->generation(d.twin))) {
    return false;
  }
  if (s.config->decommissioned(d.twin)) {
    ++s.refused_decommissioned;  // docs/cloud-config.md: a decommissioned twin is not served
    return false;
  }
  s.health->on_seen(d.twin, d.arrival_us, s.pending_events);
  for (const auto& line : up.logs()) {
    s.logs.record(d.twin, d.arrival_us, line.age_s(), line.level(), line.text(),
                  line.ByteSizeLong(), s.pending_events);
  }
  s.logs.lines_dropped += up.logs_dropped();
  twin_record& r = s.twins[d.twin];
  r.last_seen_us = d.arrival_us;
  ++r.sessions;
  r.firmware = intern(s, up.status().firmware());
  r.rat = intern(s, up.status().rat());
  r.rsrp_dbm = up.status().rsrp_dbm();
  r.cell_id = up.status().cell_id();
  r.battery_v = up.status().battery_v();
  r.battery_mah_used = up.status().battery_mah_used();
  s.dfu->on_uplink(d.twin, d.arrival_us, up, s.pending_events);
  if (!r.dirty) {
    r.dirty = true;
    s.dirty.push_back(d.twin);
  }
  s.location->on_uplink(d.twin, d.arrival_us, up);
  s.clock->on_uplink(d.twin, d.arrival_us, up, d.note_capture_us);
  return true;
}

std::string downlink_for(management_state& s, twin_index twin, std::int64_t arrival_us,
                         std::uint64_t device_env_version, const note_ack& ack,
                         dfu_service::chunk& dfu_chunk, const auth_grant& grant) {
  const world& w = *s.the_world;
  const std::uint32_t version = s.config->env_version(twin);
  wire::v1::SessionDownlink down;
  down.set_utc_us(w.epoch_utc_us + arrival_us);
  down.set_acked_through_seq(ack.acked_through_seq);
  down.set_env_version(version);
  if (device_env_version != version) {
    down.set_env_changed(true);
    s.config->on_env_sent(twin, arrival_us);
    for (const auto& [name, value] : s.config->resolved_env(twin)) {
      auto* var = down.add_env();
      var->set_name(name);
      var->set_value(value);
    }
    ++s.totals.env_updates_sent;
  }
  s.location->fill_downlink(twin, down);
  s.twins[twin].notes_delivered += ack.new_notes;
  cloud::merge_downlink_part(down, ack.routes_down);
  dfu_chunk =
      s.dfu->fill_downlink(twin, arrival_us, s.strings[s.twins[twin].rat], down, s.pending_events);
  std::string bytes = down.SerializeAsString();
  s.auth->seal_downlink(twin, arrival_us, grant, bytes);
  return bytes;
}

// Keeps the session for table sessions (bytes_down is filled in when the downlink is built).
void record_session(management_state& s, const delivered_uplink& d,
                    const wire::v1::SessionUplink* up, std::string outcome) {
  if (!s.the_world->store_sessions) return;
  session_row row;
  row.twin = d.twin;
  row.at_us = d.arrival_us;
  row.bytes_up = static_cast<std::uint32_t>(d.uplink.size());
  row.outcome = std::move(outcome);
  row.rat = d.rat;
  row.cell_id = d.cell_id;
  row.rsrp_dbm = d.rsrp_dbm;
  if (up != nullptr) row.notes = static_cast<std::uint32_t>(up->notes_size());
  s.pending_sessions.push_back(std::move(row));
}

caf::result<std::vector<cloud_reply>> handle_uplinks(caf::stateful_actor<management_state>* self,
                                                     std::vector<delivered_uplink>& batch) {
  management_state& s = self->state;
  struct accepted {
    std::size_t index;
    std::uint64_t env_version;
    auth_grant grant;
  };
  auto replies = std::make_shared<std::vector<cloud_reply>>(batch.size());
  auto sessions = std::make_shared<std::vector<accepted>>();
  const std::size_t first_session_row = s.pending_sessions.size();
  const std::uint64_t flush_generation = s.flushes;
  std::vector<twin_notes> notes;
  wire::v1::SessionUplink up;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const delivered_uplink& d = batch[i];
    (*replies)[i].twin = d.twin;
    s.attacks->run_until(d.arrival_us, s.pending_events);  // attacks interleave in time
    auth_grant grant;
    const bool parsed = up.ParseFromString(d.uplink);
    auth_reject why =
        parsed ? s.auth->verify(d.twin, d.arrival_us, d.uplink, up, grant) : auth_reject::malformed;
    if (why == auth_reject::none && !accept_uplink(s, d, up)) why = auth_reject::spoofed;
    if (why != auth_reject::none) {
      ++s.totals.sessions_refused;
      s.auth->count_reject(why);
      s.pending_events.push_back(
          rejection_event(d.twin, d.arrival_us, why, parsed ? up.session_seq() : 0));
      record_session(s, d, nullptr, std::string("refused: ") + to_string(why));
      continue;
    }
    s.attacks->observe(d.twin, d.arrival_us, d.uplink, up.session_seq());
    record_session(s, d, &up, "accepted");
    ++s.totals.sessions_accepted;
    {
      const auto hour = static_cast<std::size_t>(d.arrival_us / (3600LL * 1'000'000));
      if (s.totals.sessions_by_hour.size() <= hour) s.totals.sessions_by_hour.resize(hour + 1, 0);
      ++s.totals.sessions_by_hour[hour];
    }
    sessions->push_back({i, up.env_version(), std::move(grant)});
    twin_notes tn{d.twin, d.arrival_us, {}, d.start_us, {}};
    tn.notes.reserve(up.notes_size());
    std::string file;
    for (auto& n : *up.mutable_notes()) {
      if (!n.file().empty()) file = n.file();  // an empty file repeats the previous Note's
      if (file == cloud::hub_log_notefile) {
        // hub.log lines are Notes the firmware chose to send; they join the log stream too.
        s.logs.record_hub_log(d.twin, d.arrival_us, n.age_s(), n.body(), n.ByteSizeLong(),
                              s.pending_events);
      }
      // Templated Notes carry their binary record; the solution service stores either form.
      const bool templated = !n.record().empty();
      tn.notes.push_back(
          {n.seq(), file,
           n.record().empty() ? std::move(*n.mutable_body()) : std::move(*n.mutable_record()),
           n.utc_s(), n.age_s(), templated});
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
          [self, promise, replies, sessions, arrivals, first_session_row,
           flush_generation](std::vector<note_ack>& acks) mutable {
            management_state& st = self->state;
            for (std::size_t k = 0; k < sessions->size() && k < acks.size(); ++k) {
              const accepted& a = (*sessions)[k];
              cloud_reply& reply = (*replies)[a.index];
              dfu_service::chunk chunk;
              reply.downlink = downlink_for(st, reply.twin, (*arrivals)[k], a.env_version, acks[k],
                                            chunk, a.grant);
              reply.dfu_chunk_bytes = chunk.bytes;
              reply.dfu_campaign = chunk.campaign;
              // Rows of this batch were recorded in uplink order, refused ones included.
              const std::size_t row = first_session_row + a.index;
              // A flush in between took the rows: they are written without bytes_down.
              if (st.flushes == flush_generation && row < st.pending_sessions.size()) {
                st.pending_sessions[row].bytes_down =
                    static_cast<std::uint32_t>(reply.downlink.size());
              }
              // Notes a store route matched (routes_service.hpp) join the event stream.
              std::move(acks[k].events.begin(), acks[k].events.end(),
                        std::back_inserter(st.pending_events));
            }
            promise.deliver(std::move(*replies));
          },
          [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
  return promise;
}

caf::result<bool> flush(caf::stateful_actor<management_state>* self) {
  management_state& s = self->state;
  if (!s.store) {
    // No twin store (a bench): what would be written is counted and let go, so that a long run
    // without outputs holds no rows for a million twins.
    for (twin_index twin : s.dirty) s.twins[twin].dirty = false;
    s.dirty.clear();
    s.totals.events_raised += s.pending_events.size();
    s.pending_events.clear();
    s.pending_sessions.clear();
    (void)s.auth->take_bindings();
    (void)s.config->take_store_rows();
    ++s.flushes;
    return true;
  }
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
  std::vector<session_row> sessions = std::move(s.pending_sessions);
  s.pending_sessions.clear();
  ++s.flushes;
  s.totals.events_raised += events.size();
  std::vector<binding_row> bindings = s.auth->take_bindings();
  if (!s.store) return true;
  if (!bindings.empty()) {
    self->request(s.store, caf::infinite, bindings_atom::value, std::move(bindings))
        .then([](bool) {}, [self](caf::error& err) { self->state.store_error = std::move(err); });
  }
  if (!events.empty()) {
    for (cloud_event& e : events) e.serial = s.the_world->serial_of(e.twin);
    // The writer handles its mailbox in order, so the rows below land after these events; a
    // failure is kept and reported by this or the next flush (nothing is silently dropped).
    self->request(s.store, caf::infinite, events_atom::value, std::move(events))
        .then([](bool) {}, [self](caf::error& err) { self->state.store_error = std::move(err); });
  }
  if (!sessions.empty()) {
    for (session_row& r : sessions) r.serial = s.the_world->serial_of(r.twin);
    self->request(s.store, caf::infinite, sessions_atom::value, std::move(sessions))
        .then([](bool) {}, [self](caf::error& err) { self->state.store_error = std::move(err); });
  }
  if (config_rows config = s.config->take_store_rows(); !config.fleets.empty()) {
    // Config tables (docs/cloud-config.md): written when they changed; ordered like events.
    self->request(s.store, caf::infinite, config_atom::value, std::move(config))
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
    s.attacks->run_until(e.at_us, s.pending_events);  // attacks before the event see the old state
    switch (event.event_case()) {
      case scenario::v1::TimelineEvent::kDfuCampaign:
        s.dfu->start(event.dfu_campaign().name(), e.at_us);
        break;
      case scenario::v1::TimelineEvent::kKeyCompromise:
      case scenario::v1::TimelineEvent::kSpoofAttack:
      case scenario::v1::TimelineEvent::kCertRotation:
      case scenario::v1::TimelineEvent::kHardwareReplacement:
        apply_auth_event(*s.auth, *s.attacks, event, e.at_us, s.pending_events);
        break;
      case scenario::v1::TimelineEvent::kEnvChange:
      case scenario::v1::TimelineEvent::kFleetMove:
        cloud::apply_config_event(*s.config, *s.the_world, event, e.at_us, s.pending_events);
        break;
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
  s.location = std::make_unique<location_service>(w);
  s.clock = std::make_unique<time_sync>(w);
  s.dfu = std::make_unique<dfu_service>(s.the_world);
  s.auth = std::make_unique<auth_service>(s.the_world);
  s.attacks = std::make_unique<attack_plan>(*s.auth);
  s.config = std::make_unique<cloud::config_state>(w);
  s.health = std::make_unique<cloud::health_monitor>(w);
  return {
      [self](uplinks_atom, std::vector<delivered_uplink>& batch) {
        return handle_uplinks(self, batch);
      },
      [self](timeline_atom, const std::vector<cloud_timeline_event>& due) {
        return apply_timeline(self->state, due);
      },
      [self](health_atom, std::int64_t now_us) {
        management_state& st = self->state;
        // Attacks are due on the clock, not only when genuine uplinks happen to arrive: the
        // sweeps (every sample, the end of the run included) bring them up to date too.
        st.attacks->run_until(now_us, st.pending_events);
        st.health->sweep(
            now_us, *st.config, [&st](twin_index t) { return st.twins[t].last_seen_us; },
            st.pending_events);
        return true;
      },
      [self](flush_atom) { return flush(self); },
      [self](sample_atom, std::int64_t at_us) {
        // Firmware versions as reported to the cloud (factor 8's time series).
        management_state& st = self->state;
        std::vector<std::uint64_t> by_string(st.strings.size(), 0);
        for (const twin_record& r : st.twins) {
          if (r.last_seen_us >= 0) ++by_string[r.firmware];
        }
        std::map<std::string, std::uint64_t> versions;
        for (std::size_t i = 0; i < by_string.size(); ++i) {
          if (by_string[i] > 0) versions[st.strings[i]] = by_string[i];
        }
        st.dfu->sample(at_us, std::move(versions), st.pending_events);
        return true;
      },
      [self](twin_rows_atom, twin_index first, twin_index end) {
        const management_state& st = self->state;
        std::vector<twin_row> rows;
        end = std::min<twin_index>(end, static_cast<twin_index>(st.twins.size()));
        if (first < end) rows.reserve(end - first);
        for (twin_index twin = first; twin < end; ++twin) rows.push_back(row_for(st, twin));
        return rows;
      },
      [self](collect_atom) {
        management_state& st = self->state;
        management_totals totals = st.totals;
        totals.dfu = st.dfu->totals(st.the_world->duration_us);
        totals.auth = st.auth->final_totals();
        totals.config_json =
            cloud::config_report_json(*st.config, *st.health, st.logs, st.refused_decommissioned);
        totals.location = st.location->totals();
        totals.time = st.clock->totals();
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
