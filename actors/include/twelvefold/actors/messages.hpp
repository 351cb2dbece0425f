// Typed payloads exchanged between the kernel and the actors. Every payload crosses a thread in
// batches (one message per window per actor, never one per twin). Twins are named by their
// global index (0..twins-1) everywhere; serials only appear on the wire and in the store.
//
// Each type has an inspect() overload so CAF can serialise it (for the distribution layer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace twelvefold::actors {

using twin_index = std::uint32_t;

// A twin due to wake at `at_us` (virtual microseconds since the scenario epoch).
struct wake_entry {
  twin_index twin = 0;
  std::int64_t at_us = 0;
};

// A session the network has resolved, to be applied to the twin at `at_us`.
struct session_completion {
  twin_index twin = 0;
  std::int64_t at_us = 0;
  bool success = false;
  std::string downlink;         // encoded wire::v1::SessionDownlink; empty on failure
  double radio_charge_mah = 0;  // battery charge the radio drew for this session
  float rsrp_dbm = 0;
  std::uint32_t cell_id = 0;
  std::uint8_t rat = 0;  // models::rat the session used
  // The modem's registration penalty box ends then (0: not in one): the network's modem owns
  // the box, the module reflects it to the firmware.
  std::int64_t penalty_until_us = 0;
  // Not a session's end: the modem registered again (success) or gave up after an outage
  // ended (actors/src/reconnect.cpp); the module learns its transport and may sync at once.
  bool reconnect = false;
};

// Work for one device shard in one window [start, end).
struct window_work {
  std::int64_t window_end_us = 0;
  std::vector<wake_entry> wakes;                // sorted by (at_us, twin)
  std::vector<session_completion> completions;  // sorted by (at_us, twin)
};

// A session a twin starts at `start_us`: the encoded wire::v1::SessionUplink.
struct session_start {
  twin_index twin = 0;
  std::int64_t start_us = 0;
  std::string uplink;
  // Measurement only, never on the wire: the true virtual time each Note of the uplink was
  // captured (note.add), in uplink order, so the cloud can report its timestamp error (factor 7).
  std::vector<std::int64_t> note_capture_us;
  // The firmware lifted the penalty box (hub.sync allow:true, card.wireless.penalty reset:true):
  // the modem tries this session even inside its box.
  bool penalty_override = false;
};

struct window_result {
  std::vector<wake_entry> next_wakes;  // one per twin that ran: its next wake
  std::vector<session_start> sessions;
  std::uint64_t activations = 0;
};

// An uplink that reached the cloud at `arrival_us`.
// The network attaches what it knows of the session (as a network server attaches gateway
// metadata): the RAT, serving site and signal of this very session.
struct delivered_uplink {
  twin_index twin = 0;
  std::int64_t arrival_us = 0;
  std::string uplink;
  std::uint8_t rat = 0;  // models::rat
  std::uint32_t cell_id = 0;
  float rsrp_dbm = 0;
  std::int64_t start_us = 0;                    // when the twin started the session
  std::vector<std::int64_t> note_capture_us{};  // session_start::note_capture_us (measurement)
};

// The cloud's answer to one delivered uplink.
struct cloud_reply {
  twin_index twin = 0;
  std::string downlink;  // encoded wire::v1::SessionDownlink
  // A DFU image chunk the downlink stands for (its bytes are charged on the air on top of the
  // encoded message; docs/cloud-dfu.md), and its campaign id (0 none).
  std::uint32_t dfu_chunk_bytes = 0;
  std::uint8_t dfu_campaign = 0;
};

