// The config core (actors/src/cloud/config.hpp): membership, precedence, versions, moves and
// propagation figures; and the health monitor (cloud/health.hpp).
#include "cloud/config.hpp"

#include <gtest/gtest.h>

#include "cloud/config_report.hpp"
#include "cloud/health.hpp"
#include "cloud/logs.hpp"

namespace twelvefold::actors::cloud {
namespace {

fleet_spec make_fleet(std::string name, std::string prefix, std::uint32_t count, twin_index first) {
  fleet_spec f;
  f.name = std::move(name);
  f.serial_prefix = std::move(prefix);
  f.first_twin = first;
  f.twin_count = count;
  return f;
}

// Two fleets of 4 twins ("north" N-, "south" S-) plus empty "beta" (rule) and "retired".
world make_world() {
  world w;
  w.device_models.resize(2);
  w.device_models[0].name = "m0";
  w.device_models[1].name = "m1";
  w.regions.resize(1);
  w.fleets.push_back(make_fleet("north", "N-", 4, 0));
  w.fleets.push_back(make_fleet("south", "S-", 4, 4));
  w.fleets[1].device_model = 1;
  w.fleets.push_back(make_fleet("beta", "B-", 0, 8));
  w.fleets.push_back(make_fleet("retired", "R-", 0, 8));
  w.fleets[3].lifecycle = fleet_lifecycle::decommissioned;
  for (std::uint32_t i = 0; i < 8; ++i) {
    twin_spec t;
    t.fleet = i < 4 ? 0 : 1;
    t.index_in_fleet = i % 4;
    t.boot_us = 0;
    w.twins.push_back(t);
  }
  w.project_env = {{"color", "white"}, {"mode", "p"}};
  w.fleets[0].env = {{"color", "blue"}};
  w.fleets[1].env = {{"color", "green"}};
  return w;
}

TEST(Config, HomeFleetOverProjectAndDeviceOverFleet) {
  world w = make_world();
  w.device_env.push_back({5, {{"color", "gold"}}});
  config_state c(w);
  EXPECT_EQ(c.resolved_env(0).at("color"), "blue");
  EXPECT_EQ(c.resolved_env(0).at("mode"), "p");
  EXPECT_EQ(c.resolved_env(4).at("color"), "green");
  EXPECT_EQ(c.resolved_env(5).at("color"), "gold");
  EXPECT_EQ(c.env_version(0), 1U);
}

TEST(Config, RuleMembershipAndPriorityDecideBetweenFleets) {
  world w = make_world();
  w.fleets[2].rule.present = true;
  w.fleets[2].rule.device_model = 1;  // the south twins
  w.fleets[2].env = {{"color", "red"}};
  w.fleets[2].priority = 1;
  config_state c(w);
  EXPECT_TRUE(c.member_of(4, 2));
  EXPECT_FALSE(c.member_of(0, 2));
  EXPECT_TRUE(c.member_of(4, 1));  // non-exclusive: still in its home fleet
  EXPECT_EQ(c.resolved_env(4).at("color"), "red");
  EXPECT_EQ(c.resolved_env(0).at("color"), "blue");
  // Lower priority: the home fleet wins.
  w.fleets[2].priority = -1;
  config_state lower(w);
  EXPECT_EQ(lower.resolved_env(4).at("color"), "green");
}

TEST(Config, EqualPriorityTheNameSortingFirstWins) {
  world w = make_world();
  w.fleets[2].rule.present = true;
  w.fleets[2].rule.serial_prefix = "S-";
  w.fleets[2].env = {{"color", "red"}};  // "beta" < "south": beta wins at equal priority
  config_state c(w);
  EXPECT_EQ(c.resolved_env(4).at("color"), "red");
  const auto order = c.fleets_of(4);
  ASSERT_EQ(order.size(), 2U);
  EXPECT_EQ(order.back(), 2U);  // applied last = wins
  w.fleets[2].name = "zeta";    // now south sorts first and wins
  config_state renamed(w);
  EXPECT_EQ(renamed.resolved_env(4).at("color"), "green");
}

TEST(Config, ChangesBumpVersionsOfTheirScopeOnly) {
  world w = make_world();
  config_state c(w);
  EXPECT_EQ(c.apply(env_change{env_scope::fleet, 1, 0, "color", "purple", false}, 100), 4U);
  EXPECT_EQ(c.env_version(4), 2U);
  EXPECT_EQ(c.env_version(0), 1U);
  EXPECT_EQ(c.resolved_env(4).at("color"), "purple");
  EXPECT_EQ(c.apply(env_change{env_scope::device, 0, 2, "x", "1", false}, 200), 1U);
  EXPECT_EQ(c.env_version(2), 3U);
  EXPECT_EQ(c.apply(env_change{env_scope::project, 0, 0, "mode", "", true}, 300), 8U);
  EXPECT_FALSE(c.resolved_env(0).contains("mode"));
  EXPECT_EQ(c.env_version(4), 4U);
  const auto rows = c.env_rows();
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.back().scope, "device");
  EXPECT_EQ(rows.back().target, "N-0000003");
  EXPECT_EQ(rows.back().version, 3U);
}

TEST(Config, PropagationPercentilesFollowTheSessions) {
  world w = make_world();
  config_state c(w);
  c.apply(env_change{env_scope::fleet, 1, 0, "color", "purple", false}, 1'000'000);
  // Twins 4..7 get it 10, 20, 30 s later; twin 7 never syncs.
  c.on_env_sent(4, 11'000'000);
  c.on_env_sent(5, 21'000'000);
  c.on_env_sent(6, 31'000'000);
  c.on_env_sent(6, 41'000'000);  // a second send to the same twin does not count again
  c.on_env_sent(0, 5'000'000);   // not targeted
  const change_stats& s = c.changes().front();
  EXPECT_EQ(s.twins_targeted, 4U);
  EXPECT_EQ(s.delays_us.size(), 3U);
  EXPECT_EQ(s.reached_us(50), 20'000'000);  // 2 of 4
  EXPECT_EQ(s.reached_us(75), 30'000'000);  // 3 of 4
  EXPECT_EQ(s.reached_us(90), -1);          // 4 of 4 needed: never
  EXPECT_EQ(s.reached_us(100), -1);
}

TEST(Config, ChangesBetweenTwoSyncsAllArriveAtTheNext) {
  world w = make_world();
  config_state c(w);
  c.apply(env_change{env_scope::project, 0, 0, "a", "1", false}, 0);
  c.apply(env_change{env_scope::fleet, 0, 0, "b", "2", false}, 5);
  c.on_env_sent(0, 10);
  EXPECT_EQ(c.changes()[0].delays_us, std::vector<std::int64_t>{10});
  EXPECT_EQ(c.changes()[1].delays_us, std::vector<std::int64_t>{5});
}

TEST(Config, MovesChangeHomeFleetRulesAndLifecycle) {
  world w = make_world();
  w.fleets[2].rule.present = true;
  w.fleets[2].rule.home_fleet = 0;  // beta: whoever lives in north
  config_state c(w);
  EXPECT_TRUE(c.member_of(1, 2));
  std::vector<cloud_event> events;
  EXPECT_EQ(c.apply(fleet_move{0, 1, {1, 2}}, 50, events), 2U);
  EXPECT_EQ(c.home_fleet(1), 1U);
  EXPECT_FALSE(c.member_of(1, 2));  // the rule no longer matches
  EXPECT_EQ(c.resolved_env(1).at("color"), "green");
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].kind, "fleet.move");
  EXPECT_NE(events[0].body.find("\"to\":\"south\""), std::string::npos);
  EXPECT_EQ(c.changes().back().twins_targeted, 2U);
  // Decommissioned twins are not waited for.
  EXPECT_EQ(c.apply(fleet_move{1, 3, {1, 4}}, 60, events), 2U);
  EXPECT_TRUE(c.decommissioned(1));
  EXPECT_EQ(c.changes().back().twins_targeted, 0U);
  EXPECT_EQ(c.changes().back().reached_us(50), -1);
  EXPECT_EQ(c.apply(env_change{env_scope::project, 0, 0, "z", "1", false}, 70), 6U);
  // Moving a twin to the fleet it is in is not a move.
  EXPECT_EQ(c.apply(fleet_move{-1, 3, {1}}, 80, events), 0U);
  EXPECT_EQ(c.twins_moved(), 4U);
}

