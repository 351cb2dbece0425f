#include "twelvefold/sim/wake_calendar.hpp"

#include <gtest/gtest.h>

#include "twelvefold/models/random.hpp"

namespace twelvefold::sim {
namespace {

TEST(WakeCalendar, TakesWindowsInTimeThenTwinOrder) {
  wake_calendar cal(1000, 8);
  cal.schedule({5, 1500});
  cal.schedule({2, 1500});
  cal.schedule({9, 1100});
  cal.schedule({1, 3999});
  ASSERT_EQ(cal.next_window_start_us(), 1000);
  const auto due = cal.take_window(1000);
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].twin, 9u);
  EXPECT_EQ(due[1].twin, 2u);
  EXPECT_EQ(due[2].twin, 5u);
  EXPECT_EQ(cal.next_window_start_us(), 3000);
  EXPECT_EQ(cal.size(), 1u);
}

TEST(WakeCalendar, FarFutureWakesComeBackFromOverflow) {
  wake_calendar cal(1000, 4);  // horizon of 4 windows
  cal.schedule({1, 100'500});
  cal.schedule({2, 2'500});
  EXPECT_EQ(cal.next_window_start_us(), 2000);
  EXPECT_EQ(cal.take_window(2000).size(), 1u);
  EXPECT_EQ(cal.next_window_start_us(), 100'000);
  const auto due = cal.take_window(100'000);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].at_us, 100'500);
  EXPECT_FALSE(cal.next_window_start_us().has_value());
}

TEST(WakeCalendar, PastWakeIsDueInTheCurrentWindow) {
  wake_calendar cal(1000, 8);
  cal.schedule({1, 5'000});
  (void)cal.take_window(5'000);
  cal.schedule({2, 10});  // behind the calendar: runs at the next window
  EXPECT_EQ(cal.next_window_start_us(), 6'000);
}

TEST(WakeCalendar, MatchesASortedReferenceOnRandomLoad) {
  wake_calendar cal(1000, 16);
  models::random_stream rng(11);
  std::vector<actors::wake_entry> all;
  for (std::uint32_t t = 0; t < 5000; ++t) {
    actors::wake_entry e{t, static_cast<std::int64_t>(rng.below(200'000))};
    all.push_back(e);
    cal.schedule(e);
  }
  std::sort(all.begin(), all.end(),
            [](auto& a, auto& b) { return std::tie(a.at_us, a.twin) < std::tie(b.at_us, b.twin); });
  std::vector<actors::wake_entry> taken;
  while (auto start = cal.next_window_start_us()) {
    for (auto& e : cal.take_window(*start)) {
      EXPECT_GE(e.at_us, *start);
      EXPECT_LT(e.at_us, *start + 1000);
      taken.push_back(e);
    }
  }
  ASSERT_EQ(taken.size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(taken[i].twin, all[i].twin);
    EXPECT_EQ(taken[i].at_us, all[i].at_us);
  }
}

}  // namespace
}  // namespace twelvefold::sim
