// Cloud-side state that travels down to devices (factor 3): replicated database Notes
// (.db / .dbs) reconciled both ways, inbound queue Notes (.qi / .qis), and the answers to
// proxied web requests (docs/cloud-routes.md).
//
// Delivery is exactly once: every item going down gets a per-twin sequence number; the device
// acknowledges the highest one it applied in its next uplink (down_acked_seq); until then the
// item goes down again with every session (a lost downlink loses nothing).
//
// Conflict rule for database Notes: when the device and the cloud both changed one Note
// between two syncs, the later edit time wins (device utc_s vs. the cloud change's UTC time);
// on a tie the cloud wins. Each such meeting counts as one conflict.
//
// Memory: only twins that have such state hold any (a sparse map); every twin costs 4 bytes
// for its position in its fleet's log of fleet-wide changes, applied lazily at its next sync.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "cloud/web_routes.hpp"
#include "twelvefold/actors/messages.hpp"
#include "twelvefold/actors/routes_report.hpp"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors::cloud {

// A change the cloud makes: to one twin (serial) or to every twin of a fleet.
struct cloud_change {
  bool database = false;  // false: an inbound queue Note
  std::string file;
  std::string note_id;
  std::string body;
  std::int64_t utc_s = 0;
  bool deleted = false;
};

class db_sync {
 public:
  db_sync(std::size_t twins, std::size_t fleets);

  void change_twin(twin_index twin, const cloud_change& change);
  void change_fleet(std::uint32_t fleet, cloud_change change);

  // One accepted session: acknowledgements and device changes from `up` are applied, then the
  // downlink part (inbound, web_responses, down_seq) is written to `down`. `accepted_up` gets
  // the device's database changes the cloud kept (they are routed as events).
  void session(twin_index twin, std::uint32_t fleet, std::int64_t arrival_us,
               wire::v1::SessionUplink& up, std::vector<web_answer> answers,
               wire::v1::SessionDownlink& down, std::vector<wire::v1::NoteChange>& accepted_up);
  // An answer that arrived outside a session (real URLs): it waits for the twin's next one.
  void add_answer(web_answer answer) { state_of(answer.twin).waiting.push_back(std::move(answer)); }
  // Web request dedup: true the first time (twin, id) is seen.
  bool first_web_request(twin_index twin, std::uint64_t id);

  void report(routes_report& r) const;
  // The cloud copy of a twin's database Note; nullptr when it has none (tests).
  [[nodiscard]] const wire::v1::NoteChange* cloud_copy(twin_index twin, const std::string& file,
                                                       const std::string& note_id) const;

 private:
  struct down_item {
    std::uint64_t seq = 0;
    bool web = false;
    bool database = false;
    wire::v1::NoteChange change;
    wire::v1::WebResponse response;
  };
  struct twin_state {
    std::uint64_t next_seq = 1;
    std::uint64_t web_seen = 0;  // highest web request id seen + 1; 0: none
    std::vector<down_item> pending;
    std::vector<web_answer> waiting;                 // not ready yet
    std::map<std::string, wire::v1::NoteChange> db;  // key: file '\n' note_id
  };
  twin_state& state_of(twin_index twin) { return twins_[twin]; }
  void queue_change(twin_state& t, const cloud_change& change);

  std::unordered_map<twin_index, twin_state> twins_;
  std::vector<std::vector<cloud_change>> fleet_log_;  // index: fleet
  std::vector<std::uint32_t> fleet_cursor_;           // index: twin
  std::uint64_t db_up_ = 0;
  std::uint64_t db_down_ = 0;
  std::uint64_t conflicts_ = 0;
  std::uint64_t inbound_sent_ = 0;
  std::uint64_t inbound_delivered_ = 0;
};

}  // namespace twelvefold::actors::cloud
