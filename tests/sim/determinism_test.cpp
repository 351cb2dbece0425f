// Same scenario, same seed: identical results with 1 and 2 worker threads, and run to run.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run_helpers.hpp"
#include "twelvefold/sim/summary.hpp"

namespace twelvefold {
namespace {

// The summary without the fields that describe the machine rather than the simulation.
nlohmann::json simulated_part(const sim::run_summary& s) {
  auto j = nlohmann::json::parse(sim::summary_json(s));
  for (const char* key : {"wall_seconds", "threads", "activations_per_wall_second"}) j.erase(key);
  return j;
}

TEST(Determinism, OneAndTwoThreadsGiveIdenticalSummaryAndTwins) {
  sim::world_overrides o;
  o.twin_scale = 0.05;
  o.duration_us = 6LL * 3600 * 1'000'000;
  const auto world = test::shipped_world("quickstart", o);
  const auto out1 = test::fresh_dir("det-1");
  const auto out2 = test::fresh_dir("det-2");
  const auto out3 = test::fresh_dir("det-2-again");
  const auto one = test::run_ok(world, 1, out1);
  const auto two = test::run_ok(world, 2, out2);
  const auto again = test::run_ok(world, 2, out3);
  ASSERT_GT(one.sessions, 0u);
  EXPECT_EQ(simulated_part(one), simulated_part(two));
  EXPECT_EQ(simulated_part(two), simulated_part(again));
  const auto rows1 = test::dump_twins(out1 / "twins.sqlite");
  ASSERT_EQ(rows1.size(), 50u);
  EXPECT_EQ(rows1, test::dump_twins(out2 / "twins.sqlite"));
  EXPECT_EQ(rows1, test::dump_twins(out3 / "twins.sqlite"));
}

TEST(Determinism, ADifferentSeedGivesADifferentRun) {
  sim::world_overrides o;
  o.twin_scale = 0.05;
  o.duration_us = 3LL * 3600 * 1'000'000;
  const auto a = test::run_ok(test::shipped_world("quickstart", o), 1, test::fresh_dir("seed-a"));
  o.seed = 12345;
  const auto b = test::run_ok(test::shipped_world("quickstart", o), 1, test::fresh_dir("seed-b"));
  EXPECT_NE(simulated_part(a), simulated_part(b));
}

}  // namespace
}  // namespace twelvefold
