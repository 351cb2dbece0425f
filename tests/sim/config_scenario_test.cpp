// Config via fleets (factor 4), logs (factor 10) and health through every layer: scenario ->
// world -> firmware (test-log-chatter) -> wire -> management service -> summary.json "config"
// and the twin store's events table.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "run_helpers.hpp"
#include "twelvefold/sim/scenario.hpp"
#include "twelvefold/sim/summary.hpp"
#include "twelvefold/sim/world_builder.hpp"

namespace twelvefold {
namespace {

using json = nlohmann::json;

struct run_result {
  sim::run_summary summary;
  json config;
  std::filesystem::path store;
};

run_result run_text(const std::string& text, const std::string& name) {
  sim::load_options options{{TF_TEST_FIRMWARE_DIR}};
  auto loaded = sim::parse_scenario(text, name + ".txtpb", ".", options);
  EXPECT_TRUE(loaded) << (loaded ? "" : sim::to_string(loaded.error()));
  if (!loaded) return {};
  const auto dir = test::fresh_dir(name);
  run_result r;
  r.summary = test::run_ok(sim::build_world(*loaded), 2, dir);
  r.config = json::parse(sim::summary_json(r.summary))["config"];
  r.store = dir / "twins.sqlite";
  return r;
}

// Rows of `sql` as text columns joined by '|'.
std::vector<std::string> query(const std::filesystem::path& file, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << file;
    return rows;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sqlite3_errmsg(db) << " in " << sql;
  }
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      const auto* t = sqlite3_column_text(stmt, c);
      row += (c > 0 ? "|" : "") + std::string(t != nullptr ? reinterpret_cast<const char*>(t) : "");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

// What a twin's firmware last logged about `var` ("color=..."), from the events table.
std::string last_seen_value(const std::filesystem::path& store, const std::string& serial,
                            const std::string& var) {
  auto rows = query(store,
                    "SELECT json_extract(body, '$.text') FROM events WHERE kind = 'log' AND "
                    "serial = '" +
                        serial + "' AND json_extract(body, '$.text') LIKE '" + var +
                        "=%' ORDER BY at_us DESC, id DESC LIMIT 1");
  return rows.empty() ? "" : rows.front();
}

std::string last_color(const std::filesystem::path& store, const std::string& serial) {
  return last_seen_value(store, serial, "color");
}

const char* town = R"(
epoch_utc: "2026-01-01T00:00:00Z"
seed: 11
regions {
  name: "town" center_lat: 52.0 center_lon: 5.0 radius_km: 2 environment: "suburban"
  cells { id: 1 rat: "lte-m" lat: 52.0 lon: 5.0 }
  cells { id: 2 rat: "lte-m" lat: 52.01 lon: 5.01 }
}
device_models { name: "chatter" firmware: "test-log-chatter" rats: "lte-m" }
)";

// Fleets, precedence, propagation and moves in one day.
const char* fleets_text = R"(
name: "config-fleets"
duration: "20h"
fleets { name: "north" device_model: "chatter" count: 40 region: "town" env { name: "color" value: "blue" } }
fleets { name: "south" device_model: "chatter" count: 40 region: "town" env { name: "color" value: "green" } }
# NORTH-0000001 .. NORTH-0000009 are also in "beta", whose priority beats north's.
fleets { name: "beta" device_model: "chatter" count: 0 region: "town" priority: 10
         rule { serial_prefix: "NORTH-000000" } env { name: "color" value: "red" } }
# Every twin is in both; equal priority, so "alpha" (sorting first) wins "shape".
fleets { name: "zeta" device_model: "chatter" count: 0 region: "town" priority: 5
         rule { region: "town" } env { name: "shape" value: "square" } }
fleets { name: "alpha" device_model: "chatter" count: 0 region: "town" priority: 5
         rule { device_model: "chatter" } env { name: "shape" value: "circle" } }
fleets { name: "repair" device_model: "chatter" count: 0 region: "town" lifecycle: "repair"
         env { name: "color" value: "orange" } }
fleets { name: "retired" device_model: "chatter" count: 0 region: "town" lifecycle: "decommissioned" }
env { name: "color" value: "white" }
env { name: "_log_level" value: "info" }
device_env { serial: "NORTH-0000002" env { name: "color" value: "gold" } }
timeline { at: "6h" env_change { scope: "fleet" fleet: "south" name: "color" value: "purple" } }
timeline { at: "8h" fleet_move { from_fleet: "north" to_fleet: "repair"
                                 serials: "NORTH-0000030" serials: "NORTH-0000031" } }
timeline { at: "12h" fleet_move { from_fleet: "south" to_fleet: "retired" count: 10 } }
)";

