// Factors 1, 3 and 5 through every layer: Notes routed to the store and an NDJSON file, a web
// route with errors (then re-pointed), .db Notes reconciled both ways, inbound Notes reaching
// the firmware; and the scenario errors a user can make in routes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "run_helpers.hpp"
#include "twelvefold/sim/scenario.hpp"
#include "twelvefold/sim/summary.hpp"
#include "twelvefold/sim/world_builder.hpp"

namespace twelvefold {
namespace {

// 30 meters and 10 others run test-routes (tests/sim/firmware/test_routes.c): a web.post to
// route "api" every 10 minutes, state.db updated every wake, data.qi and config.db read back
// and reported in got.qo.
std::string scenario_text(const std::string& ndjson_path) {
  return R"(
name: "routes-test"
epoch_utc: "2026-03-01T00:00:00Z"
duration: "6h"
seed: 11
regions {
  name: "town" center_lat: 48.0 center_lon: 11.0 radius_km: 2 environment: "urban"
  cells { id: 1 rat: "lte-m" lat: 48.0 lon: 11.0 }
}
device_models { name: "probe" firmware: "test-routes" }
fleets { name: "meters" device_model: "probe" count: 30 region: "town" boot_spread_s: 300 }
fleets { name: "others" device_model: "probe" count: 10 region: "town" boot_spread_s: 300 }
routes { name: "reports" notefiles: "got.qo" sink { store {} } }
routes { name: "state" notefiles: "*.db" sink { store {} } }
routes {
  name: "meter-feed" notefiles: "*.qo" fleets: "meters"
  sink { ndjson { path: ")" +
         ndjson_path + R"(" } }
}
web_routes {
  name: "api"
  simulated { latency_ms_median: 3000 latency_ms_p99: 30000 error_rate: 0.2 status_on_error: 503 }
}
timeline { at: "1h" inbound_note { fleet: "meters" file: "data.qi" body: "{\"n\":7}" } }
timeline { at: "2h" inbound_note { serial: "OTHERS-0000003" file: "data.qi" body: "{\"n\":9}" } }
timeline { at: "3h" db_update { fleet: "meters" file: "config.db" note_id: "cfg" body: "{\"level\":4}" } }
timeline { at: "4h" route_repoint { route: "api" simulated { latency_ms_median: 100 error_rate: 0 } } }
)";
}

std::shared_ptr<const actors::world> world_of(const std::string& text) {
  sim::load_options options{{TF_TEST_FIRMWARE_DIR}, {}};
  auto loaded = sim::parse_scenario(text, "routes.txtpb", ".", options);
  EXPECT_TRUE(loaded) << (loaded ? "" : sim::to_string(loaded.error()));
  return loaded ? sim::build_world(*loaded) : nullptr;
}

// Rows of `events` as "serial|kind|file|body".
std::vector<std::string> events_of(const std::filesystem::path& sqlite_file,
                                   const std::string& where) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  sqlite3_open_v2(sqlite_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  const std::string sql = "SELECT serial, kind, file, body FROM events WHERE " + where;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < 4; ++c) {
      row += reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
      if (c < 3) row += '|';
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

class RoutesScenario : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = test::fresh_dir("routes");
    summary_ =
        test::run_ok(world_of(scenario_text((dir_ / "feed.ndjson").string())), 2, dir_ / "out");
  }
  static const actors::route_counters& route(const std::string& name) {
    for (const auto& r : summary_.routes.routes) {
      if (r.name == name) return r;
    }
    throw std::runtime_error("no route " + name);
  }
  static inline std::filesystem::path dir_;
  static inline sim::run_summary summary_;
};

TEST_F(RoutesScenario, WebRequestsAreAnsweredWithTheRoutesErrorRate) {
  const auto& r = summary_.routes;
  // 40 twins x 36 wakes, each a web.post; the last ones may still be on the devices.
  EXPECT_GT(r.web_requests, 40u * 30);
  EXPECT_LE(r.web_requests, 40u * 36);
  EXPECT_EQ(r.web_unknown_route, 0u);
  ASSERT_EQ(r.web_by_route.size(), 1u);
  EXPECT_EQ(r.web_by_route[0].requests, r.web_requests);
  // Answers wait for their latency and the next sync: nearly all are produced by the end.
  EXPECT_GT(r.web_answered, r.web_requests * 9 / 10);
  // 20% errors for the first 4 of 6 hours, none after the re-point: about 13%.
  const double error_ratio = static_cast<double>(r.web_errors) / r.web_answered;
  EXPECT_GT(error_ratio, 0.09) << r.web_errors << "/" << r.web_answered;
  EXPECT_LT(error_ratio, 0.18) << r.web_errors << "/" << r.web_answered;
  // The devices got the answers (async requests: counted once each, at the first arrival).
  EXPECT_GT(r.device_web_responses, r.web_answered * 8 / 10);
  EXPECT_LE(r.device_web_responses, r.web_answered);
}

