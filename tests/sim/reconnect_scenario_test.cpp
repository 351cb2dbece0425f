// The reconnect storm after an outage (actors/src/reconnect.cpp), per-interval access counts in
// network_timeline, and per_fleet / per_region figures (docs/outputs.md), through every layer.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run_helpers.hpp"
#include "twelvefold/scenario/v1/scenario.pb.h"
#include "twelvefold/sim/assertions.hpp"
#include "twelvefold/sim/scenario.hpp"
#include "twelvefold/sim/summary.hpp"
#include "twelvefold/sim/world_builder.hpp"

namespace twelvefold {
namespace {

// 300 sensors on one LTE-M site in "city" (its outage runs 02:00-04:00), 60 more on their own
// site in "village" (never down). Hourly syncs: two failed attempts in the outage, not enough
// for the penalty box, so every city modem searches when the site returns.
std::string scenario_text(bool with_outage, const std::string& sync_mins = "60") {
  std::string text = R"(
name: "reconnect-test"
epoch_utc: "2026-03-01T00:00:00Z"
duration: "6h"
seed: 23
regions {
  name: "city" center_lat: 48.85 center_lon: 2.35 radius_km: 1.5 environment: "urban"
  cells { id: 1 rat: "lte-m" lat: 48.85 lon: 2.35 }
}
regions {
  name: "village" center_lat: 47.0 center_lon: 3.0 radius_km: 1 environment: "rural"
  cells { id: 2 rat: "lte-m" lat: 47.0 lon: 3.0 }
}
device_models { name: "ltem" firmware: "env-sensor" rats: "lte-m" }
fleets { name: "city-a" device_model: "ltem" count: 200 region: "city" }
fleets { name: "city-b" device_model: "ltem" count: 100 region: "city" }
fleets { name: "rural" device_model: "ltem" count: 60 region: "village" }
env { name: "sample_mins" value: "15" }
env { name: "sync_mins" value: ")" +
                     sync_mins + R"(" }
)";
  if (with_outage) text += R"(timeline { at: "2h" outage { duration: "2h" region: "city" } })";
  return text;
}

sim::run_summary run_text(const std::string& text, int threads, const std::string& dir) {
  sim::load_options options{{TF_TEST_FIRMWARE_DIR}};
  auto loaded = sim::parse_scenario(text, "reconnect.txtpb", ".", options);
  EXPECT_TRUE(loaded) << sim::to_string(loaded.error());
  return test::run_ok(sim::build_world(*loaded), threads, test::fresh_dir(dir));
}

nlohmann::json simulated_part(const sim::run_summary& s) {
  auto j = nlohmann::json::parse(sim::summary_json(s));
  for (const char* key : {"wall_seconds", "threads", "activations_per_wall_second"}) j.erase(key);
  return j;
}

class ReconnectScenario : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    outage_ = run_text(scenario_text(true), 2, "reconnect-outage");
    calm_ = run_text(scenario_text(false), 2, "reconnect-calm");
  }
  // The point sampled at the end of hour h: counts for the interval (h-1 h, h h].
  static const sim::network_point& hour(const sim::run_summary& s, int h) {
    return s.network_timeline.at(static_cast<std::size_t>(h));
  }
  static inline sim::run_summary outage_;
  static inline sim::run_summary calm_;
};

TEST_F(ReconnectScenario, EveryCityModemSearchesAndRegistersWithinSeconds) {
  const sim::reconnect_summary& r = outage_.reconnect;
  EXPECT_EQ(r.outages_ended, 1u);
  EXPECT_EQ(r.twins_searching, 300u);  // the village never lost its site
  EXPECT_EQ(r.deferred_penalty, 0u);
  EXPECT_EQ(r.registered + r.gave_up, 300u);
  EXPECT_GE(r.registered, 295u);
  EXPECT_GT(r.registered_after_s_max, 1.0);  // search + random access + attach
  EXPECT_LT(r.registered_after_s_max, 30.0);
  EXPECT_GT(r.registered_after_s_mean, 1.0);
  EXPECT_LT(r.registered_after_s_mean, 5.0);
  // Their modules synced their backlog at once.
  EXPECT_GT(r.syncs_started, 250u);
  EXPECT_EQ(calm_.reconnect.outages_ended, 0u);
  EXPECT_EQ(calm_.reconnect.registered, 0u);
}

TEST_F(ReconnectScenario, TheOutagesEndIsABurstInTheNextIntervalOnly) {
  // Dark while down, and still dark at the 04:00 sample: registration comes seconds after.
  EXPECT_EQ(hour(outage_, 3).dark, 300u);
  EXPECT_EQ(hour(outage_, 4).dark, 300u);
  EXPECT_EQ(hour(outage_, 5).dark, 0u);
  // The burst lands in (04:00, 05:00]: every re-registration, and the syncs right after.
  EXPECT_EQ(hour(outage_, 5).reconnects, outage_.reconnect.registered);
  for (int h : {0, 1, 2, 3, 4, 6}) EXPECT_EQ(hour(outage_, h).reconnects, 0u) << h;
  EXPECT_GT(hour(outage_, 5).attach_attempts, hour(calm_, 5).attach_attempts + 250);
  // Simultaneous attempts on one cell collide; the same hour without the outage does not.
  EXPECT_GT(hour(outage_, 5).access_collisions, 3u);
  EXPECT_GT(hour(outage_, 5).access_collisions, 2 * hour(calm_, 5).access_collisions);
  EXPECT_GE(outage_.reconnect.access_collisions, 1u);
  // While the site is down only the village attaches (city modems find no cell).
  EXPECT_GT(hour(outage_, 3).attach_attempts, 0u);
  EXPECT_LT(hour(outage_, 3).attach_attempts, hour(calm_, 3).attach_attempts / 3);
  for (const auto& p : calm_.network_timeline) EXPECT_EQ(p.reconnects, 0u);
}