class FleetsScenario : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    result_ = new run_result(run_text(std::string(town) + fleets_text, "config-fleets"));
  }
  static void TearDownTestSuite() { delete result_; }
  static run_result* result_;
};
run_result* FleetsScenario::result_ = nullptr;

TEST_F(FleetsScenario, PrecedenceDeviceOverFleetsOverProject) {
  const auto& store = result_->store;
  EXPECT_EQ(last_color(store, "NORTH-0000001"), "color=red");   // beta (priority 10) > north
  EXPECT_EQ(last_color(store, "NORTH-0000002"), "color=gold");  // device > every fleet
  EXPECT_EQ(last_color(store, "NORTH-0000015"), "color=blue");  // north > project
}

TEST_F(FleetsScenario, TwoFleetsAtEqualPriorityResolveByName) {
  // "shape" is set by zeta and alpha, both priority 5, both holding every twin: "alpha" sorts
  // first and wins, on every twin, as the firmware itself reports.
  for (const char* serial : {"NORTH-0000001", "NORTH-0000040", "SOUTH-0000007"}) {
    EXPECT_EQ(last_seen_value(result_->store, serial, "shape"), "shape=circle") << serial;
  }
  auto rows = query(result_->store,
                    "SELECT target, value FROM env WHERE scope = 'fleet' AND name = 'shape' "
                    "ORDER BY target");
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0], "alpha|circle");
  EXPECT_EQ(rows[1], "zeta|square");
  // Rule memberships are in the store: 80 twins in alpha by rule; beta holds 9 north twins.
  auto members = query(result_->store,
                       "SELECT fleet, COUNT(*) FROM memberships WHERE rule = 1 GROUP BY fleet "
                       "ORDER BY fleet");
  ASSERT_EQ(members.size(), 3U);
  EXPECT_EQ(members[0], "alpha|80");
  EXPECT_EQ(members[1], "beta|9");
  EXPECT_EQ(members[2], "zeta|80");
  auto fleets = query(result_->store,
                      "SELECT name, lifecycle, priority, twins FROM fleets "
                      "WHERE name IN ('retired', 'repair') ORDER BY name");
  ASSERT_EQ(fleets.size(), 2U);
  EXPECT_EQ(fleets[0], "repair|repair|0|2");
  EXPECT_EQ(fleets[1], "retired|decommissioned|0|10");
}

TEST_F(FleetsScenario, SameFiguresWithOneThread) {
  sim::load_options options{{TF_TEST_FIRMWARE_DIR}};
  auto loaded = sim::parse_scenario(std::string(town) + fleets_text, "f.txtpb", ".", options);
  ASSERT_TRUE(loaded);
  const auto one = test::run_ok(sim::build_world(*loaded), 1, test::fresh_dir("config-fleets-1"));
  EXPECT_EQ(json::parse(one.config_json), result_->config);
}

TEST_F(FleetsScenario, FleetChangeReachesTheFleetWithinAnHourOfSyncs) {
  const json& changes = result_->config["env_changes"];
  ASSERT_EQ(changes.size(), 1U);
  const json& c = changes[0];
  EXPECT_EQ(c["scope"], "fleet");
  EXPECT_EQ(c["target"], "south");
  EXPECT_EQ(c["name"], "color");
  EXPECT_DOUBLE_EQ(c["at_s"].get<double>(), 6 * 3600.0);
  EXPECT_EQ(c["twins_targeted"], 40);
  EXPECT_EQ(c["twins_reached"], 40);
  // Twins sync hourly: the change reaches each at its next sync, so within an hour (plus a
  // session's duration), and the percentiles are ordered.
  const double p50 = c["reached_50_s"].get<double>();
  const double p90 = c["reached_90_s"].get<double>();
  const double p99 = c["reached_99_s"].get<double>();
  EXPECT_GT(p50, 0);
  EXPECT_LE(p50, p90);
  EXPECT_LE(p90, p99);
  EXPECT_LE(p99, c["reached_all_s"].get<double>());
  EXPECT_LT(p99, 3600 + 120);
  // Syncs are spread over the hour: half the fleet has it well before the hour is out.
  EXPECT_LT(p50, 0.8 * 3600);
  EXPECT_EQ(last_color(result_->store, "SOUTH-0000035"), "color=purple");
}

