#include "twelvefold/models/modem.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace twelvefold::models {
namespace {

constexpr std::int64_t minute_us = 60LL * 1'000'000;

links_by_rat links_with(std::initializer_list<rat> covered) {
  links_by_rat links{};
  for (rat r : covered) links[static_cast<std::size_t>(r)].coverage = coverage_class::normal;
  return links;
}

TEST(PenaltyBox, NotecardDefaults) {
  const penalty_params p;
  EXPECT_EQ(p.failures_before_penalty, 4);
  EXPECT_EQ(penalty_duration_us(p, 0), 15 * minute_us);
  EXPECT_EQ(penalty_duration_us(p, 1), static_cast<std::int64_t>(33.75 * minute_us));
  EXPECT_EQ(penalty_duration_us(p, 2), static_cast<std::int64_t>((15 * 1.5625 + 30) * minute_us));
  EXPECT_EQ(penalty_duration_us(p, 40), 4320 * minute_us);  // capped at 3 days
  EXPECT_EQ(penalty_duration_us(p, 100000), 4320 * minute_us);
}

TEST(PenaltyBox, EnteredAfterFourFailuresAndGrows) {
  const penalty_params p;
  modem_state s;
  std::int64_t now = 0;
  for (int i = 0; i < 3; ++i) {
    record_outcome(s, false, now, p);
    EXPECT_FALSE(in_penalty_box(s, now));
  }
  record_outcome(s, false, now, p);
  EXPECT_TRUE(in_penalty_box(s, now));
  EXPECT_EQ(s.penalty_until_us, 15 * minute_us);
  EXPECT_FALSE(in_penalty_box(s, 15 * minute_us));
  // The retry after the box fails: straight back in, for longer.
  now = 15 * minute_us;
  record_outcome(s, false, now, p);
  EXPECT_EQ(s.penalty_until_us, now + static_cast<std::int64_t>(33.75 * minute_us));
  // A success clears everything.
  record_outcome(s, true, now, p);
  EXPECT_EQ(s.consecutive_failures, 0);
  EXPECT_EQ(s.penalties, 0);
  EXPECT_TRUE(s.attached);
}

TEST(Modem, FirstChoiceIsTheMostPreferredWithCoverage) {
  const penalty_params p;
  modem_state s;
  rat chosen{};
  const std::vector<rat> prefs = {rat::lte_m, rat::nb_iot, rat::gprs};
  ASSERT_TRUE(choose_rat(s, prefs, links_with({rat::nb_iot, rat::gprs}), 0, p, chosen));
  EXPECT_EQ(chosen, rat::nb_iot);
  EXPECT_EQ(s.fallbacks, 0u);  // the first choice is not a fallback
  EXPECT_FALSE(choose_rat(s, prefs, links_with({rat::wifi}), 0, p, chosen));
  EXPECT_EQ(s.current, rat::nb_iot);  // state left alone
}

TEST(Modem, FallsBackAfterFailuresAndReturns) {
  const penalty_params p;
  modem_state s;
  rat chosen{};
  const std::vector<rat> prefs = {rat::lte_m, rat::ntn};
  const links_by_rat both = links_with({rat::lte_m, rat::ntn});
  ASSERT_TRUE(choose_rat(s, prefs, both, 0, p, chosen));
  EXPECT_EQ(chosen, rat::lte_m);
  record_outcome(s, false, 0, p);
  ASSERT_TRUE(choose_rat(s, prefs, both, minute_us, p, chosen));
  EXPECT_EQ(chosen, rat::lte_m);  // one failure: stay
  record_outcome(s, false, minute_us, p);
  ASSERT_TRUE(choose_rat(s, prefs, both, 2 * minute_us, p, chosen));
  EXPECT_EQ(chosen, rat::ntn);  // two: fall back (Notecard: cellular -> satellite)
  EXPECT_EQ(s.fallbacks, 1u);
  EXPECT_EQ(s.consecutive_failures, 0);
  record_outcome(s, true, 2 * minute_us, p);
  ASSERT_TRUE(choose_rat(s, prefs, both, 30 * minute_us, p, chosen));
  EXPECT_EQ(chosen, rat::ntn);  // not yet time to try the preferred RAT again
  ASSERT_TRUE(choose_rat(s, prefs, both, 63 * minute_us, p, chosen));
  EXPECT_EQ(chosen, rat::lte_m);  // an hour after falling back
  EXPECT_EQ(s.returns, 1u);
}

TEST(Modem, LosingCoverageMovesDownAndGainingItDoesNotJumpBack) {
  const penalty_params p;
  modem_state s;
  rat chosen{};
  const std::vector<rat> prefs = {rat::lte_m, rat::gprs, rat::lorawan};
  ASSERT_TRUE(
      choose_rat(s, prefs, links_with({rat::lte_m, rat::gprs, rat::lorawan}), 0, p, chosen));
  // A sunset: LTE-M goes away.
  ASSERT_TRUE(choose_rat(s, prefs, links_with({rat::gprs, rat::lorawan}), minute_us, p, chosen));
  EXPECT_EQ(chosen, rat::gprs);
  ASSERT_TRUE(choose_rat(s, prefs, links_with({rat::lorawan}), 2 * minute_us, p, chosen));
  EXPECT_EQ(chosen, rat::lorawan);
  EXPECT_EQ(s.fallbacks, 2u);
  // LTE-M is back; the modem stays until its return timer fires.
  ASSERT_TRUE(
      choose_rat(s, prefs, links_with({rat::lte_m, rat::lorawan}), 3 * minute_us, p, chosen));
  EXPECT_EQ(chosen, rat::lorawan);
  ASSERT_TRUE(
      choose_rat(s, prefs, links_with({rat::lte_m, rat::lorawan}), 70 * minute_us, p, chosen));
  EXPECT_EQ(chosen, rat::lte_m);
}

TEST(Modem, NoFallbackLeadsToThePenaltyBox) {
  const penalty_params p;
  modem_state s;
  rat chosen{};
  const std::vector<rat> prefs = {rat::lte_m};
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(choose_rat(s, prefs, links_with({rat::lte_m}), i * minute_us, p, chosen));
    EXPECT_EQ(chosen, rat::lte_m);
    record_outcome(s, false, i * minute_us, p);
  }
  EXPECT_TRUE(in_penalty_box(s, 3 * minute_us + 1));
}

}  // namespace
}  // namespace twelvefold::models
