// Factors 6 (location) and 7 (time) through every layer: asset trackers outdoors in an urban
// grid of LTE-M cells, indoors in a warehouse with Wi-Fi access points, and out of coverage;
// the city's cells fail for a day, then the trackers deliver a day of offline positions.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <cmath>
#include <map>
#include <string>

#include "run_helpers.hpp"
#include "twelvefold/models/clock.hpp"
#include "twelvefold/sim/scenario.hpp"
#include "twelvefold/sim/world_builder.hpp"

namespace twelvefold {
namespace {

// 25 LTE-M cells 800 m apart over the city (urban); the warehouse (indoor: no GNSS) has four
// cells around it and seven APs 60 m apart; the remote fleet's only cell is 300 km away.
// motion_threshold 0 makes the trackers "moving": GNSS powered, a position every 15 minutes,
// a sync every 4 positions.
const char* scenario_text = R"(
name: "locate-test"
epoch_utc: "2026-03-01T00:00:00Z"
duration: "36h"
seed: 11
regions {
  name: "city" center_lat: 52.37 center_lon: 4.895 radius_km: 1.2 environment: "urban"
  cells { id: 1 rat: "lte-m" lat: 52.35561 lon: 4.87143 }
  cells { id: 2 rat: "lte-m" lat: 52.35561 lon: 4.88322 }
  cells { id: 3 rat: "lte-m" lat: 52.35561 lon: 4.89500 }
  cells { id: 4 rat: "lte-m" lat: 52.35561 lon: 4.90678 }
  cells { id: 5 rat: "lte-m" lat: 52.35561 lon: 4.91857 }
  cells { id: 6 rat: "lte-m" lat: 52.36281 lon: 4.87143 }
  cells { id: 7 rat: "lte-m" lat: 52.36281 lon: 4.88322 }
  cells { id: 8 rat: "lte-m" lat: 52.36281 lon: 4.89500 }
  cells { id: 9 rat: "lte-m" lat: 52.36281 lon: 4.90678 }
  cells { id: 10 rat: "lte-m" lat: 52.36281 lon: 4.91857 }
  cells { id: 11 rat: "lte-m" lat: 52.37000 lon: 4.87143 }
  cells { id: 12 rat: "lte-m" lat: 52.37000 lon: 4.88322 }
  cells { id: 13 rat: "lte-m" lat: 52.37000 lon: 4.89500 }
  cells { id: 14 rat: "lte-m" lat: 52.37000 lon: 4.90678 }
  cells { id: 15 rat: "lte-m" lat: 52.37000 lon: 4.91857 }
  cells { id: 16 rat: "lte-m" lat: 52.37719 lon: 4.87143 }
  cells { id: 17 rat: "lte-m" lat: 52.37719 lon: 4.88322 }
  cells { id: 18 rat: "lte-m" lat: 52.37719 lon: 4.89500 }
  cells { id: 19 rat: "lte-m" lat: 52.37719 lon: 4.90678 }
  cells { id: 20 rat: "lte-m" lat: 52.37719 lon: 4.91857 }
  cells { id: 21 rat: "lte-m" lat: 52.38439 lon: 4.87143 }
  cells { id: 22 rat: "lte-m" lat: 52.38439 lon: 4.88322 }
  cells { id: 23 rat: "lte-m" lat: 52.38439 lon: 4.89500 }
  cells { id: 24 rat: "lte-m" lat: 52.38439 lon: 4.90678 }
  cells { id: 25 rat: "lte-m" lat: 52.38439 lon: 4.91857 }
}
regions {
  name: "warehouse" center_lat: 52.3 center_lon: 4.76 radius_km: 0.1 environment: "indoor"
  cells { id: 100 rat: "lte-m" lat: 52.29281 lon: 4.74822 }
  cells { id: 101 rat: "lte-m" lat: 52.29281 lon: 4.77178 }
  cells { id: 102 rat: "lte-m" lat: 52.30719 lon: 4.74822 }
  cells { id: 103 rat: "lte-m" lat: 52.30719 lon: 4.77178 }
  cells { id: 200 rat: "wifi" lat: 52.299460 lon: 4.759118 }
  cells { id: 201 rat: "wifi" lat: 52.299460 lon: 4.760882 }
  cells { id: 202 rat: "wifi" lat: 52.300540 lon: 4.759118 }
  cells { id: 203 rat: "wifi" lat: 52.300540 lon: 4.760882 }
  cells { id: 204 rat: "wifi" lat: 52.300000 lon: 4.760000 }
  cells { id: 205 rat: "wifi" lat: 52.300000 lon: 4.761765 }
  cells { id: 206 rat: "wifi" lat: 52.300000 lon: 4.758235 }
}
regions {
  name: "remote" center_lat: 53.2 center_lon: 6.5 radius_km: 2 environment: "rural"
  cells { id: 300 rat: "lte-m" lat: 50.5 lon: 6.5 }
}
device_models { name: "tracker" firmware: "asset-tracker" rats: "lte-m" }
fleets { name: "outdoor" device_model: "tracker" count: 120 region: "city" serial_prefix: "OUT-" }
fleets { name: "indoor" device_model: "tracker" count: 70 region: "warehouse" serial_prefix: "IN-" }
fleets { name: "remote" device_model: "tracker" count: 10 region: "remote" serial_prefix: "FAR-" }
env { name: "motion_threshold" value: "0" }
env { name: "moving_secs" value: "900" }
env { name: "sync_points" value: "4" }
timeline { at: "4h" outage { duration: "24h" region: "city" } }
)";

class LocationScenario : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sim::load_options options{{TF_TEST_FIRMWARE_DIR}};
    auto loaded = sim::parse_scenario(scenario_text, "locate.txtpb", ".", options);
    ASSERT_TRUE(loaded) << sim::to_string(loaded.error());
    world_ = sim::build_world(*loaded);
    dir_ = test::fresh_dir("locate");
    summary_ = test::run_ok(world_, 2, dir_);
  }
  static const actors::location_kind_totals& kind(const std::string& name) {
    for (const auto& k : summary_.location.by_kind) {
      if (k.kind == name) return k;
    }
    static const actors::location_kind_totals none;
    ADD_FAILURE() << "no fixes of kind " << name;
    return none;
  }
  static inline sim::run_summary summary_;
  static inline std::shared_ptr<const actors::world> world_;
  static inline std::filesystem::path dir_;
};

