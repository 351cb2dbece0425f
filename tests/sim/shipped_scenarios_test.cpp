// The shipped scenarios, each run at reduced scale through the CLI: their own assertions must
// pass (exit 0), as CI would run them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace {

using twelvefold::test::run_cli;

struct shipped {
  const char* name;
  const char* args;  // reduced scale / duration
};

nlohmann::json run_shipped(const shipped& s) {
  const std::string out = twelvefold::test::temp_path(std::string("shipped-") + s.name);
  const auto r = run_cli("run " + std::string(TF_SOURCE_DIR) + "/scenarios/" + s.name + " " +
                         s.args + " --quiet --out " + out);
  EXPECT_EQ(r.exit_code, 0) << s.name << ":\n" << r.output;
  std::ifstream in(out + "/summary.json");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  std::filesystem::remove_all(out);
  return j;
}

// Every assertion the scenario ships with was evaluated and passed.
void expect_all_passed(const nlohmann::json& j, std::size_t count) {
  ASSERT_TRUE(j.contains("assertions"));
  ASSERT_EQ(j["assertions"].size(), count);
  for (const auto& a : j["assertions"]) EXPECT_TRUE(a["passed"].get<bool>()) << a.dump();
}

TEST(ShippedScenarios, EveryShippedScenarioValidates) {
  std::set<std::string> names;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(TF_SOURCE_DIR) + "/scenarios")) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    names.insert(name);
    EXPECT_TRUE(std::filesystem::exists(entry.path() / "README.md")) << name;
    const auto r = run_cli("validate " + entry.path().string());
    EXPECT_EQ(r.exit_code, 0) << name << ":\n" << r.output;
    EXPECT_NE(r.output.find(": ok: scenario \"" + name + "\""), std::string::npos) << r.output;
  }
  for (const char* expected :
       {"3g-sunset", "outage-reconnect-storm", "dfu-rollout-rollback", "lorawan-gateway-density",
        "fleet-config-rollout", "asset-tracker-location", "scale-1m", "scale-100k", "quickstart"}) {
    EXPECT_TRUE(names.contains(expected)) << expected;
  }
}

// A 3G switch-off: the 3G-only fleet (50) goes dark, the 2G/3G fleet (30) ends on GPRS, the
// LTE-M/3G fleet (120) on LTE-M.
TEST(ShippedScenarios, ThreeGSunsetAtOneTenth) {
  const auto j = run_shipped({"3g-sunset",
                              "--param dual_mode_twins=120 --param legacy_3g_twins=50 "
                              "--param legacy_2g3g_twins=30 --threads 2"});
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["twins"], 200);
  expect_all_passed(j, 7);
  EXPECT_EQ(j["per_rat"]["umts"]["dark_twins"], 50);
  EXPECT_EQ(j["per_rat"]["gprs"]["twins"], 30);
  EXPECT_GE(j["per_rat"]["gprs"]["fallbacks_into"].get<int>(), 30);
  // The dark fleet's Notes are stuck on the devices: three days of hourly samples each.
  EXPECT_GE(j["notes_in_flight"].get<int>(), 50 * 70);
}

// The whole region dark for two hours, then back: nothing lost, the backlog delivered.
TEST(ShippedScenarios, OutageReconnectStormAtOneTenth) {
  // 13 modems per site do not collide: the collision threshold is 0 at this scale.
  const auto j = run_shipped({"outage-reconnect-storm",
                              "--param sensors=250 --param storm_attempts=450 "
                              "--param storm_collisions=0 --threads 2"});
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["twins"], 250);
  expect_all_passed(j, 15);
  // The storm: everyone re-registered within seconds of the sites' return, in the 13:00 sample.
  EXPECT_EQ(j["reconnect"]["registered"], 250);
  EXPECT_LT(j["reconnect"]["registered_after_s_max"].get<double>(), 10.0);
  EXPECT_EQ(j["network_timeline"][13]["reconnects"], 250);
  EXPECT_GT(j["network_timeline"][13]["attach_attempts"].get<int>(),
            j["network_timeline"][9]["attach_attempts"].get<int>() * 14 / 10);
  EXPECT_EQ(j["notes_lost"], 0);
  EXPECT_GT(j["per_rat"]["lte-m"]["no_coverage_failures"].get<int>(), 250);
  // Notes captured at the start of the outage waited its two hours.
  EXPECT_GT(j["delivery_latency"]["max_s"].get<double>(), 7200.0);
}

// A staged rollout reaches 90% in three days; a bad image is halted and rolled back.
TEST(ShippedScenarios, DfuRolloutRollbackAtOneTenth) {
  const auto j = run_shipped(
      {"dfu-rollout-rollback", "--param meters=150 --param meters_90pct=135 --threads 2"});
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["twins"], 150);
  expect_all_passed(j, 7);
  const auto& campaigns = j["dfu"]["campaigns"];
  ASSERT_EQ(campaigns.size(), 2u);
  EXPECT_EQ(campaigns[0]["name"], "rollout-2.2");
  EXPECT_EQ(campaigns[0]["twins_targeted"], 150);
  EXPECT_EQ(campaigns[1]["name"], "bad-2.3");
  EXPECT_GT(campaigns[1]["failed"].get<int>(), 0);
  EXPECT_EQ(campaigns[1]["rolled_back"], campaigns[1]["applied"]);
  EXPECT_LT(campaigns[1]["twins_targeted"].get<int>(), 150 / 4);  // stopped before stage 2
}