TEST_F(FleetsScenario, MoveToRepairChangesConfigAndDecommissionRefusesSessions) {
  const json& moves = result_->config["fleet_moves"];
  ASSERT_EQ(moves.size(), 2U);
  EXPECT_EQ(moves[0]["from"], "north");
  EXPECT_EQ(moves[0]["to"], "repair");
  EXPECT_EQ(moves[0]["twins_targeted"], 2);
  EXPECT_EQ(moves[0]["twins_reached"], 2);
  EXPECT_LT(moves[0]["reached_all_s"].get<double>(), 3600 + 120);
  EXPECT_EQ(last_color(result_->store, "NORTH-0000030"), "color=orange");
  // Ten south twins decommissioned at 12h: nothing to wait for, and their 8 remaining hours of
  // hourly sessions are refused.
  EXPECT_EQ(moves[1]["to"], "retired");
  EXPECT_EQ(moves[1]["twins_targeted"], 0);
  EXPECT_EQ(moves[1]["twins_moved"], 10);
  EXPECT_EQ(moves[0]["twins_moved"], 2);
  EXPECT_TRUE(moves[1]["reached_50_s"].is_null());
  EXPECT_EQ(result_->config["twins_moved"], 12);
  const auto refused = result_->config["sessions_refused_decommissioned"].get<std::uint64_t>();
  EXPECT_GE(refused, 10U * 7);
  EXPECT_LE(refused, 10U * 9);
  EXPECT_GE(result_->summary.sessions_refused, refused);
  // The twins table shows where each twin lives now; fleet.move events record the moves.
  auto retired = query(result_->store, "SELECT COUNT(*) FROM twins WHERE fleet = 'retired'");
  EXPECT_EQ(retired.front(), "10");
  auto events = query(result_->store, "SELECT COUNT(*) FROM events WHERE kind = 'fleet.move'");
  EXPECT_EQ(events.front(), "12");
  // No log line of a retired twin is newer than its last accepted session before 12h.
  auto late = query(result_->store,
                    "SELECT COUNT(*) FROM events WHERE kind = 'log' AND serial = 'SOUTH-0000001' "
                    "AND at_us > 13 * 3600 * 1000000");
  EXPECT_EQ(late.front(), "0");
}

// Log level as config: one fleet at "debug", one at "error"; the error fleet is turned up to
// "info" half way through.
const char* logs_text = R"(
name: "config-logs"
duration: "8h"
fleets { name: "loud" device_model: "chatter" count: 10 region: "town"
         env { name: "_log_level" value: "debug" } }
fleets { name: "quiet" device_model: "chatter" count: 10 region: "town"
         env { name: "_log_level" value: "error" } }
fleets { name: "batched" device_model: "chatter" count: 10 region: "town"
         env { name: "_log_level" value: "debug" } env { name: "_log_cadence" value: "3h" } }
timeline { at: "4h" env_change { scope: "fleet" fleet: "quiet" name: "_log_level" value: "info" } }
)";