TEST_F(RoutesScenario, InboundNotesReachTheFirmwareExactlyOnce) {
  const auto& r = summary_.routes;
  EXPECT_EQ(r.inbound_sent, 31u);  // 30 meters + one serial
  EXPECT_EQ(r.inbound_delivered, 31u);
  EXPECT_EQ(r.queue_overflow_inbound, 0u);
  const auto db = dir_ / "out" / "twins.sqlite";
  const auto sevens = events_of(db, "file = 'got.qo' AND body = '{\"inbound\":7}'");
  EXPECT_EQ(sevens.size(), 30u);
  for (const auto& row : sevens) EXPECT_TRUE(row.starts_with("METERS-")) << row;
  const auto nines = events_of(db, "file = 'got.qo' AND body = '{\"inbound\":9}'");
  ASSERT_EQ(nines.size(), 1u);
  EXPECT_EQ(nines[0], "OTHERS-0000003|note|got.qo|{\"inbound\":9}");
}

TEST_F(RoutesScenario, DatabaseNotesGoBothWays) {
  const auto& r = summary_.routes;
  // Down: the fleet's config.db change, applied and acknowledged by every meter.
  EXPECT_EQ(r.db_down, 30u);
  EXPECT_EQ(r.db_conflicts, 0u);
  const auto db = dir_ / "out" / "twins.sqlite";
  EXPECT_EQ(events_of(db, "file = 'got.qo' AND body = '{\"level\":4}'").size(), 30u);
  // Up: state.db changes at every sync, routed (kind "db") by the store route "state".
  EXPECT_GT(r.db_up, 40u * 20);
  EXPECT_EQ(route("state").events, r.db_up);
  EXPECT_EQ(events_of(db, "kind = 'db' AND file = 'state.db'").size(), r.db_up);
}

TEST_F(RoutesScenario, EveryRoutedEventIsAccountedFor) {
  const auto& feed = route("meter-feed");
  EXPECT_EQ(feed.sink, "ndjson");
  EXPECT_GT(feed.events, 0u);
  EXPECT_EQ(feed.delivered, feed.events);
  EXPECT_EQ(feed.failed, 0u);
  EXPECT_EQ(feed.queued_at_end, 0u);
  std::ifstream in(dir_ / "feed.ndjson");
  std::string line;
  std::uint64_t lines = 0;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["route"], "meter-feed");
    EXPECT_EQ(j["fleet"], "meters");
    EXPECT_TRUE(j["serial"].get<std::string>().starts_with("METERS-"));
    ++lines;
  }
  EXPECT_EQ(lines, feed.delivered);
  const auto& reports = route("reports");
  EXPECT_EQ(reports.delivered, reports.events);
  EXPECT_EQ(reports.events, 30u + 1 + 30);  // inbound 7s, the 9, the level-4 reports
  EXPECT_EQ(summary_.routes.queue_overflow_outbound, 0u);
  // summary.json carries it all under "routes".
  const auto j = nlohmann::json::parse(sim::summary_json(summary_));
  EXPECT_EQ(j["routes"]["routes"]["meter-feed"]["delivered"], feed.delivered);
  EXPECT_EQ(j["routes"]["db"]["down"], 30);
  EXPECT_EQ(j["routes"]["inbound"]["delivered"], 31);
}

TEST(RoutesDeterminism, SameResultsWithOneAndTwoThreads) {
  const auto dir = test::fresh_dir("routes-determinism");
  auto one = test::run_ok(world_of(scenario_text((dir / "a.ndjson").string())), 1, dir / "one");
  auto two = test::run_ok(world_of(scenario_text((dir / "b.ndjson").string())), 2, dir / "two");
  EXPECT_EQ(actors::routes_report_json(one.routes), actors::routes_report_json(two.routes));
  EXPECT_EQ(test::dump_twins(dir / "one" / "twins.sqlite"),
            test::dump_twins(dir / "two" / "twins.sqlite"));
}

// A route whose endpoint does not answer (a closed port): its events are retried, then
// counted failed; the run completes and the other routes lose nothing.
TEST(RoutesUnreachable, EventsAreRetriedThenCountedFailedAndNothingElseIsLost) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Bound, never listening, held for the whole run: connections are refused and no other
  // process can take the port meanwhile.
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/in";
  const std::string text = R"(
name: "unreachable"
epoch_utc: "2026-03-01T00:00:00Z"
duration: "2h"
kernel { store_flush_minutes: 30 }
regions {
  name: "town" center_lat: 48.0 center_lon: 11.0 radius_km: 2 environment: "urban"
  cells { id: 1 rat: "lte-m" lat: 48.0 lon: 11.0 }
}
device_models { name: "probe" firmware: "test-routes" }
fleets { name: "meters" device_model: "probe" count: 10 region: "town" boot_spread_s: 60 }
routes { name: "kept" sink { store {} } }
routes {
  name: "dead" max_attempts: 3 backoff_initial_ms: 1 backoff_max_ms: 2
  sink { http { url: ")" + url +
                           R"(" timeout_ms: 500 } }
}
web_routes { name: "api" simulated {} }
)";
  const auto dir = test::fresh_dir("routes-unreachable");
  const auto summary = test::run_ok(world_of(text), 1, dir);
  ASSERT_EQ(summary.routes.routes.size(), 2u);
  const auto& kept = summary.routes.routes[0];
  const auto& dead = summary.routes.routes[1];
  EXPECT_GT(kept.events, 100u);
  EXPECT_EQ(kept.delivered, kept.events);
  EXPECT_EQ(dead.events, kept.events);  // both match every Note and .db change
  EXPECT_EQ(dead.delivered, 0u);
  EXPECT_EQ(dead.failed + dead.queued_at_end, dead.events);
  EXPECT_EQ(dead.queued_at_end, 0u);
  EXPECT_GE(dead.retried, 2u * 4);  // at least four flushes (30 min over 2 h), two retries each
  EXPECT_NE(dead.last_error.find("route \"dead\" (" + url + ")"), std::string::npos)
      << dead.last_error;
  EXPECT_EQ(summary.notes_added,
            summary.notes_delivered + summary.notes_in_flight + summary.notes_lost);
  close(fd);
}

