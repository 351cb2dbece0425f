// The quickstart scenario end to end, at reduced size: firmware through shim, actors, radio
// model and services to the twin store and summary.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "run_helpers.hpp"
#include "twelvefold/sim/summary.hpp"

namespace twelvefold {
namespace {

class Quickstart : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sim::world_overrides o;
    o.twin_scale = 0.1;  // 100 twins
    world_ = test::shipped_world("quickstart", o);
    out_ = test::fresh_dir("quickstart");
    summary_ = test::run_ok(world_, 2, out_);
    ASSERT_TRUE(sim::write_summary(out_, summary_));
  }
  static inline std::shared_ptr<const actors::world> world_;
  static inline std::filesystem::path out_;
  static inline sim::run_summary summary_;
};

TEST_F(Quickstart, EveryNoteIsAccountedFor) {
  EXPECT_GT(summary_.notes_added, 0u);
  EXPECT_EQ(summary_.notes_added,
            summary_.notes_delivered + summary_.notes_in_flight + summary_.notes_lost);
}

TEST_F(Quickstart, FirmwareRunsOnItsOwnCadence) {
  // 100 twins sampling every 15 minutes for a day: 96 wakes each (boots are spread over the
  // first 15 minutes).
  // (tf_delay time shifts later wakes by milliseconds, so a twin booting at the very end of
  // the spread may miss its 96th wake.)
  EXPECT_EQ(summary_.twins, 100u);
  EXPECT_GE(summary_.activations, 100u * 95);
  EXPECT_LE(summary_.activations, 100u * 96);
  // One Note per wake.
  EXPECT_EQ(summary_.notes_added, summary_.activations);
  EXPECT_EQ(summary_.missing_sleep_requests, 0u);
  EXPECT_EQ(summary_.request_errors, 0u);
}

TEST_F(Quickstart, MostNotesAreDeliveredOverLteM) {
  // Hourly syncs: at most the last hour's notes can still be on the devices, plus whatever
  // out-of-coverage twins hold.
  EXPECT_GT(summary_.notes_delivered, summary_.notes_added * 8 / 10);
  EXPECT_EQ(summary_.notes_lost, 0u);
  EXPECT_GT(summary_.sessions, 100u * 20);
  EXPECT_GT(summary_.bytes_uplink, summary_.bytes_downlink);
  ASSERT_TRUE(summary_.per_rat.contains("lte-m"));
  EXPECT_EQ(summary_.per_rat.at("lte-m").twins, 100u);
  EXPECT_EQ(summary_.per_rat.at("lte-m").sessions, summary_.sessions);
}

TEST_F(Quickstart, SummaryJsonHasTheDocumentedFields) {
  std::ifstream in(out_ / "summary.json");
  const auto j = nlohmann::json::parse(in);
  for (const char* key :
       {"scenario", "seed", "twins", "sim_seconds", "wall_seconds", "activations", "notes_added",
        "notes_delivered", "notes_in_flight", "notes_lost", "bytes_uplink", "bytes_downlink",
        "sessions", "session_failures", "per_rat"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["scenario"], "quickstart");
  EXPECT_EQ(j["sim_seconds"], 86400.0);
  for (const char* key : {"twins", "sessions", "session_failures"}) {
    EXPECT_TRUE(j["per_rat"]["lte-m"].contains(key)) << key;
  }
}

TEST_F(Quickstart, TwinStoreHasOneRowPerTwinWithTheCloudsView) {
  const auto rows = test::dump_twins(out_ / "twins.sqlite");
  ASSERT_EQ(rows.size(), 100u);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((out_ / "twins.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT sum(notes_delivered), min(battery_mah_used), "
                               "count(DISTINCT device_id), sum(firmware = 'env-sensor@1.0.0'), "
                               "min(lat), max(lat) FROM twins",
                               -1, &stmt, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 0)), summary_.notes_delivered);
  EXPECT_GT(sqlite3_column_double(stmt, 1), 0.0);
  EXPECT_EQ(sqlite3_column_int64(stmt, 2), 100);
  EXPECT_EQ(sqlite3_column_int64(stmt, 3), 100);
  EXPECT_GT(sqlite3_column_double(stmt, 4), 52.29);  // inside the 8 km disc around 52.37
  EXPECT_LT(sqlite3_column_double(stmt, 5), 52.45);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

}  // namespace
}  // namespace twelvefold