TEST(Config, StoreRowsFirstAllThenMovedTwins) {
  world w = make_world();
  w.fleets[2].rule.present = true;
  w.fleets[2].rule.serial_prefix = "N-000000";
  config_state c(w);
  config_rows first = c.take_store_rows();
  EXPECT_TRUE(first.all_memberships);
  EXPECT_EQ(first.fleets.size(), 4U);
  EXPECT_EQ(first.fleets[2].rule, "{\"serial_prefix\":\"N-000000\"}");
  EXPECT_EQ(first.memberships.size(), 8U + 4U);
  EXPECT_TRUE(c.take_store_rows().fleets.empty());  // nothing changed
  std::vector<cloud_event> events;
  c.apply(fleet_move{1, 0, {5}}, 9, events);
  c.apply(fleet_move{0, 3, {5}}, 10, events);
  config_rows next = c.take_store_rows();
  EXPECT_FALSE(next.all_memberships);
  EXPECT_EQ(next.membership_serials, std::vector<std::string>{"S-0000002"});
  ASSERT_EQ(next.memberships.size(), 1U);
  EXPECT_EQ(next.memberships[0].fleet, "retired");
  EXPECT_EQ(next.memberships[0].since_us, 10);
  EXPECT_EQ(next.fleets[3].twins, 1U);
}