// Bad input: each mistake is reported at its line and column.
std::string first_error(const std::string& extra) {
  const std::string text = R"(name: "bad"
epoch_utc: "2026-03-01T00:00:00Z"
duration: "1h"
regions { name: "town" center_lat: 48 center_lon: 11 radius_km: 2 environment: "urban" }
device_models { name: "probe" firmware: "test-routes" }
fleets { name: "meters" device_model: "probe" count: 3 region: "town" }
)" + extra;
  sim::load_options options{{TF_TEST_FIRMWARE_DIR}, {}};
  auto loaded = sim::parse_scenario(text, "bad.txtpb", ".", options);
  if (loaded) return "accepted";
  return sim::to_string(loaded.error());
}

TEST(RoutesBadInput, UnknownSinkKindIsASyntaxErrorAtItsLine) {
  const auto e = first_error("routes { name: \"r\"\n  sink { kafka { url: \"x\" } } }\n");
  EXPECT_NE(e.find("bad.txtpb:8:16"), std::string::npos) << e;
  EXPECT_NE(e.find("kafka"), std::string::npos) << e;
}

TEST(RoutesBadInput, MissingSinkIsNamed) {
  const auto e = first_error("routes { name: \"r\" notefiles: \"*.qo\" }\n");
  EXPECT_NE(e.find("bad.txtpb:7:10"), std::string::npos) << e;
  EXPECT_NE(e.find("route \"r\": a route needs a sink"), std::string::npos) << e;
}

TEST(RoutesBadInput, MalformedUrlsNameTheField) {
  auto e = first_error("routes { name: \"h\"\n  sink { http { url: \"http//nowhere\" } } }\n");
  EXPECT_NE(e.find("bad.txtpb:8:17"), std::string::npos) << e;
  EXPECT_NE(e.find("is not a URL"), std::string::npos) << e;
  e = first_error("routes { name: \"m\" sink { mqtt { url: \"mqtt://broker:99999/t\" } } }\n");
  EXPECT_NE(e.find("bad.txtpb:7:"), std::string::npos) << e;
  EXPECT_NE(e.find("port \"99999\""), std::string::npos) << e;
  e = first_error("routes { name: \"m\" sink { mqtt { url: \"http://broker/t\" } } }\n");
  EXPECT_NE(e.find("scheme \"http\" is not supported here"), std::string::npos) << e;
  e = first_error("web_routes { name: \"api\" url: \"ftp://x\" }\n");
  EXPECT_NE(e.find("web route \"api\": url: scheme \"ftp\""), std::string::npos) << e;
}

TEST(RoutesBadInput, UnknownNamesInRoutesAndTimeline) {
  auto e = first_error("routes { name: \"r\" fleets: \"nope\" sink { store {} } }\n");
  EXPECT_NE(e.find("unknown fleet \"nope\" (defined: meters)"), std::string::npos) << e;
  e = first_error(
      "web_routes { name: \"api\" simulated {} }\n"
      "timeline { at: \"10m\"\n  route_repoint { route: \"apx\" url: \"http://h/\" } }\n");
  EXPECT_NE(e.find("bad.txtpb:9:19"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown web route \"apx\" (defined: api)"), std::string::npos) << e;
  e = first_error(
      "timeline { at: \"10m\" inbound_note { serial: \"METERS-0000009\" file: \"a.qi\" } }\n");
  EXPECT_NE(e.find("no device has serial \"METERS-0000009\""), std::string::npos) << e;
  e = first_error(
      "timeline { at: \"10m\" db_update { fleet: \"meters\" file: \"a.qo\" note_id: \"x\" } }\n");
  EXPECT_NE(e.find("not a replicated database Notefile"), std::string::npos) << e;
  e = first_error(
      "timeline { at: \"10m\" inbound_note { fleet: \"meters\" file: \"a.qi\" body: \"[1]\" } }\n");
  EXPECT_NE(e.find("body must be a JSON object"), std::string::npos) << e;
  e = first_error("web_routes { name: \"api\" simulated { error_rate: 1.5 } }\n");
  EXPECT_NE(e.find("error_rate must be within [0, 1]"), std::string::npos) << e;
}

}  // namespace
}  // namespace twelvefold
