// Firmware updates end to end (factor 8, docs/cloud-dfu.md): staged campaigns over a fleet of
// smart meters (in-application update through dfu.get), a bad image halted by its health gate
// and rolled back, an asset update and a diagnostic image that reverts; bad campaign input.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <string>

#include "run_helpers.hpp"
#include "twelvefold/sim/scenario.hpp"

namespace twelvefold::test {
namespace {

sim::load_options options() { return {{TF_TEST_FIRMWARE_DIR}}; }

const char* head = R"(
name: "dfu"
epoch_utc: "2026-06-01T00:00:00Z"
seed: 5
regions {
  name: "town" center_lat: 52.37 center_lon: 4.895 radius_km: 3 environment: "urban"
  cells { id: 1 rat: "lte-m" lat: 52.37 lon: 4.895 }
}
device_models { name: "meter" firmware: "smart-meter" rats: "lte-m" }
device_models { name: "sensor" firmware: "env-sensor" rats: "lte-m" }
fleets { name: "meters" device_model: "meter" count: 200 region: "town" }
fleets { name: "sensors" device_model: "sensor" count: 100 region: "town" }
firmware_images { name: "meter-2.2" image: "smart-meter" version: "2.2.0" size_bytes: 131072 }
firmware_images { name: "meter-2.3" image: "smart-meter" version: "2.3.0" size_bytes: 131072 }
firmware_images { name: "modem-fw" version: "1.4.0" size_bytes: 40000 }
firmware_images { name: "sensor-diag" image: "test-diag" version: "9.0.0" size_bytes: 60000 }
)";

std::shared_ptr<const actors::world> world_of(const std::string& text) {
  auto loaded = sim::parse_scenario(text, "dfu.txtpb", ".", options());
  EXPECT_TRUE(loaded) << (loaded ? "" : sim::to_string(loaded.error()));
  return loaded ? sim::build_world(*loaded, {}) : nullptr;
}

const actors::dfu_campaign_report& campaign(const sim::run_summary& s, const std::string& name) {
  for (const auto& c : s.dfu.campaigns) {
    if (c.name == name) return c;
  }
  static const actors::dfu_campaign_report none;
  ADD_FAILURE() << "no campaign " << name;
  return none;
}

std::uint64_t count_at(const sim::run_summary& s, double at_s, const std::string& version) {
  for (const auto& p : s.dfu.versions) {
    if (p.at_s == at_s) {
      const auto it = p.versions.find(version);
      return it == p.versions.end() ? 0 : it->second;
    }
  }
  ADD_FAILURE() << "no firmware_versions point at " << at_s;
  return 0;
}

std::int64_t query_int(const std::filesystem::path& db_file, const char* sql) {
  sqlite3* db = nullptr;
  std::int64_t value = -1;
  if (sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return value;
}

// Meters: a staged rollout of 2.2.0 (2% apply failures), then a bad 2.3.0 (50% failures) that
// trips the health gate and is rolled back.
TEST(DfuScenario, StagedRolloutThenBadImageRolledBack) {
  const std::string text = std::string(head) + R"(
duration: "3d"
timeline {
  at: "1h"
  dfu_campaign {
    name: "rollout-2.2" fleet: "meters" image: "meter-2.2" apply_failure_rate: 0.02
    stages { percent: 10 after: "0s" }
    stages { percent: 50 after: "6h" }
    stages { percent: 100 after: "12h" }
  }
}
timeline {
  at: "1d12h"
  dfu_campaign {
    name: "bad-2.3" fleet: "meters" image: "meter-2.3" apply_failure_rate: 0.5
    stages { percent: 10 after: "0s" }
    stages { percent: 100 after: "12h" }
    health_gate { max_failure_rate: 0.2 window: "12h" min_samples: 5 }
    rollback: true
  }
}
)";
  const auto out = fresh_dir("dfu-rollout");
  const sim::run_summary s = run_ok(world_of(text), 1, out);
  const auto& rollout = campaign(s, "rollout-2.2");
  EXPECT_EQ(rollout.twins_targeted, 200u);
  EXPECT_EQ(rollout.offered, 200u);
  EXPECT_EQ(rollout.applied + rollout.failed, 200u);
  EXPECT_GE(rollout.failed, 1u);  // 2% of 200: a few
  EXPECT_LE(rollout.failed, 10u);
  EXPECT_EQ(rollout.halted_at_s, -1);
  // Every chunk went over LTE-M and cost airtime and charge.
  EXPECT_EQ(rollout.cost.bytes_down, 200u * 131072u);
  EXPECT_GT(rollout.cost.airtime_s, 0);
  EXPECT_GT(rollout.cost.radio_charge_mah, 0);
  // Staging: ~10% by 6h, ~50% by 12h, most of the fleet within a day.
  const std::uint64_t at6h = count_at(s, 6 * 3600.0, "smart-meter@2.2.0");
  const std::uint64_t at12h = count_at(s, 12 * 3600.0, "smart-meter@2.2.0");
  const std::uint64_t at1d = count_at(s, 24 * 3600.0, "smart-meter@2.2.0");
  EXPECT_GT(at6h, 5u);
  EXPECT_LT(at6h, 40u);
  EXPECT_GT(at12h, 70u);
  EXPECT_LT(at12h, 130u);
  EXPECT_GE(at1d, 190u);
  EXPECT_EQ(count_at(s, 0, "smart-meter@2.2.0"), 0u);

  const auto& bad = campaign(s, "bad-2.3");
  EXPECT_GT(bad.halted_at_s, 36 * 3600.0);
  EXPECT_LT(bad.halted_at_s, 48 * 3600.0);  // within its first stage
  EXPECT_LT(bad.applied + bad.failed, 60u);
  EXPECT_GT(bad.failed, 0u);
  EXPECT_GT(bad.rolled_back, 0u);
  EXPECT_EQ(bad.rolled_back, bad.applied);
  EXPECT_GE(bad.downloaded, bad.applied + bad.failed);
  EXPECT_EQ(rollout.downloaded, 200u);
  // The fleet ends on the old versions: nobody runs 2.3.0.
  const double end_s = 3 * 86400.0;
  EXPECT_EQ(count_at(s, end_s, "smart-meter@2.3.0"), 0u);
  EXPECT_EQ(count_at(s, end_s, "smart-meter@2.2.0") + count_at(s, end_s, "smart-meter@2.1.0"),
            200u);
  // The twin store's firmware table holds every change.
  const auto db = out / "twins.sqlite";
  EXPECT_EQ(query_int(db,
                      "SELECT count(*) FROM firmware WHERE campaign = 'rollout-2.2' AND "
                      "outcome = 'applied' AND to_version = 'smart-meter@2.2.0'"),
            static_cast<std::int64_t>(rollout.applied));
  EXPECT_EQ(query_int(db,
                      "SELECT count(*) FROM firmware WHERE outcome = 'rolled_back' AND "
                      "from_version = 'smart-meter@2.3.0' AND to_version = 'smart-meter@2.2.0'"),
            static_cast<std::int64_t>(bad.rolled_back));
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM events WHERE kind = 'dfu.halted'"), 1);
}

// Sensors: an asset update (no host reboot, counted on its own), then a diagnostic image
// (another firmware, flashed by the module) that reverts after 6 hours.
TEST(DfuScenario, AssetUpdateAndDiagnosticImageThatReverts) {
  const std::string text = std::string(head) + R"(
duration: "2d"
timeline {
  at: "1h"
  dfu_campaign { name: "modem-1.4" fleet: "sensors" image: "modem-fw" kind: "asset" }
}
timeline {
  at: "1d"
  dfu_campaign {
    name: "diag" fleet: "sensors" image: "sensor-diag" outboard: true
    stages { percent: 30 after: "0s" }
    diagnostic: true revert_after: "6h"
  }
}
)";
  const sim::run_summary s = run_ok(world_of(text), 1, fresh_dir("dfu-diag"));
  const auto& asset = campaign(s, "modem-1.4");
  EXPECT_EQ(asset.applied, 100u);
  EXPECT_EQ(asset.cost.bytes_down, 100u * 40000u);
  // Independent of the host image: every sensor still runs env-sensor 1.0.0 at 1d.
  EXPECT_EQ(count_at(s, 86400.0, "modem-fw@1.4.0"), 100u);
  EXPECT_EQ(count_at(s, 86400.0, "env-sensor@1.0.0"), 100u);
  EXPECT_EQ(count_at(s, 0, "modem-fw@1.4.0"), 0u);

