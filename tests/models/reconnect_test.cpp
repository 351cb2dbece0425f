// Reconnect timing after coverage returns (models/reconnect.hpp), and the storm it makes at a
// cell's random access (contention.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "twelvefold/models/contention.hpp"
#include "twelvefold/models/reconnect.hpp"

namespace twelvefold::models {
namespace {

constexpr std::int64_t back_us = 3'600'000'000;  // coverage returns one hour in

TEST(Reconnect, FirstAttemptFallsWithinOneSearchCycleAndACellSearch) {
  const reconnect_params p;
  for (std::uint64_t twin = 0; twin < 2000; ++twin) {
    random_stream rng(7, twin, stream_purpose::reconnect);
    const std::int64_t at = reconnect_attempt_us(p, back_us, 0, rng);
    EXPECT_GE(at, back_us + p.cell_search_min_us);
    EXPECT_LT(at, back_us + reconnect_window_us(p));
  }
}

TEST(Reconnect, FirstAttemptsSpreadUniformlyOverTheCycle) {
  const reconnect_params p;
  double sum_s = 0;
  std::int64_t first = back_us + reconnect_window_us(p);
  std::int64_t last = back_us;
  constexpr int n = 20000;
  for (int twin = 0; twin < n; ++twin) {
    random_stream rng(3, static_cast<std::uint64_t>(twin), stream_purpose::reconnect);
    const std::int64_t at = reconnect_attempt_us(p, back_us, 0, rng);
    sum_s += static_cast<double>(at - back_us) / 1e6;
    first = std::min(first, at);
    last = std::max(last, at);
  }
  // Mean: half a cycle plus the mean cell search (1.28 + 0.6 s).
  const double expected_s = (static_cast<double>(p.search_period_us) / 2 +
                             static_cast<double>(p.cell_search_min_us + p.cell_search_max_us) / 2) /
                            1e6;
  EXPECT_NEAR(sum_s / n, expected_s, 0.03);
  // The whole window is used: nobody waits for a later cycle, everyone is spread over it.
  EXPECT_LT(first - back_us, p.cell_search_min_us + 50'000);
  EXPECT_GT(last - back_us, reconnect_window_us(p) - 100'000);
}

TEST(Reconnect, RetryRoundsWaitAWholeCycle) {
  const reconnect_params p;
  random_stream rng(1, 42, stream_purpose::reconnect);
  for (int round = 1; round < 4; ++round) {
    const std::int64_t at = reconnect_attempt_us(p, back_us, round, rng);
    EXPECT_GE(at, back_us + p.search_period_us + p.cell_search_min_us);
    EXPECT_LE(at, back_us + p.search_period_us + p.cell_search_max_us);
  }
}

TEST(Reconnect, SameStreamSameInstantDifferentTwinsDiffer) {
  const reconnect_params p;
  random_stream a(9, 5, stream_purpose::reconnect);
  random_stream b(9, 5, stream_purpose::reconnect);
  random_stream c(9, 6, stream_purpose::reconnect);
  const std::int64_t ta = reconnect_attempt_us(p, back_us, 0, a);
  EXPECT_EQ(ta, reconnect_attempt_us(p, back_us, 0, b));
  EXPECT_NE(ta, reconnect_attempt_us(p, back_us, 0, c));
}

TEST(Reconnect, DegenerateParametersStayOrdered) {
  reconnect_params p;
  p.search_period_us = -5;  // nonsense in: no search wait, never before the return
  p.cell_search_min_us = 300;
  p.cell_search_max_us = 100;  // max below min: min wins
  random_stream rng(1, 1, stream_purpose::reconnect);
  EXPECT_EQ(reconnect_attempt_us(p, back_us, 0, rng), back_us + 300);
  EXPECT_EQ(reconnect_attempt_us(p, back_us, 2, rng), back_us + 300);
}

// Counts preamble collisions of `n` devices attaching to one cell at `instants`.
int collisions_of(const std::vector<std::int64_t>& instants, std::uint64_t seed) {
  std::vector<rach_attempt> attempts;
  std::vector<random_stream> streams;
  streams.reserve(instants.size());
  for (std::size_t i = 0; i < instants.size(); ++i) {
    attempts.push_back({static_cast<std::uint32_t>(i), 1, instants[i]});
    streams.emplace_back(seed, i, stream_purpose::session);
  }
  std::vector<std::size_t> order(attempts.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return attempts[a].start_us < attempts[b].start_us ||
           (attempts[a].start_us == attempts[b].start_us && a < b);
  });
  std::vector<rach_attempt> sorted;
  std::vector<random_stream*> rngs;
  for (std::size_t i : order) {
    sorted.push_back(attempts[i]);
    rngs.push_back(&streams[i]);
  }
  int collisions = 0;
  for (const rach_result& r : resolve_rach(sorted, rngs, rach_params{})) {
    collisions += r.attempts - 1;
  }
  return collisions;
}

TEST(Reconnect, ACellFullOfSearchingModemsCollidesWhereTheSameTrafficSpreadDoesNot) {
  const reconnect_params p;
  constexpr int n = 600;
  std::vector<std::int64_t> storm;
  std::vector<std::int64_t> spread;
  for (int twin = 0; twin < n; ++twin) {
    random_stream rng(11, static_cast<std::uint64_t>(twin), stream_purpose::reconnect);
    storm.push_back(reconnect_attempt_us(p, back_us, 0, rng));
    // The same modems on their own schedules: one attach each over an hour.
    spread.push_back(back_us + static_cast<std::int64_t>(rng.uniform() * 3.6e9));
  }
  const int in_storm = collisions_of(storm, 2);
  const int when_spread = collisions_of(spread, 2);
  // ~2 devices per 10 ms opportunity at 54 preambles: a few percent collide.
  EXPECT_GT(in_storm, 5);
  EXPECT_LE(when_spread, 1);
}

}  // namespace
}  // namespace twelvefold::models