// Notes of one uplink, handed by the management service to the solution service.
struct note_record {
  std::uint64_t seq = 0;
  std::string file;
  std::string body;
  std::int64_t utc_s = 0;
  std::uint32_t age_s = 0;  // time queued on the device before the session started
  bool templated = false;   // `body` is a template's binary record, not JSON
};
struct twin_notes {
  twin_index twin = 0;
  std::int64_t arrival_us = 0;
  std::vector<note_record> notes;
  std::int64_t session_start_us = 0;  // with age_s: when each Note was added (latency)
  // The uplink's routes fields (web requests, .db changes, acks; session.proto 40-49) as an
  // encoded SessionUplink; "" when none (actors/src/cloud/routes_wire.hpp).
  std::string routes_up{};
};
struct cloud_event;
struct note_ack {
  twin_index twin = 0;
  std::uint64_t acked_through_seq = 0;
  std::uint32_t new_notes = 0;      // notes stored for the first time (duplicates excluded)
  std::vector<cloud_event> events;  // raised by routes (store sinks), for table `events`
  std::string routes_down;          // encoded SessionDownlink part (routes fields), "" if none
};

// One entry of the cloud's event stream (table `events`, docs/twin-store.md): anything that
// happened to a twin that someone may want to query later: a stored Note, a log line, a fleet
// move, a DFU step, a health alarm, a rejected session. `kind` is a dotted name ("note",
// "log", "fleet.move", "health.silent", ...); `file` the Notefile for Notes, else empty;
// `body` compact JSON.
struct cloud_event {
  twin_index twin = 0;
  std::int64_t at_us = 0;
  std::string kind;
  std::string file;
  std::string body;
  std::string serial;  // filled in by the management service when the event is written
};

// A session as the cloud saw it (table `sessions`): refused sessions too, with the reason.
struct session_row {
  twin_index twin = 0;
  std::int64_t at_us = 0;  // arrival at the cloud
  std::uint32_t notes = 0;
  std::uint32_t bytes_up = 0;
  std::uint32_t bytes_down = 0;
  std::uint32_t cell_id = 0;
  float rsrp_dbm = 0;
  std::uint8_t rat = 0;  // models::rat
  std::string outcome;   // "accepted" or the refusal reason
  std::string serial;    // filled in by the management service when the row is written
};

// One sample of a run-level time series (table `metrics`): e.g. connected twins by RAT.
struct metric_sample {
  std::int64_t at_us = 0;
  std::string name;   // e.g. "connected"
  std::string label;  // e.g. "lte-m"; '' for unlabelled series
  double value = 0;
};

// One row of the `twins` table (see docs/twin-store.md).
struct twin_row {
  std::string serial;
  std::string device_id;
  std::string fleet;
  std::string rat;
  std::string firmware;
  std::int64_t last_seen_us = -1;  // -1: never seen
  double lat = 0;
  double lon = 0;
  double battery_mah_used = 0;
  double battery_v = 0;
  std::uint64_t notes_delivered = 0;
  std::uint64_t sessions = 0;
  std::uint64_t session_failures = 0;
  float rsrp_dbm = 0;
  std::uint32_t cell_id = 0;
  // Radio figures known at the end of the run (empty / 0 in periodic flushes).
  std::string coverage;  // "normal", "extended", "extreme", "none"
  float sinr_db = 0;
  std::uint32_t fallbacks = 0;
  std::string radio_status;  // "preferred", "fallback", "failing", "dark", "never"
  double battery_life_years = 0;
  std::uint32_t reboots = 0;  // firmware faults that reset the twin (end of run)
  // lat/lon above are the cloud's best location (factor 6); before the first fix, the position
  // the twin was provisioned with ("provisioned", error -1: unknown).
  std::string location_kind = "provisioned";
  double location_error_m = -1;
};

