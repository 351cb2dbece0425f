// Logs (actors/src/cloud/logs.hpp): levels, cadence, the bounded per-twin buffer.
#include "cloud/logs.hpp"

#include <gtest/gtest.h>

namespace twelvefold::actors::cloud {
namespace {

TEST(Logs, LevelsAndCadenceParse) {
  EXPECT_EQ(parse_log_level("error"), log_error);
  EXPECT_EQ(parse_log_level("debug"), log_debug);
  EXPECT_EQ(parse_log_level("off"), 0);
  EXPECT_FALSE(parse_log_level("verbose"));
  EXPECT_EQ(log_level_name(log_info), "info");
  EXPECT_EQ(parse_log_cadence_us("session"), 0);
  EXPECT_EQ(parse_log_cadence_us("6h"), 6 * 3'600'000'000LL);
  EXPECT_EQ(parse_log_cadence_us("1h30m"), 90 * 60'000'000LL);
  EXPECT_FALSE(parse_log_cadence_us("6"));
  EXPECT_FALSE(parse_log_cadence_us("6x"));
  EXPECT_FALSE(parse_log_cadence_us(""));
}

TEST(Logs, LinesBelowTheLevelAreNotKept) {
  log_buffer b;
  b.add(1, 0, log_debug, log_warn, "debug");
  b.add(1, 0, log_info, log_warn, "info");
  EXPECT_FALSE(b.has_lines(1));  // an idle twin holds nothing
  b.add(1, 0, log_error, log_warn, "error");
  b.add(1, 0, log_warn, log_warn, "warn");
  b.add(1, 0, log_error, 0, "off");  // "off": nothing passes
  std::uint32_t dropped = 9;
  auto lines = b.take(1, 10, 0, dropped);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0]->text, "error");
  EXPECT_EQ(dropped, 0U);
}

TEST(Logs, BufferIsBoundedAndDropsAreReportedOnce) {
  log_buffer b;
  for (int i = 0; i < 40; ++i) b.add(7, i, log_error, log_debug, std::string(300, 'x'));
  EXPECT_EQ(b.lines_dropped(), 40U - log_buffer::max_lines_per_twin);
  std::uint32_t dropped = 0;
  auto lines = b.take(7, 100, 0, dropped);
  EXPECT_EQ(lines.size(), log_buffer::max_lines_per_twin);
  EXPECT_EQ(lines[0]->text.size(), log_buffer::max_text_bytes);
  EXPECT_EQ(dropped, 8U);
  b.settle(7, true);
  EXPECT_FALSE(b.has_lines(7));  // memory released
  EXPECT_EQ(b.twins_pending(), 0U);
}

TEST(Logs, FailedSessionKeepsLinesForTheNext) {
  log_buffer b;
  b.add(2, 0, log_error, log_warn, "a");
  std::uint32_t dropped = 0;
  EXPECT_EQ(b.take(2, 1, 0, dropped).size(), 1U);
  b.add(2, 2, log_error, log_warn, "b");  // logged while the session runs
  b.settle(2, false);
  EXPECT_EQ(b.take(2, 3, 0, dropped).size(), 2U);
  b.settle(2, true);
  EXPECT_FALSE(b.has_lines(2));
}

TEST(Logs, LinesAddedDuringASuccessfulSessionStay) {
  log_buffer b;
  b.add(2, 0, log_error, log_warn, "a");
  std::uint32_t dropped = 0;
  EXPECT_EQ(b.take(2, 1, 0, dropped).size(), 1U);
  b.add(2, 2, log_error, log_warn, "b");
  b.settle(2, true);
  auto lines = b.take(2, 3, 0, dropped);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0]->text, "b");
}

TEST(Logs, CadenceHoldsLinesUntilTheOldestHasWaited) {
  log_buffer b;
  b.add(3, 1'000, log_error, log_warn, "a");
  std::uint32_t dropped = 0;
  EXPECT_TRUE(b.take(3, 5'000, 10'000, dropped).empty());
  b.settle(3, true);
  EXPECT_TRUE(b.has_lines(3));  // nothing was in flight
  EXPECT_EQ(b.take(3, 11'000, 10'000, dropped).size(), 1U);
}

TEST(Logs, TotalsCountByLevelAndMakeEvents) {
  log_totals t;
  std::vector<cloud_event> events;
  t.record(4, 3'000'099, 3, log_warn, "disk \"full\"", 20, events);
  t.record(4, 100, 0, log_debug, "x", 5, events);
  EXPECT_EQ(t.lines_uploaded, 2U);
  EXPECT_EQ(t.bytes_uploaded, 25U);
  EXPECT_EQ(t.by_level[log_warn], 1U);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].kind, "log");
  EXPECT_EQ(events[0].at_us, 99);
  EXPECT_EQ(events[0].body, R"({"level":"warn","text":"disk \"full\"","age_s":3})");
}

TEST(Logs, HubLogNotesJoinTheStream) {
  log_totals t;
  std::vector<cloud_event> events;
  t.record_hub_log(1, 5, 0, R"({"text":"battery low","alert":true})", 30, events);
  t.record_hub_log(1, 6, 0, R"({"text":"hello"})", 20, events);
  t.record_hub_log(1, 7, 0, "not json", 8, events);
  EXPECT_EQ(t.hub_log_lines, 3U);
  EXPECT_EQ(t.lines_uploaded, 3U);
  EXPECT_EQ(t.by_level[log_error], 1U);
  EXPECT_EQ(t.by_level[log_info], 2U);
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].body, R"({"level":"error","text":"battery low","age_s":0})");
  EXPECT_EQ(events[2].body, R"({"level":"info","text":"not json","age_s":0})");
}

}  // namespace
}  // namespace twelvefold::actors::cloud