TEST_F(ReconnectScenario, NothingIsLostAndTheBacklogArrives) {
  EXPECT_EQ(outage_.notes_lost, 0u);
  EXPECT_EQ(outage_.notes_added,
            outage_.notes_delivered + outage_.notes_in_flight + outage_.notes_lost);
  EXPECT_GT(outage_.latency_max_s, 7200.0);  // Notes of the outage waited for its end
}

TEST_F(ReconnectScenario, PerFleetAndPerRegionAddUpToTheTotals) {
  for (const sim::run_summary* s : {&outage_, &calm_}) {
    ASSERT_EQ(s->per_fleet.size(), 3u);
    ASSERT_EQ(s->per_region.size(), 2u);
    std::uint64_t twins = 0, sessions = 0, failures = 0, collisions = 0, added = 0, delivered = 0;
    for (const auto& [name, f] : s->per_fleet) {
      twins += f.twins;
      sessions += f.group.sessions;
      failures += f.group.session_failures;
      collisions += f.group.access_collisions;
      added += f.group.notes_added;
      delivered += f.group.notes_delivered;
    }
    EXPECT_EQ(twins, s->twins);
    EXPECT_EQ(sessions, s->sessions);
    EXPECT_EQ(failures, s->session_failures);
    EXPECT_EQ(collisions, s->per_rat.at("lte-m").access_collisions);
    EXPECT_EQ(added, s->notes_added);
    EXPECT_EQ(delivered, s->notes_delivered);
    const auto& city = s->per_region.at("city");
    const auto& village = s->per_region.at("village");
    EXPECT_EQ(city.twins, 300u);
    EXPECT_EQ(village.twins, 60u);
    EXPECT_EQ(city.group.sessions + village.group.sessions, s->sessions);
    EXPECT_EQ(city.group.notes_delivered + village.group.notes_delivered, s->notes_delivered);
    EXPECT_EQ(city.group.access_collisions + village.group.access_collisions, collisions);
    EXPECT_EQ(city.group.sessions,
              s->per_fleet.at("city-a").group.sessions + s->per_fleet.at("city-b").group.sessions);
    EXPECT_EQ(city.group.dark_twins + village.group.dark_twins, 0u);  // all back by the end
  }
  // The outage shows where it happened: failures and waiting in the city only.
  const auto& city = outage_.per_region.at("city").group;
  const auto& village = outage_.per_region.at("village").group;
  EXPECT_GT(city.session_failures, 300u);
  EXPECT_EQ(village.session_failures, 0u);
  EXPECT_GT(city.latency_p90_s, village.latency_p90_s);
}

TEST_F(ReconnectScenario, AssertionsAddressFleetsAndRegions) {
  const nlohmann::ordered_json doc = sim::summary_document(outage_);
  auto check = [&](const std::string& expect) {
    scenario::v1::Assertion a;
    a.set_expect(expect);
    auto spec = sim::parse_assertion(a, 0);
    EXPECT_TRUE(spec) << expect;
    return sim::evaluate(*spec, doc);
  };
  // Six hours of hourly syncs: the last hour's Notes are still on the devices at the end.
  EXPECT_TRUE(check("per_fleet[city-a].delivered_ratio > 0.8").passed);
  EXPECT_TRUE(check("per_region[village].session_failures == 0").passed);
  EXPECT_TRUE(check("per_region[city].access_collisions > 0").passed);
  EXPECT_TRUE(check("reconnect.registered >= 295").passed);
  const auto storm = check("network_timeline.reconnects == 0");
  EXPECT_FALSE(storm.passed);  // the 05:00 sample holds the burst
  const auto missing = check("per_region[nowhere].sessions > 0");
  EXPECT_FALSE(missing.passed);
  EXPECT_NE(missing.detail.find("city"), std::string::npos) << missing.detail;
}

// Syncing every 15 minutes, the city modems fail often enough in the outage to be in the
// penalty box when the site returns: the box, which the network's modem owns, holds them back
// (no storm), and each comes back with its own sync at the box's end, never trying inside it.
TEST(ReconnectPenaltyBox, BoxedModemsWaitOutTheBoxInsteadOfStorming) {
  const auto s = run_text(scenario_text(true, "15"), 2, "reconnect-boxed");
  EXPECT_EQ(s.reconnect.twins_searching, 300u);
  EXPECT_EQ(s.reconnect.deferred_penalty, 300u);
  EXPECT_EQ(s.reconnect.registered, 0u);
  EXPECT_EQ(s.reconnect.attach_attempts, 0u);
  for (const auto& p : s.network_timeline) EXPECT_EQ(p.reconnects, 0u);
  EXPECT_EQ(s.penalty_blocked, 0u) << "the modules waited out the modem's box";
  EXPECT_EQ(s.network_timeline.at(4).dark, 300u);
  EXPECT_EQ(s.network_timeline.back().dark, 0u) << "every box ended and its sync succeeded";
  EXPECT_EQ(s.notes_lost, 0u);
}

TEST(ReconnectDeterminism, OneAndTwoThreadsGiveTheSameStorm) {
  const auto one = run_text(scenario_text(true), 1, "reconnect-det-1");
  const auto two = run_text(scenario_text(true), 2, "reconnect-det-2");
  ASSERT_GT(one.reconnect.registered, 0u);
  EXPECT_EQ(simulated_part(one), simulated_part(two));
}

}  // namespace
}  // namespace twelvefold
