// Factors 9 and 11 at scenario level: a key compromise (replays and a clone), spoofing,
// a certificate rotation and a hardware replacement in one run of 150 twins over 30 hours.
// The attacks are refused and counted, and the genuine fleet's data is untouched.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "run_helpers.hpp"
#include "twelvefold/sim/summary.hpp"

namespace twelvefold {
namespace {

constexpr const char* base_scenario = R"(
name: "auth"
epoch_utc: "2026-06-01T00:00:00Z"
duration: "30h"
seed: 9
regions {
  name: "city"
  center_lat: 52.37 center_lon: 4.895 radius_km: 4 environment: "urban"
  cells { id: 1 rat: "lte-m" lat: 52.37 lon: 4.895 }
  cells { id: 2 rat: "lte-m" lat: 52.39 lon: 4.87 }
}
device_models { name: "sensor" firmware: "env-sensor" rats: "lte-m" }
fleets { name: "meters" device_model: "sensor" count: 150 region: "city" serial_prefix: "M-" }
env { name: "sample_mins" value: "15" }
env { name: "sync_mins" value: "60" }
timeline { at: "12h" cert_rotation { overlap: "2h" } }
timeline { at: "20h" hardware_replacement { serial: "M-0000042" } }
)";

constexpr const char* attacks = R"(
timeline { at: "6h" key_compromise { serials: "M-0000003" serials: "M-0000017"
                                     clone_sessions_per_hour: 0.5 replays_per_hour: 1 } }
timeline { at: "8h" spoof_attack { sessions_per_hour: 20 malformed_per_hour: 2 } }
timeline { at: "9h" spoof_attack { sessions_per_hour: 5 claim_registered_key: true } }
)";

std::shared_ptr<const actors::world> world_of(const std::string& text) {
  sim::load_options options{{TF_TEST_FIRMWARE_DIR}};
  auto loaded = sim::parse_scenario(text, "auth.txtpb", ".", options);
  EXPECT_TRUE(loaded) << (loaded ? "" : sim::to_string(loaded.error()));
  return sim::build_world(*loaded);
}

std::vector<std::string> query(const std::filesystem::path& db_file, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_file;
    return rows;
  }
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      const auto* text = sqlite3_column_text(stmt, c);
      row += (c > 0 ? "|" : "") +
             std::string(text != nullptr ? reinterpret_cast<const char*>(text) : "NULL");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

nlohmann::json auth_of(const sim::run_summary& s) {
  return nlohmann::json::parse(sim::summary_json(s))["auth"];
}