// Config tables of the twin store (docs/cloud-config.md): `fleets` and `env` are replaced
// whole; `memberships` rows of the listed serials are replaced (all of them when `all`).
struct fleet_store_row {
  std::string name;
  std::string lifecycle;
  std::string rule;  // JSON of the membership rule, "" when none
  std::int32_t priority = 0;
  std::int64_t watchdog_s = 0;
  std::uint64_t twins = 0;  // home twins now
};
struct env_store_row {
  std::string scope;   // "project" | "fleet" | "device"
  std::string target;  // "" / fleet name / serial
  std::string name;
  std::string value;
  std::uint32_t version = 0;
  std::int64_t set_at_us = 0;
};
struct membership_store_row {
  std::string serial;
  std::string fleet;
  bool rule = false;  // by a membership rule (else the home fleet)
  std::int64_t since_us = 0;
};
struct config_rows {
  std::vector<fleet_store_row> fleets;
  std::vector<env_store_row> env;
  bool all_memberships = false;
  std::vector<std::string> membership_serials;
  std::vector<membership_store_row> memberships;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fleet_store_row& x) {
  return f(caf::meta::type_name("fleet_store_row"), x.name, x.lifecycle, x.rule, x.priority,
           x.watchdog_s, x.twins);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, env_store_row& x) {
  return f(caf::meta::type_name("env_store_row"), x.scope, x.target, x.name, x.value, x.version,
           x.set_at_us);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, membership_store_row& x) {
  return f(caf::meta::type_name("membership_store_row"), x.serial, x.fleet, x.rule, x.since_us);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, config_rows& x) {
  return f(caf::meta::type_name("config_rows"), x.fleets, x.env, x.all_memberships,
           x.membership_serials, x.memberships);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wake_entry& x) {
  return f(caf::meta::type_name("wake_entry"), x.twin, x.at_us);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_completion& x) {
  return f(caf::meta::type_name("session_completion"), x.twin, x.at_us, x.success, x.downlink,
           x.radio_charge_mah, x.rsrp_dbm, x.cell_id, x.rat, x.penalty_until_us, x.reconnect);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, window_work& x) {
  return f(caf::meta::type_name("window_work"), x.window_end_us, x.wakes, x.completions);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_start& x) {
  return f(caf::meta::type_name("session_start"), x.twin, x.start_us, x.uplink, x.note_capture_us,
           x.penalty_override);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, window_result& x) {
  return f(caf::meta::type_name("window_result"), x.next_wakes, x.sessions, x.activations);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivered_uplink& x) {
  return f(caf::meta::type_name("delivered_uplink"), x.twin, x.arrival_us, x.uplink, x.rat,
           x.cell_id, x.rsrp_dbm, x.start_us, x.note_capture_us);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cloud_reply& x) {
  return f(caf::meta::type_name("cloud_reply"), x.twin, x.downlink, x.dfu_chunk_bytes,
           x.dfu_campaign);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, note_record& x) {
  return f(caf::meta::type_name("note_record"), x.seq, x.file, x.body, x.utc_s, x.age_s,
           x.templated);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, twin_notes& x) {
  return f(caf::meta::type_name("twin_notes"), x.twin, x.arrival_us, x.notes, x.session_start_us,
           x.routes_up);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, note_ack& x) {
  return f(caf::meta::type_name("note_ack"), x.twin, x.acked_through_seq, x.new_notes, x.events,
           x.routes_down);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cloud_event& x) {
  return f(caf::meta::type_name("cloud_event"), x.twin, x.at_us, x.kind, x.file, x.body, x.serial);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_row& x) {
  return f(caf::meta::type_name("session_row"), x.twin, x.at_us, x.notes, x.bytes_up, x.bytes_down,
           x.cell_id, x.rsrp_dbm, x.rat, x.outcome, x.serial);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, metric_sample& x) {
  return f(caf::meta::type_name("metric_sample"), x.at_us, x.name, x.label, x.value);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, twin_row& x) {
  return f(caf::meta::type_name("twin_row"), x.serial, x.device_id, x.fleet, x.rat, x.firmware,
           x.last_seen_us, x.lat, x.lon, x.battery_mah_used, x.battery_v, x.notes_delivered,
           x.sessions, x.session_failures, x.rsrp_dbm, x.cell_id, x.coverage, x.sinr_db,
           x.fallbacks, x.radio_status, x.battery_life_years, x.reboots, x.location_kind,
           x.location_error_m);
}

}  // namespace twelvefold::actors