TEST_F(LocationScenario, GnssOutdoorsIsWithinAFewMetres) {
  const auto& gnss = kind("gnss");
  EXPECT_GT(gnss.count, 500u);  // one per session: the latest fix goes up
  // Urban CEP 5 m (gnss_params): the median true error is the CEP, within sampling.
  EXPECT_GT(gnss.error_p50_m, 3.5);
  EXPECT_LT(gnss.error_p50_m, 6.5);
  EXPECT_LT(gnss.error_p99_m, 20.0);
  // The receiver's DRMS estimate holds for ~63% of fixes.
  EXPECT_NEAR(gnss.within_estimate, 0.63, 0.08);
}

TEST_F(LocationScenario, CellTriangulationIsWithinHundredsOfMetres) {
  const auto& tri = kind("triangulated");
  EXPECT_GT(tri.count, 500u);
  EXPECT_GT(tri.error_p50_m, 50.0);
  EXPECT_LT(tri.error_p50_m, 500.0);
  EXPECT_LT(tri.error_p90_m, 1500.0);
  // The estimate is honest: it holds for most fixes, and it is of the error's order.
  EXPECT_GT(tri.within_estimate, 0.55);
  EXPECT_LT(tri.estimated_error_p50_m, 4 * tri.error_p50_m);
}