// Sparse vs dense LoRaWAN gateways: everyone in reach, the far sparse sensors drain fastest.
TEST(ShippedScenarios, LorawanGatewayDensityAtOneTenth) {
  const auto j = run_shipped({"lorawan-gateway-density",
                              "--param sparse_sensors=150 --param dense_sensors=150 --threads 2"});
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["twins"], 300);
  expect_all_passed(j, 14);
  EXPECT_LT(j["per_fleet"]["sparse"]["battery_life_years_p10"].get<double>(),
            j["per_fleet"]["dense"]["battery_life_years_p10"].get<double>());
  EXPECT_GT(j["per_fleet"]["sparse"]["battery_mah_used_mean"].get<double>(),
            j["per_fleet"]["dense"]["battery_mah_used_mean"].get<double>());
  // Long SF11-12 frames collide more on the sparse grid; both regions add up to the RAT's total.
  EXPECT_GT(j["per_fleet"]["sparse"]["access_collisions"].get<int>(),
            j["per_fleet"]["dense"]["access_collisions"].get<int>());
  EXPECT_EQ(j["per_region"]["dronten-farmland"]["access_collisions"].get<int>() +
                j["per_region"]["almere"]["access_collisions"].get<int>(),
            j["per_rat"]["lorawan"]["access_collisions"].get<int>());
}

// A fleet env change reaches 99% of the field fleet within the hour.
TEST(ShippedScenarios, FleetConfigRolloutAtOneTenth) {
  const auto j = run_shipped({"fleet-config-rollout", "--scale 0.1 --threads 2"});
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["twins"], 300);
  expect_all_passed(j, 8);
  const auto& change = j["config"]["env_changes"][0];
  EXPECT_EQ(change["twins_reached"], change["twins_targeted"]);
  EXPECT_LE(change["reached_99_s"].get<double>(), 3700.0);
  // Hourly syncs spread over the hour (boot_spread_s 3600): half the fleet takes ~30 minutes.
  EXPECT_GT(change["reached_50_s"].get<double>(), 1200.0);
}

// GNSS within metres, Wi-Fi within tens of metres, timestamps within a second.
TEST(ShippedScenarios, AssetTrackerLocationAtOneTenth) {
  const auto j =
      run_shipped({"asset-tracker-location",
                   "--param yard_trackers=150 --param warehouse_trackers=50 --threads 2"});
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["twins"], 200);
  expect_all_passed(j, 9);
  const auto& kinds = j["location"]["by_kind"];
  EXPECT_GT(kinds["gnss"]["count"].get<int>(), 0);
  EXPECT_GT(kinds["wifi"]["count"].get<int>(), 0);
  EXPECT_LT(kinds["gnss"]["error_m"]["p50"].get<double>(),
            kinds["wifi"]["error_m"]["p50"].get<double>());
  EXPECT_LE(j["time"]["residual_error_ms"]["p50"].get<double>(), 100.0);
}

TEST(ShippedScenarios, Scale1mAtOneThousandthPassesItsAssertions) {
  const auto j = run_shipped({"scale-1m", "--scale 0.001 --threads 2"});
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["twins"], 1000);
  ASSERT_EQ(j["assertions"].size(), 3u);
  for (const auto& a : j["assertions"]) EXPECT_TRUE(a["passed"].get<bool>()) << a.dump();
}

TEST(ShippedScenarios, AFailedAssertionExitsOneWithItsMeasuredValue) {
  const std::string path = twelvefold::test::temp_path("failing.txtpb");
  std::ofstream(path) << "#include \"" << TF_SOURCE_DIR
                      << "/scenarios/quickstart/scenario.txtpb\"\n"
                      << "scale: 0.01\n"
                      << "assertions { name: \"impossible\" expect: \"notes_delivered > 1e12\" }\n"
                      << "assertions { expect: \"notes_lost == 0\" }\n";
  const std::string out = twelvefold::test::temp_path("failing-out");
  const auto r = run_cli("run " + path + " --duration 2h --quiet --out " + out);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("1 passed, 1 failed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("FAIL  impossible: notes_delivered > 1e12 (measured "), std::string::npos)
      << r.output;
  // Everything was still written: a failed assertion is a verdict, not a lost run.
  std::ifstream in(out + "/summary.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_FALSE(j["assertions"][0]["passed"].get<bool>());
  EXPECT_TRUE(j["assertions"][1]["passed"].get<bool>());
  EXPECT_TRUE(std::filesystem::exists(out + "/twins.sqlite"));
  std::filesystem::remove_all(out);
  std::filesystem::remove(path);
}

}  // namespace
