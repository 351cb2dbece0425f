// Scenario validation of the config fields (docs/cloud-config.md): every bad value names the
// file, line and column and what was expected.
#include <gtest/gtest.h>

#include "twelvefold/sim/scenario.hpp"
#include "twelvefold/sim/world_builder.hpp"

namespace twelvefold::sim {
namespace {

// Line 1 is empty; fleets "f" (10 twins, serials F-0000001..) and "g" (lines 8-9).
const char* base = R"(
name: "t"
epoch_utc: "2026-01-01T00:00:00Z"
duration: "2h"
regions { name: "r" center_lat: 52 center_lon: 4 radius_km: 3 environment: "urban"
  cells { id: 1 rat: "lte-m" lat: 52 lon: 4 } }
device_models { name: "m" firmware: "env-sensor" }
fleets { name: "f" device_model: "m" count: 10 region: "r" }
fleets { name: "g" device_model: "m" count: 0 region: "r" lifecycle: "repair" }
)";

std::vector<diagnostic> errors_of(const std::string& extra) {
  auto loaded =
      parse_scenario(std::string(base) + extra, "s.txtpb", ".", {{TF_TEST_FIRMWARE_DIR}, {}});
  EXPECT_FALSE(loaded.has_value()) << extra;
  return loaded ? std::vector<diagnostic>{} : loaded.error();
}

// Exactly one error, on the first line of `extra` (line 10 of the file), mentioning `what`.
void expect_one(const std::string& extra, const std::string& what, int column = -1) {
  const auto errors = errors_of(extra);
  ASSERT_EQ(errors.size(), 1U) << to_string(errors);
  EXPECT_EQ(errors[0].file, "s.txtpb");
  EXPECT_EQ(errors[0].line, 10) << to_string(errors);
  if (column > 0) {
    EXPECT_EQ(errors[0].column, column) << to_string(errors);
  }
  EXPECT_NE(errors[0].message.find(what), std::string::npos) << to_string(errors);
}

TEST(ConfigValidation, GoodConfigLoadsAndBuilds) {
  auto loaded = parse_scenario(std::string(base) + R"(
fleets { name: "beta" device_model: "m" count: 0 region: "r" priority: 3 watchdog: "6h"
         rule { serial_prefix: "F-000000" device_model: "m" region: "r" home_fleet: "f" } }
env { name: "_log_level" value: "debug" }
env { name: "_log_cadence" value: "6h" }
device_env { serial: "F-0000010" env { name: "x" value: "1" } }
timeline { at: "1h" env_change { scope: "device" serial: "F-0000002" name: "x" value: "2" } }
timeline { at: "1h" env_change { scope: "fleet" fleet: "beta" name: "x" delete: true } }
timeline { at: "1h" fleet_move { from_fleet: "f" to_fleet: "g" percent: 50 } }
)",
                               "s.txtpb", ".", {{TF_TEST_FIRMWARE_DIR}, {}});
  ASSERT_TRUE(loaded) << to_string(loaded.error());
  const auto w = build_world(*loaded);
  ASSERT_EQ(w->fleets.size(), 3U);
  EXPECT_EQ(w->fleets[1].lifecycle, actors::fleet_lifecycle::repair);
  EXPECT_EQ(w->fleets[1].twin_count, 0U);
  EXPECT_EQ(w->fleets[2].priority, 3);
  EXPECT_EQ(w->fleets[2].watchdog_us, 6 * 3'600'000'000LL);
  EXPECT_TRUE(w->fleets[2].rule.present);
  EXPECT_EQ(w->fleets[2].rule.home_fleet, 0);
  ASSERT_EQ(w->device_env.size(), 1U);
  EXPECT_EQ(w->device_env[0].twin, 9U);
  EXPECT_EQ(w->cloud_timeline.size(), 3U);
  // --scale keeps an empty fleet empty; a serial scaled away is skipped.
  const auto scaled = build_world(*loaded, {std::nullopt, 0.5, std::nullopt});
  EXPECT_EQ(scaled->twins.size(), 5U);
  EXPECT_TRUE(scaled->device_env.empty());
}

TEST(ConfigValidation, ShippedFleetConfigScenarioLoads) {
  auto loaded = load_scenario(std::string(TF_SOURCE_DIR) + "/scenarios/fleet-config-rollout",
                              {{TF_TEST_FIRMWARE_DIR}, {}});
  ASSERT_TRUE(loaded) << to_string(loaded.error());
  const auto w = build_world(*loaded);
  EXPECT_EQ(w->twins.size(), 3000U);
  EXPECT_EQ(w->cloud_timeline.size(), 4U);
}

TEST(ConfigValidation, FleetFields) {
  expect_one(R"(fleets { name: "h" device_model: "m" count: 1 region: "r" lifecycle: "broken" })",
             "lifecycle \"broken\" is not one of");
  expect_one(R"(fleets { name: "h" device_model: "m" count: 1 region: "r" watchdog: "6 hours" })",
             "watchdog:");
  expect_one(R"(fleets { name: "h" device_model: "m" count: 1 region: "r" watchdog: "0s" })",
             "watchdog: must be positive");
  expect_one(R"(fleets { name: "h" device_model: "m" count: 0 region: "r" })",
             "count must be at least 1");
  expect_one(R"(fleets { name: "h" device_model: "m" count: 1 region: "r" rule { } })",
             "an empty rule");
  expect_one(
      R"(fleets { name: "h" device_model: "m" count: 1 region: "r" rule { home_fleet: "x" } })",
      "rule: unknown fleet \"x\"", 66);
  expect_one(R"(fleets { name: "h" device_model: "m" count: 1 region: "r" rule { region: "x" } })",
             "rule: unknown region \"x\"");
  expect_one(
      R"(fleets { name: "h" device_model: "m" count: 1 region: "r" rule { device_model: "x" } })",
      "rule: unknown device model \"x\"");
}

TEST(ConfigValidation, ReservedLogVariables) {
  expect_one(R"(env { name: "_log_level" value: "verbose" })", "_log_level \"verbose\" is not");
  expect_one(R"(env { name: "_log_cadence" value: "often" })", "_log_cadence \"often\"");
  expect_one(
      R"(fleets { name: "h" device_model: "m" count: 1 region: "r" env { name: "_log_level" value: "x" } })",
      "fleet \"h\": _log_level");
  expect_one(R"(device_env { serial: "F-0000001" env { name: "_log_level" value: "loud" } })",
             "_log_level \"loud\"");
}

TEST(ConfigValidation, DeviceEnv) {
  expect_one(R"(device_env { serial: "F-0000011" env { name: "x" value: "1" } })",
             "no twin has this serial", 14);
  expect_one(R"(device_env { serial: "" })", "serial is required");
  expect_one(R"(device_env { serial: "F-0000001" env { value: "1" } })", "env var without a name");
}

TEST(ConfigValidation, EnvChange) {
  expect_one(R"(timeline { at: "1h" env_change { scope: "galaxy" name: "x" } })",
             "scope \"galaxy\" is not one of");
  expect_one(R"(timeline { at: "1h" env_change { scope: "fleet" fleet: "nope" name: "x" } })",
             "unknown fleet \"nope\" (defined: f, g)");
  expect_one(
      R"(timeline { at: "1h" env_change { scope: "device" serial: "G-0000001" name: "x" } })",
      "no twin has serial \"G-0000001\"");
  expect_one(R"(timeline { at: "1h" env_change { scope: "project" value: "1" } })",
             "env_change needs a name");
  expect_one(R"(timeline { at: "1h" env_change { scope: "project" fleet: "f" name: "x" } })",
             "`fleet` only goes with scope \"fleet\"");
  expect_one(
      R"(timeline { at: "1h" env_change { scope: "project" name: "_log_level" value: "x" } })",
      "_log_level \"x\"");
  expect_one(R"(timeline { at: "bad" env_change { scope: "project" name: "x" } })", "at:");
}

TEST(ConfigValidation, FleetMove) {
  expect_one(R"(timeline { at: "1h" fleet_move { from_fleet: "f" } })", "needs to_fleet");
  expect_one(R"(timeline { at: "1h" fleet_move { from_fleet: "f" to_fleet: "zz" } })",
             "unknown fleet \"zz\"");
  expect_one(R"(timeline { at: "1h" fleet_move { from_fleet: "zz" to_fleet: "g" } })",
             "unknown fleet \"zz\"");
  expect_one(R"(timeline { at: "1h" fleet_move { to_fleet: "g" } })",
             "needs from_fleet or serials");
  expect_one(R"(timeline { at: "1h" fleet_move { from_fleet: "f" to_fleet: "g" percent: 150 } })",
             "percent must be within (0, 100]");
  expect_one(
      R"(timeline { at: "1h" fleet_move { from_fleet: "f" to_fleet: "g" percent: 5 count: 2 } })",
      "count or percent, not both");
  expect_one(R"(timeline { at: "1h" fleet_move { to_fleet: "g" serials: "F-0000099" } })",
             "no twin has serial \"F-0000099\"");
}

}  // namespace
}  // namespace twelvefold::sim