  const auto& diag = campaign(s, "diag");
  EXPECT_GT(diag.applied, 15u);  // ~30 of 100
  EXPECT_LT(diag.applied, 45u);
  EXPECT_EQ(diag.reverted, diag.applied);
  // At 1d4h the diagnostic image runs on the targeted twins; at the end on none.
  EXPECT_EQ(count_at(s, 28 * 3600.0, "env-sensor-diag@9.0.0"), diag.applied);
  EXPECT_EQ(count_at(s, 2 * 86400.0, "env-sensor-diag@9.0.0"), 0u);
  EXPECT_EQ(count_at(s, 2 * 86400.0, "env-sensor@1.0.0"), 100u);
  EXPECT_EQ(s.notes_lost, 0u);
}

TEST(DfuScenario, SameResultsWithOneOrTwoThreads) {
  const std::string text = std::string(head) + R"(
duration: "1d"
timeline {
  at: "1h"
  dfu_campaign {
    name: "r" fleet: "meters" image: "meter-2.2" apply_failure_rate: 0.3
    health_gate { max_failure_rate: 0.2 window: "12h" } rollback: true
  }
}
timeline { at: "2h" dfu_campaign { name: "d" fleet: "sensors" image: "sensor-diag"
  outboard: true diagnostic: true revert_after: "3h" } }
)";
  const auto dir1 = fresh_dir("dfu-t1");
  const auto dir2 = fresh_dir("dfu-t2");
  const auto one = run_ok(world_of(text), 1, dir1);
  const auto two = run_ok(world_of(text), 2, dir2);
  ASSERT_EQ(one.dfu.campaigns.size(), 2u);
  for (std::size_t c = 0; c < 2; ++c) {
    EXPECT_EQ(one.dfu.campaigns[c].applied, two.dfu.campaigns[c].applied);
    EXPECT_EQ(one.dfu.campaigns[c].failed, two.dfu.campaigns[c].failed);
    EXPECT_EQ(one.dfu.campaigns[c].rolled_back, two.dfu.campaigns[c].rolled_back);
    EXPECT_EQ(one.dfu.campaigns[c].halted_at_s, two.dfu.campaigns[c].halted_at_s);
    EXPECT_EQ(one.dfu.campaigns[c].cost.bytes_down, two.dfu.campaigns[c].cost.bytes_down);
    EXPECT_DOUBLE_EQ(one.dfu.campaigns[c].cost.radio_charge_mah,
                     two.dfu.campaigns[c].cost.radio_charge_mah);
  }
  ASSERT_EQ(one.dfu.versions.size(), two.dfu.versions.size());
  for (std::size_t i = 0; i < one.dfu.versions.size(); ++i) {
    EXPECT_EQ(one.dfu.versions[i].versions, two.dfu.versions[i].versions);
  }
  EXPECT_EQ(dump_twins(dir1 / "twins.sqlite"), dump_twins(dir2 / "twins.sqlite"));
}

