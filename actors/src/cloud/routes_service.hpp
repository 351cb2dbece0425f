// Factors 1, 3 and 5 inside the solution service (docs/cloud-routes.md): routes every stored
// Note to the sinks whose Notefile globs and fleets match, answers proxied web requests by
// named route, reconciles .db Notefiles both ways and feeds inbound queues.
//
// Thread: one owner (the solution service actor). Real sinks and real web calls run on their
// own threads behind bounded queues; nothing here blocks on the network except finish().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <expected>
#include <optional>

#include "cloud/db_sync.hpp"
#include "cloud/routes_match.hpp"
#include "cloud/sink_worker.hpp"
#include "cloud/web_routes.hpp"
#include "twelvefold/actors/routes_report.hpp"
#include "twelvefold/actors/world.hpp"

namespace twelvefold::scenario::v1 {
class Scenario;
class TimelineEvent;
}  // namespace twelvefold::scenario::v1

namespace twelvefold::actors::cloud {

class cloud_routes {
 public:
  // From world::routes_spec (an encoded scenario::v1::Scenario holding only routes and
  // web_routes); an error names the route (the loader has checked them, so this is rare).
  static std::expected<std::unique_ptr<cloud_routes>, std::string> create(
      std::shared_ptr<const world> the_world);

  // A Note stored for the first time: to every matching route. Store-route events are
  // appended to `store_events` (written to table `events` by the management service).
  void route_note(twin_index twin, std::int64_t arrival_us, const note_record& note,
                  std::vector<cloud_event>& store_events);
  // Once per accepted session, after its Notes: web requests, database changes and
  // acknowledgements from the uplink part; the downlink part goes into the ack.
  void on_session(const twin_notes& session, note_ack& ack);
  // RouteRepoint, DbUpdate and InboundNote timeline events.
  void apply_timeline(const std::vector<cloud_timeline_event>& due);
  // Flushes and drains the sinks (bounded by each route's drain timeout) and reports.
  routes_report finish();

  [[nodiscard]] const db_sync& state() const { return db_; }

  // Resume (replay.hpp): each real sink takes the counters recorded at the stop (matched by
  // route name) and drops what it is handed until end_replay(). Returns an error naming a real
  // sink with no recorded counters. end_replay() returns, per route in scenario order, the
  // events handed to it while replaying (0 for store routes: the twin store dedups those).
  std::expected<void, std::string> begin_replay(const std::vector<route_counters>& at_stop);
  std::vector<std::uint64_t> end_replay();

 private:
  struct route {
    std::string name;
    route_filter filter;
    bool store = false;
    std::string topic_template;  // MQTT
    std::unique_ptr<sink_worker> worker;
    route_counters store_counters;
    std::uint32_t drain_timeout_ms = 10'000;
  };
  explicit cloud_routes(std::shared_ptr<const world> the_world);
  void route_event(twin_index twin, std::int64_t arrival_us, std::string_view kind,
                   std::string_view file, std::string_view note_id, std::uint64_t seq,
                   std::int64_t device_utc_s, std::string_view body, bool deleted,
                   std::vector<cloud_event>& store_events);
  std::optional<twin_index> twin_by_serial(const std::string& serial) const;

  std::shared_ptr<const world> world_;
  std::vector<route> routes_;
  std::unique_ptr<web_routes> web_;
  db_sync db_;
  std::vector<twin_index> fleet_first_;  // first twin of each fleet (twins are laid out by fleet)
  std::int64_t next_flush_us_ = 0;
  std::uint64_t timeline_unmatched_ = 0;
  bool finished_ = false;
  routes_report final_;
};

// For template-compressed Notes the solution service has the binary record only: events carry
// it as {"record_b64": "..."}.
std::string base64(std::string_view bytes);

}  // namespace twelvefold::actors::cloud
