// Radio behaviour through every layer: fallback between RATs, a 3G sunset, an outage and the
// reconnect storm after it.
#include <gtest/gtest.h>

#include "run_helpers.hpp"
#include "twelvefold/sim/scenario.hpp"
#include "twelvefold/sim/world_builder.hpp"

namespace twelvefold {
namespace {

// Two fleets in one town: "modern" modems prefer LTE-M and fall back to 3G; "legacy" modems
// only have 3G. 3G is switched off at 12:00; all LTE-M cells fail for an hour at 06:00.
const char* sunset_text = R"(
name: "sunset-test"
epoch_utc: "2026-01-01T00:00:00Z"
duration: "1d"
seed: 5
regions {
  name: "town" center_lat: 52.0 center_lon: 5.0 radius_km: 3 environment: "suburban"
  cells { id: 1 rat: "lte-m" lat: 52.0 lon: 5.0 operator: "alpha" }
  cells { id: 2 rat: "umts" lat: 52.0 lon: 5.0 operator: "alpha" }
}
device_models { name: "modern" firmware: "env-sensor" rats: "lte-m" rats: "umts" }
device_models { name: "legacy" firmware: "env-sensor" rats: "umts" }
fleets { name: "modern" device_model: "modern" count: 20 region: "town" }
fleets { name: "legacy" device_model: "legacy" count: 10 region: "town" }
env { name: "sample_mins" value: "30" }
env { name: "sync_mins" value: "60" }
timeline { at: "6h" outage { duration: "1h" rat: "lte-m" } }
timeline { at: "12h" sunset { rat: "umts" operator: "alpha" } }
)";

class SunsetScenario : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sim::load_options options{{TF_TEST_FIRMWARE_DIR}};
    auto loaded = sim::parse_scenario(sunset_text, "sunset.txtpb", ".", options);
    ASSERT_TRUE(loaded) << sim::to_string(loaded.error());
    summary_ = test::run_ok(sim::build_world(*loaded), 2, test::fresh_dir("sunset"));
  }
  static const sim::network_point& at_hour(int h) {
    return summary_.network_timeline.at(static_cast<std::size_t>(h));
  }
  static inline sim::run_summary summary_;
};

TEST_F(SunsetScenario, NotesAreAccountedForAcrossTheSunset) {
  EXPECT_EQ(summary_.notes_added,
            summary_.notes_delivered + summary_.notes_in_flight + summary_.notes_lost);
  EXPECT_EQ(summary_.timeline_events, 3u);  // outage begin, end, sunset
}

TEST_F(SunsetScenario, TimeSeriesIsHourlyWithTheEnd) {
  ASSERT_EQ(summary_.network_timeline.size(), 25u);
  EXPECT_EQ(at_hour(24).at_s, 86400.0);
  EXPECT_EQ(at_hour(3).sites_up, 2u);
  EXPECT_EQ(at_hour(18).sites_up, 1u);
}

TEST_F(SunsetScenario, ModernModemsFallBackDuringTheOutageAndReturn) {
  // Before: everyone connected on its preferred RAT.
  EXPECT_EQ(at_hour(5).connected.at("lte-m"), 20u);
  EXPECT_EQ(at_hour(5).connected.at("umts"), 10u);
  // During the LTE-M outage (06:00-07:00) the modern fleet is on 3G. Every twin boots at 0
  // and syncs hourly, so its outage session falls on 06:00, which the 06:00 sample includes.
  EXPECT_GE(std::max(at_hour(6).on_fallback, at_hour(7).on_fallback), 15u);
  EXPECT_GT(summary_.per_rat.at("umts").fallbacks_into, 0u);
  // Back on LTE-M well after the outage.
  EXPECT_EQ(at_hour(11).on_fallback, 0u);
  EXPECT_EQ(at_hour(11).connected.at("lte-m"), 20u);
}

TEST_F(SunsetScenario, LegacyModemsGoDarkAfterTheSunset) {
  EXPECT_EQ(at_hour(14).dark, 10u);
  EXPECT_EQ(at_hour(14).connected.at("lte-m"), 20u);
  EXPECT_EQ(at_hour(14).connected.at("umts"), 0u);
  EXPECT_EQ(summary_.per_rat.at("umts").dark_twins, 10u);
  EXPECT_EQ(summary_.per_rat.at("umts").twins_in_coverage, 0u);
  EXPECT_GT(summary_.notes_in_flight, 10u * 20);  // half a day of legacy notes stuck on devices
}

}  // namespace
}  // namespace twelvefold