TEST(Config, NamesParse) {
  fleet_lifecycle stage{};
  EXPECT_TRUE(parse_lifecycle("repair", stage));
  EXPECT_EQ(stage, fleet_lifecycle::repair);
  EXPECT_FALSE(parse_lifecycle("broken", stage));
  env_scope scope{};
  EXPECT_TRUE(parse_env_scope("device", scope));
  EXPECT_FALSE(parse_env_scope("planet", scope));
}

TEST(Config, ReportShowsNullForNeverReached) {
  world w = make_world();
  config_state c(w);
  health_monitor h(w);
  log_totals logs;
  c.apply(env_change{env_scope::fleet, 1, 0, "color", "x", false}, 0);
  c.on_env_sent(4, 2'000'000);
  const std::string j = config_report_json(c, h, logs, 3);
  EXPECT_NE(j.find("\"reached_50_s\":null"), std::string::npos);
  EXPECT_NE(j.find("\"twins_reached\":1"), std::string::npos);
  EXPECT_NE(j.find("\"sessions_refused_decommissioned\":3"), std::string::npos);
}

TEST(Health, SilentOnceThenRecovered) {
  world w = make_world();
  w.fleets[0].watchdog_us = 100;
  config_state c(w);
  health_monitor h(w);
  ASSERT_TRUE(h.enabled());
  std::vector<std::int64_t> seen(8, -1);
  seen[0] = 50;
  std::vector<cloud_event> events;
  auto last = [&](twin_index t) { return seen[t]; };
  h.sweep(100, c, last, events);  // twins 1..3 booted at 0: exactly 100, not longer
  EXPECT_TRUE(events.empty());
  h.sweep(151, c, last, events);  // everyone in north is past the watchdog; south has none
  EXPECT_EQ(events.size(), 4U);
  h.sweep(500, c, last, events);  // raised once
  EXPECT_EQ(h.silent_events(), 4U);
  EXPECT_EQ(events[0].kind, "health.silent");
  h.on_seen(0, 600, events);
  h.on_seen(4, 600, events);  // never silent: nothing
  EXPECT_EQ(h.recovered_events(), 1U);
  EXPECT_EQ(events.back().kind, "health.recovered");
  EXPECT_EQ(h.silent_now(), 3U);
  // Decommissioned twins are not watched.
  std::vector<cloud_event> moved;
  c.apply(fleet_move{0, 3, {0}}, 700, moved);
  seen[0] = 600;
  h.sweep(10'000, c, last, events);
  EXPECT_EQ(h.silent_events(), 4U);
}

TEST(Health, DisabledWithoutWatchdogs) {
  world w = make_world();
  health_monitor h(w);
  EXPECT_FALSE(h.enabled());
  config_state c(w);
  std::vector<cloud_event> events;
  h.sweep(
      1'000'000'000, c, [](twin_index) { return std::int64_t{-1}; }, events);
  EXPECT_TRUE(events.empty());
}

TEST(World, TwinOfSerialFindsOnlyRealTwins) {
  world w = make_world();
  EXPECT_EQ(w.twin_of_serial("N-0000001"), 0U);
  EXPECT_EQ(w.twin_of_serial("S-0000004"), 7U);
  EXPECT_FALSE(w.twin_of_serial("S-0000005"));
  EXPECT_FALSE(w.twin_of_serial("S-0000000"));
  EXPECT_FALSE(w.twin_of_serial("S-00000a1"));
  EXPECT_FALSE(w.twin_of_serial("X-0000001"));
}

}  // namespace
}  // namespace twelvefold::actors::cloud