// LoRaWAN twins: skipped by default; with allow_packet_limited each session carries one 51-byte
// frame, so a 4 KB asset is still far from complete after a day of hourly sessions.
TEST(DfuScenario, PacketLimitedTwinsAreSkippedOrCrawl) {
  const std::string text = R"(
name: "dfu-lora"
epoch_utc: "2026-06-01T00:00:00Z"
duration: "1d"
seed: 5
regions {
  name: "town" center_lat: 52.37 center_lon: 4.895 radius_km: 2 environment: "urban"
  cells { id: 1 rat: "lorawan" lat: 52.37 lon: 4.895 }
}
device_models { name: "lora" firmware: "env-sensor" rats: "lorawan" }
fleets { name: "lora-a" device_model: "lora" count: 20 region: "town" }
fleets { name: "lora-b" device_model: "lora" count: 20 region: "town" }
firmware_images { name: "modem-fw" version: "1.4.0" size_bytes: 4000 }
timeline { at: "1h" dfu_campaign { name: "skip" fleet: "lora-a" image: "modem-fw" kind: "asset" } }
timeline { at: "1h" dfu_campaign { name: "slow" fleet: "lora-b" image: "modem-fw" kind: "asset"
  allow_packet_limited: true } }
)";
  const sim::run_summary s = run_ok(world_of(text), 1, fresh_dir("dfu-lora"));
  const auto& skip = campaign(s, "skip");
  EXPECT_EQ(skip.twins_targeted, 20u);
  EXPECT_EQ(skip.skipped_packet_limited, 20u);
  EXPECT_EQ(skip.offered, 0u);
  EXPECT_EQ(skip.cost.bytes_down, 0u);
  const auto& slow = campaign(s, "slow");
  EXPECT_EQ(slow.offered, 20u);
  EXPECT_EQ(slow.downloaded, 0u);
  EXPECT_GT(slow.cost.bytes_down, 20u * 10 * 51);  // at least ten frames each...
  EXPECT_LT(slow.cost.bytes_down, 20u * 4000u);    // ...and nobody got the whole image
  EXPECT_EQ(slow.cost.bytes_down % 51, 0u);
  EXPECT_GT(slow.cost.airtime_s, 0);
}