TEST(AuthScenario, AttacksAreRefusedAndCountedAndGenuineDataIsUntouched) {
  const auto out = test::fresh_dir("auth-attacks");
  const auto out_base = test::fresh_dir("auth-base");
  const auto attacked = test::run_ok(world_of(std::string(base_scenario) + attacks), 2, out);
  const auto base = test::run_ok(world_of(base_scenario), 1, out_base);
  ASSERT_GT(base.notes_delivered, 10'000u);

  // Genuine twins: exactly the same sessions and Notes as without the attacks.
  EXPECT_EQ(attacked.notes_delivered, base.notes_delivered);
  EXPECT_EQ(attacked.notes_in_flight, base.notes_in_flight);
  EXPECT_EQ(attacked.sessions, base.sessions);
  EXPECT_EQ(attacked.sessions_refused, base.sessions_refused);

  const auto a = auth_of(attacked);
  const auto& r = a["rejected"];
  EXPECT_EQ(a["attack_sessions_accepted"], 0);
  const std::uint64_t rejected =
      r["spoofed"].get<std::uint64_t>() + r["cloned"].get<std::uint64_t>() +
      r["replayed"].get<std::uint64_t>() + r["bad_signature"].get<std::uint64_t>() +
      r["malformed"].get<std::uint64_t>() + r["expired_ticket"].get<std::uint64_t>();
  EXPECT_EQ(rejected, a["attack_sessions"].get<std::uint64_t>() + attacked.sessions_refused);
  // 20/h from 8 h, 5/h from 9 h, 2/h from 8 h, to 30 h (the last minutes may not be reached).
  EXPECT_GE(r["spoofed"], 438);
  EXPECT_LE(r["spoofed"], 441);
  EXPECT_GE(r["bad_signature"], 104);
  EXPECT_LE(r["bad_signature"], 106);
  EXPECT_GE(r["malformed"], 43);
  EXPECT_LE(r["malformed"], 45);
  // Two stolen keys, captured at their first sync after 6 h: a clone every 2 h and a replay
  // every hour each, to 30 h.
  EXPECT_GE(r["cloned"], 2 * 10);
  EXPECT_LE(r["cloned"], 2 * 12);
  EXPECT_GE(r["replayed"], 2 * 22);
  EXPECT_LE(r["replayed"], 2 * 24);
  EXPECT_EQ(r["expired_ticket"], 0);
  // Every genuine session verified: one handshake per twin per ticket lifetime (plus the
  // replaced unit's), the rest resumed on tickets.
  EXPECT_EQ(a["sessions_verified"].get<std::uint64_t>(),
            a["handshakes"].get<std::uint64_t>() + a["resumed"].get<std::uint64_t>());
  EXPECT_GE(a["handshakes"], 150);
  EXPECT_LE(a["handshakes"], 2 * 150 + 2);
  EXPECT_GT(a["resumed"].get<std::uint64_t>(), 10 * a["handshakes"].get<std::uint64_t>());
  EXPECT_EQ(a["downlinks_rejected_by_devices"], 0);
  // Certificate rotation: everyone follows.
  EXPECT_EQ(a["cert_rotations"], 1);
  EXPECT_EQ(a["current_cert"], 2);
  EXPECT_GE(a["devices_on_new_cert"], 140);
  EXPECT_EQ(a["hardware_replacements"], 1);
  EXPECT_EQ(auth_of(base)["rejected"]["spoofed"], 0);

  // The store: one auth.rejected event per refused session, the re-binding, the bindings.
  const auto db = out / "twins.sqlite";
  EXPECT_EQ(query(db, "SELECT count(*) FROM events WHERE kind = 'auth.rejected'"),
            std::vector<std::string>{std::to_string(rejected)});
  EXPECT_EQ(query(db, "SELECT count(*) FROM events WHERE kind = 'identity.rebind'"),
            std::vector<std::string>{"1"});
  const auto bindings = query(db,
                              "SELECT generation, device_id, bound_from_us, bound_until_us FROM "
                              "bindings WHERE serial = 'M-0000042' ORDER BY generation");
  ASSERT_EQ(bindings.size(), 2u);
  const std::string at_20h = std::to_string(20LL * 3600 * 1'000'000);
  EXPECT_TRUE(bindings[0].starts_with("0|")) << bindings[0];
  EXPECT_TRUE(bindings[0].ends_with("|0|" + at_20h)) << bindings[0];
  EXPECT_TRUE(bindings[1].ends_with("|" + at_20h + "|NULL")) << bindings[1];
  const std::string new_device_id = bindings[1].substr(2, 15);
  // The twin keeps its serial and history, now on the new hardware, with all its Notes.
  const auto twin = query(db, "SELECT device_id, notes_delivered, last_seen_us > " + at_20h +
                                  " FROM twins WHERE serial = 'M-0000042'");
  const auto twin_base = query(out_base / "twins.sqlite",
                               "SELECT notes_delivered FROM twins WHERE serial = 'M-0000042'");
  ASSERT_EQ(twin.size(), 1u);
  ASSERT_EQ(twin_base.size(), 1u);
  EXPECT_EQ(twin[0], new_device_id + "|" + twin_base[0] + "|1");
  EXPECT_GT(std::stoi(twin_base[0]), 100);
  EXPECT_EQ(query(db, "SELECT count(DISTINCT serial) FROM bindings"),
            query(db, "SELECT count(*) FROM twins WHERE last_seen_us IS NOT NULL"));
}

TEST(AuthScenario, AttacksAreDeterministicAcrossThreadCounts) {
  const std::string text = std::string(base_scenario) + attacks;
  const auto one = test::run_ok(world_of(text), 1, test::fresh_dir("auth-det-1"));
  const auto two = test::run_ok(world_of(text), 2, test::fresh_dir("auth-det-2"));
  EXPECT_EQ(auth_of(one), auth_of(two));
  EXPECT_EQ(one.notes_delivered, two.notes_delivered);
}

TEST(AuthScenario, BadAuthEventsAreReportedWithFileLineAndColumn) {
  const std::string text = std::string(base_scenario) + R"(
timeline { at: "1h" hardware_replacement { serial: "M-0000151" } }
timeline { at: "1h" key_compromise { fleet: "nope" clone_sessions_per_hour: -1 } }
timeline { at: "1h" spoof_attack { malformed_per_hour: 99999 } }
timeline { at: "1h" cert_rotation { overlap: "2 weeks" } }
timeline { at: "1h" key_compromise { } }
timeline { at: "1h" hardware_replacement { } }
)";
  sim::load_options options{{TF_TEST_FIRMWARE_DIR}};
  auto loaded = sim::parse_scenario(text, "auth.txtpb", ".", options);
  ASSERT_FALSE(loaded);
  const std::string all = sim::to_string(loaded.error());
  const int first = 19;  // line of the first bad event above
  auto has = [&](int line, int column, const std::string& message) {
    return all.find("auth.txtpb:" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                    message) != std::string::npos;
  };
  EXPECT_TRUE(has(first, 44, "timeline[2]: unknown serial \"M-0000151\"")) << all;
  EXPECT_TRUE(has(first + 1, 38, "timeline[3]: unknown fleet \"nope\" (defined: meters)")) << all;
  EXPECT_TRUE(
      has(first + 1, 52, "timeline[3]: clone_sessions_per_hour must be within [0, 3600] per hour"))
      << all;
  EXPECT_TRUE(
      has(first + 2, 36, "timeline[4]: malformed_per_hour must be within [0, 3600] per hour"))
      << all;
  EXPECT_TRUE(has(first + 3, 37, "timeline[5]: cert_rotation overlap: expected a unit")) << all;
  EXPECT_TRUE(has(first + 4, 21, "timeline[6]: key_compromise needs a fleet or serials")) << all;
  EXPECT_TRUE(has(first + 5, 21, "timeline[7]: hardware_replacement needs a serial")) << all;
  EXPECT_EQ(loaded.error().size(), 7u) << all;
}

}  // namespace
}  // namespace twelvefold