TEST(ConfigLogs, LogLevelEnvVarChangesTheLinesUploaded) {
  const run_result r = run_text(std::string(town) + logs_text, "config-logs");
  const json& logs = r.config["logs"];
  auto count = [&](const std::string& prefix, const std::string& level, const char* when) {
    auto rows =
        query(r.store, "SELECT COUNT(*) FROM events WHERE kind = 'log' AND serial LIKE '" + prefix +
                           "%' AND json_extract(body, '$.level') = '" + level + "' AND " + when);
    return std::stoull(rows.front());
  };
  // The first wake runs before the first sync brought the cloud's env: firmware default
  // level (warn) for everyone. From the second wake (an hour later) the fleet's level holds.
  const char* first = "at_us < 3600 * 1000000";
  EXPECT_EQ(count("QUIET-", "warn", first), 10U);
  EXPECT_EQ(count("LOUD-", "debug", first), 0U);
  const char* before = "at_us >= 3600 * 1000000 AND at_us < 4 * 3600 * 1000000";
  const char* after = "at_us >= 5 * 3600 * 1000000";
  // Loud twins send all four levels; quiet ones only errors until the change reaches them.
  EXPECT_GT(count("LOUD-", "debug", before), 0U);
  EXPECT_EQ(count("LOUD-", "debug", before), count("LOUD-", "error", before));
  EXPECT_GT(count("QUIET-", "error", before), 0U);
  EXPECT_EQ(count("QUIET-", "warn", before), 0U);
  EXPECT_EQ(count("QUIET-", "info", before), 0U);
  EXPECT_GT(count("QUIET-", "info", after), 0U);
  EXPECT_EQ(count("QUIET-", "debug", after), 0U);
  EXPECT_EQ(logs["by_level"]["debug"].get<std::uint64_t>(), count("", "debug", "1"));
  // Cadence: "session" lines ride the session of the wake that logged them; "3h" lines wait
  // until the oldest is three hours old, so some arrive three hours late.
  auto max_age_s = [&](const std::string& prefix) {
    auto rows = query(r.store,
                      "SELECT MAX(json_extract(body, '$.age_s')) FROM events WHERE kind = 'log' "
                      "AND serial LIKE '" +
                          prefix + "%' AND at_us >= 3600 * 1000000");
    return std::stod(rows.front());
  };
  EXPECT_LT(max_age_s("LOUD-"), 600);
  EXPECT_GE(max_age_s("BATCHED-"), 3 * 3600 - 60);
  EXPECT_LT(max_age_s("BATCHED-"), 4 * 3600 + 600);
  EXPECT_GT(count("BATCHED-", "debug", before), 0U);
  const std::uint64_t total = logs["lines_uploaded"];
  EXPECT_EQ(total, logs["by_level"]["error"].get<std::uint64_t>() +
                       logs["by_level"]["warn"].get<std::uint64_t>() +
                       logs["by_level"]["info"].get<std::uint64_t>() +
                       logs["by_level"]["debug"].get<std::uint64_t>());
  EXPECT_GT(logs["bytes_uploaded"].get<std::uint64_t>(), total * 5);
  EXPECT_EQ(logs["lines_dropped"], 0);
}

// Health: every cell of the town fails for 5 hours; the fleet's watchdog is 2 hours.
const char* health_text = R"(
name: "config-health"
duration: "14h"
fleets { name: "meters" device_model: "chatter" count: 30 region: "town" watchdog: "2h" }
timeline { at: "3h" outage { duration: "5h" region: "town" } }
)";

TEST(ConfigHealth, SilentTwinsRaiseAnEventAndRecover) {
  const run_result r = run_text(std::string(town) + health_text, "config-health");
  const json& health = r.config["health"];
  // Each twin goes silent once (at least 2 h without a session during the outage) and comes
  // back after it.
  EXPECT_EQ(health["silent_events"], 30);
  EXPECT_EQ(health["recovered_events"], 30);
  EXPECT_EQ(health["silent_at_end"], 0);
  auto silent =
      query(r.store, "SELECT MIN(at_us), MAX(at_us) FROM events WHERE kind = 'health.silent'");
  ASSERT_EQ(silent.size(), 1U);
  const auto bar = silent.front().find('|');
  const double first_h = std::stod(silent.front().substr(0, bar)) / 3.6e9;
  const double last_h = std::stod(silent.front().substr(bar + 1)) / 3.6e9;
  // Last sessions just before 3h, a 2h watchdog, hourly sweeps: raised between 5h and 7h.
  EXPECT_GE(first_h, 4.0);
  EXPECT_LE(last_h, 7.0);
  auto recovered = query(r.store, "SELECT MIN(at_us) FROM events WHERE kind = 'health.recovered'");
  EXPECT_GE(std::stod(recovered.front()) / 3.6e9, 8.0);
}

}  // namespace
}  // namespace twelvefold