TEST_F(LocationScenario, IndoorTwinsAreLocatedByWifiNotGnss) {
  const auto& wifi = kind("wifi");
  EXPECT_GT(wifi.count, 500u);
  EXPECT_LT(wifi.error_p50_m, 100.0);  // APs 60 m apart
  // Best locations: GNSS for the 120 outdoor twins, Wi-Fi indoors, the remote ones never.
  EXPECT_GE(summary_.location.twins_located, 180u);
  EXPECT_EQ(summary_.location.twins_located + summary_.location.twins_unlocated, 200u);
  EXPECT_GE(summary_.location.twins_unlocated, 10u);
  EXPECT_LT(summary_.location.best_error_p50_m, 20.0);
}

TEST_F(LocationScenario, TwinsTableHoldsTheCloudsBestLocation) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_ / "twins.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT location_kind, count(*), avg(location_error_m) FROM twins "
                               "GROUP BY location_kind ORDER BY location_kind",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  std::map<std::string, int> kinds;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const std::string k = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    kinds[k] = sqlite3_column_int(stmt, 1);
    if (k == "provisioned") {
      EXPECT_EQ(sqlite3_column_type(stmt, 2), SQLITE_NULL);
    } else {
      EXPECT_GT(sqlite3_column_double(stmt, 2), 0.0);
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_GE(kinds["gnss"], 100);
  EXPECT_GE(kinds["wifi"], 60);
  EXPECT_EQ(kinds["provisioned"], static_cast<int>(summary_.location.twins_unlocated));
}

TEST_F(LocationScenario, OfflineNotesAreReconciledWithinTheDriftBound) {
  const auto& t = summary_.time;
  EXPECT_GE(t.notes_reconciled, summary_.notes_delivered);
  EXPECT_LE(t.notes_reconciled, summary_.notes_added);
  EXPECT_GT(summary_.notes_delivered, 20000u);
  // Bound: the age's truncation (0.5 s) + the anchor session's latency (a prompt session,
  // clock_params::max_session_delay_us: 2 s) + the worst drift left uncorrected over the run
  // (tolerance 20 ppm x 36 h = 2.6 s).
  const models::clock_params clock;
  const double bound_ms =
      500.0 + clock.max_session_delay_us / 1e3 + clock.tolerance_ppm * 1e-6 * 36 * 3600 * 1e3;
  EXPECT_LT(t.residual_error_max_ms, bound_ms);
  EXPECT_LT(t.residual_error_p90_ms, 1500.0);
  EXPECT_GT(t.residual_error_p50_ms, 0.0);
  // The day offline without correction would have put notes off by up to 20 ppm x 24 h; the
  // drift estimates are good to a fraction of a ppm.
  EXPECT_GT(t.twins_drift_estimated, 150u);
  EXPECT_LT(t.drift_estimate_error_p90_ppm, 1.0);
  EXPECT_LE(std::abs(t.drift_min_ppm), clock.tolerance_ppm);
  EXPECT_LE(std::abs(t.drift_max_ppm), clock.tolerance_ppm);
}

TEST_F(LocationScenario, TwinsOutOfCoverageNeverGetTheTime) {
  EXPECT_GE(summary_.time.twins_never_synced, 10u);  // the remote fleet
  EXPECT_EQ(summary_.time.twins_never_synced, summary_.per_rat.at("lte-m").dark_twins);
}

TEST_F(LocationScenario, SameFiguresWithOneThread) {
  const sim::run_summary one_thread = test::run_ok(world_, 1, test::fresh_dir("locate-1"));
  EXPECT_EQ(one_thread.time.notes_reconciled, summary_.time.notes_reconciled);
  EXPECT_EQ(one_thread.time.residual_error_max_ms, summary_.time.residual_error_max_ms);
  ASSERT_EQ(one_thread.location.by_kind.size(), summary_.location.by_kind.size());
  for (std::size_t i = 0; i < summary_.location.by_kind.size(); ++i) {
    EXPECT_EQ(one_thread.location.by_kind[i].count, summary_.location.by_kind[i].count);
    EXPECT_EQ(one_thread.location.by_kind[i].error_p90_m, summary_.location.by_kind[i].error_p90_m);
  }
  EXPECT_EQ(one_thread.location.best_error_p90_m, summary_.location.best_error_p90_m);
}

}  // namespace
}  // namespace twelvefold