// Bad input: each names file:line:col and what was expected.
std::vector<sim::diagnostic> errors_of(const std::string& timeline) {
  const std::string text = std::string(head) + "duration: \"1d\"\n" + timeline;
  auto loaded = sim::parse_scenario(text, "dfu.txtpb", ".", options());
  EXPECT_FALSE(loaded.has_value());
  return loaded ? std::vector<sim::diagnostic>{} : loaded.error();
}

int line_of(const std::string& needle, const std::string& timeline) {
  const std::string text = std::string(head) + "duration: \"1d\"\n" + timeline;
  const auto at = text.find(needle);
  return static_cast<int>(std::count(text.begin(), text.begin() + at, '\n')) + 1;
}

TEST(DfuScenario, UnknownFleetOrImageIsNamedWithItsPlace) {
  const std::string tl = R"(timeline { at: "1h" dfu_campaign { name: "x"
  fleet: "ghosts"
  image: "meter-9" } }
)";
  const auto errors = errors_of(tl);
  ASSERT_EQ(errors.size(), 2u) << sim::to_string(errors);
  EXPECT_EQ(errors[0].file, "dfu.txtpb");
  EXPECT_EQ(errors[0].line, line_of("fleet: \"ghosts\"", tl));
  EXPECT_EQ(errors[0].column, 3);
  EXPECT_NE(errors[0].message.find("unknown fleet \"ghosts\" (defined: meters, sensors)"),
            std::string::npos);
  EXPECT_EQ(errors[1].line, line_of("image: \"meter-9\"", tl));
  EXPECT_NE(errors[1].message.find("unknown image \"meter-9\""), std::string::npos);
  EXPECT_NE(errors[1].message.find("meter-2.2"), std::string::npos);
}

TEST(DfuScenario, StagePercentsMustIncrease) {
  const std::string tl = R"(timeline { at: "1h" dfu_campaign { name: "x" fleet: "meters"
  image: "meter-2.2"
  stages { percent: 50 after: "0s" }
  stages { percent: 20 after: "6h" }
  stages { percent: 120 after: "3h" } } }
)";
  const auto errors = errors_of(tl);
  ASSERT_EQ(errors.size(), 3u) << sim::to_string(errors);
  EXPECT_EQ(errors[0].line, line_of("percent: 20", tl));
  EXPECT_EQ(errors[0].column, 12);
  EXPECT_NE(errors[0].message.find("percent must increase"), std::string::npos);
  EXPECT_NE(errors[1].message.find("within [1, 100]"), std::string::npos);
  EXPECT_NE(errors[2].message.find("after must not be earlier"), std::string::npos);
}

TEST(DfuScenario, OtherBadCampaignFieldsAreRefused) {
  const auto errors = errors_of(R"(timeline { at: "1h" dfu_campaign { name: "x" fleet: "meters"
  image: "modem-fw" kind: "modem" apply_failure_rate: 1.5
  health_gate { window: "soon" metric: "vibes" }
  diagnostic: true } }
firmware_images { name: "meter-2.2" version: "" image: "no-such-firmware" }
)");
  const std::string all = sim::to_string(errors);
  for (const char* expected :
       {"kind \"modem\" is not", "apply_failure_rate must be within [0, 1]", "health_gate window",
        "metric \"vibes\"", "needs revert_after", "defined twice", "version is required",
        "\"no-such-firmware\" not found"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected << " not in:\n" << all;
  }
  for (const auto& e : errors) EXPECT_GT(e.line, 0) << e.message;
}

}  // namespace
}  // namespace twelvefold::test
