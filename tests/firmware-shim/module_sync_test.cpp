// module: outbound queues and the sync interface (begin_sync / end_sync), with the accounting
// invariant every Note must satisfy: added == delivered + pending + in_session + dropped.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {
namespace {

constexpr std::int64_t minute_us = 60'000'000;

void add(module& m, const std::string& file, int value, std::int64_t now_us = 0) {
  const std::string response = m.request(
      R"({"req":"note.add","file":")" + file + R"(","body":{"v":)" + std::to_string(value) + "}}",
      now_us);
  ASSERT_EQ(response.find("err"), std::string::npos) << response;
}

std::vector<std::uint64_t> seqs(const std::vector<outbound_note>& notes) {
  std::vector<std::uint64_t> out;
  for (const auto& n : notes) out.push_back(n.seq);
  return out;
}

void expect_accounted(const module& m) {
  const auto& c = m.counters();
  EXPECT_EQ(c.notes_added,
            c.notes_delivered + m.notes_pending() + m.notes_in_session() + c.notes_dropped);
}

sync_downlink acked_through(std::uint64_t seq) {
  sync_downlink down;
  down.utc_us = 1'700'000'000'000'000;
  down.acked_through_seq = seq;
  return down;
}

TEST(ModuleSync, BeginTakesTheOldestNotesAcrossFilesInSeqOrder) {
  module m(module_limits{.max_notes_per_sync = 4});
  add(m, "a.qo", 1);   // seq 1
  add(m, "b.qo", 2);   // seq 2
  add(m, "a.qo", 3);   // seq 3
  add(m, "c.qos", 4);  // seq 4
  add(m, "b.qo", 5);   // seq 5
  m.request(R"({"req":"hub.sync"})", 0);
  ASSERT_TRUE(m.sync_wanted(0));
  const auto notes = m.begin_sync(0);
  EXPECT_EQ(seqs(notes), (std::vector<std::uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(notes[1].file, "b.qo");
  EXPECT_EQ(notes[1].body_json, R"({"v":2})");
  EXPECT_TRUE(m.sync_open());
  EXPECT_EQ(m.notes_in_session(), 4u);
  EXPECT_EQ(m.notes_pending(), 1u);
  EXPECT_FALSE(m.sync_wanted(0)) << "no second session while one is open";
  EXPECT_TRUE(m.begin_sync(0).empty());
  expect_accounted(m);
}

TEST(ModuleSync, FailurePutsNotesBackAtTheFrontInOrder) {
  module m(module_limits{.max_notes_per_sync = 3});
  for (int i = 1; i <= 5; ++i) add(m, i % 2 ? "odd.qo" : "even.qo", i);
  m.request(R"({"req":"hub.sync"})", 0);
  const auto first = m.begin_sync(0);
  EXPECT_EQ(seqs(first), (std::vector<std::uint64_t>{1, 2, 3}));
  add(m, "odd.qo", 6);  // seq 6 arrives during the session
  m.end_sync(minute_us, nullptr);
  EXPECT_FALSE(m.sync_open());
  EXPECT_EQ(m.notes_pending(), 6u);
  EXPECT_EQ(m.counters().notes_delivered, 0u);
  expect_accounted(m);

  m.request(R"({"req":"hub.sync"})", 2 * minute_us);
  const auto retry = m.begin_sync(2 * minute_us);
  EXPECT_EQ(seqs(retry), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(retry[0].body_json, first[0].body_json) << "untouched";
  m.end_sync(3 * minute_us, nullptr);
  expect_accounted(m);
}

TEST(ModuleSync, SuccessRemovesAcknowledgedNotesAndRequeuesTheRest) {
  module m;
  for (int i = 1; i <= 5; ++i) add(m, "data.qo", i);
  m.request(R"({"req":"hub.sync"})", 0);
  ASSERT_EQ(m.begin_sync(0).size(), 5u);
  const auto down = acked_through(3);
  m.end_sync(minute_us, &down);
  EXPECT_EQ(m.counters().notes_delivered, 3u);
  EXPECT_EQ(m.notes_pending(), 2u);
  EXPECT_EQ(m.notes_not_stored(3), 2u);
  expect_accounted(m);
  m.request(R"({"req":"hub.sync"})", minute_us);
  EXPECT_EQ(seqs(m.begin_sync(minute_us)), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(m.notes_not_stored(3), 2u) << "in-session notes count as not stored";
  EXPECT_EQ(m.notes_not_stored(4), 1u);
  const auto all = acked_through(5);
  m.end_sync(2 * minute_us, &all);
  EXPECT_EQ(m.counters().notes_delivered, 5u);
  EXPECT_EQ(m.notes_not_stored(5), 0u);
  expect_accounted(m);
}

TEST(ModuleSync, OverflowDropsTheOldestNoteOfThatFile) {
  module m(module_limits{.max_queued_notes = 5});
  for (int i = 1; i <= 12; ++i) add(m, "data.qo", i);
  add(m, "other.qo", 99);  // other files have their own limit
  EXPECT_EQ(m.counters().notes_added, 13u);
  EXPECT_EQ(m.counters().notes_dropped, 7u);
  EXPECT_EQ(m.notes_pending(), 6u);
  m.request(R"({"req":"hub.sync"})", 0);
  EXPECT_EQ(seqs(m.begin_sync(0)), (std::vector<std::uint64_t>{8, 9, 10, 11, 12, 13}));
  expect_accounted(m);
}

TEST(ModuleSync, NoteAddReportsTheQueueLengthAfterOverflow) {
  module m(module_limits{.max_queued_notes = 2});
  m.request(R"({"req":"note.add","body":{}})", 0);
  m.request(R"({"req":"note.add","body":{}})", 0);
  EXPECT_EQ(m.request(R"({"req":"note.add","body":{}})", 0), R"({"total":2})");
}

TEST(ModuleSync, AccountingHoldsThroughOverflowFailuresAndPartialAcks) {
  module m(module_limits{.max_queued_notes = 7, .max_notes_per_sync = 4});
  std::uint64_t acked = 0;
  for (int round = 0; round < 200; ++round) {
    const std::int64_t now = round * minute_us;
    for (int i = 0; i < round % 5; ++i) add(m, round % 3 ? "a.qo" : "b.qos", i, now);
    if (round % 2 == 0 && !m.sync_open()) {
      m.request(R"({"req":"hub.sync"})", now);
      const auto notes = m.begin_sync(now);
      if (!notes.empty()) acked = notes[notes.size() / 2].seq;  // partial acknowledgement
    } else if (m.sync_open()) {
      if (round % 7 == 1) {
        m.end_sync(now, nullptr);
      } else {
        const auto down = acked_through(acked);
        m.end_sync(now, &down);
      }
    }
    expect_accounted(m);
  }
  EXPECT_GT(m.counters().notes_dropped, 0u);
  EXPECT_GT(m.counters().notes_delivered, 0u);
}

TEST(ModuleSync, RequeueAfterFailureStillEnforcesTheQueueLimit) {
  module m(module_limits{.max_queued_notes = 3});
  for (int i = 1; i <= 3; ++i) add(m, "data.qo", i);
  m.request(R"({"req":"hub.sync"})", 0);
  ASSERT_EQ(m.begin_sync(0).size(), 3u);
  for (int i = 4; i <= 6; ++i) add(m, "data.qo", i);  // the queue fills again meanwhile
  m.end_sync(0, nullptr);
  EXPECT_EQ(m.notes_pending(), 3u);
  EXPECT_EQ(m.counters().notes_dropped, 3u);
  m.request(R"({"req":"hub.sync"})", 0);
  EXPECT_EQ(seqs(m.begin_sync(0)), (std::vector<std::uint64_t>{4, 5, 6}));
  expect_accounted(m);
}

TEST(ModuleSync, SyncWantedFollowsModeIntervalAndRequests) {
  module m;
  EXPECT_FALSE(m.sync_wanted(10 * 60 * minute_us)) << "nothing pending, nothing requested";
  add(m, "data.qo", 1);
  EXPECT_TRUE(m.sync_wanted(60 * minute_us)) << "default outbound: 60 minutes";
  EXPECT_FALSE(m.sync_wanted(59 * minute_us));

  m.begin_sync(60 * minute_us);
  m.end_sync(61 * minute_us, nullptr);
  EXPECT_FALSE(m.sync_wanted(100 * minute_us)) << "interval counts from the last attempt";
  EXPECT_TRUE(m.sync_wanted(120 * minute_us));

  m.request(R"({"req":"hub.set","mode":"minimum"})", 0);
  EXPECT_FALSE(m.sync_wanted(500 * minute_us)) << "minimum: only explicit syncs";
  m.request(R"({"req":"hub.sync"})", 0);
  EXPECT_TRUE(m.sync_wanted(0));
  m.request(R"({"req":"hub.set","mode":"off"})", 0);
  EXPECT_FALSE(m.sync_wanted(0)) << "off: never";
  m.request(R"({"req":"hub.set","mode":"dfu"})", 0);
  EXPECT_FALSE(m.sync_wanted(0));
  m.request(R"({"req":"hub.set","mode":"continuous"})", 0);
  EXPECT_TRUE(m.sync_wanted(0));
}

TEST(ModuleSync, BeginClearsTheRequestEvenIfTheSessionFails) {
  module m;
  m.request(R"({"req":"hub.sync"})", 0);
  m.begin_sync(0);
  m.end_sync(0, nullptr);
  EXPECT_FALSE(m.sync_wanted(0)) << "a failed session is retried on the interval, not at once";
}

TEST(ModuleSync, EndWithoutASessionIsIgnored) {
  module m;
  add(m, "data.qo", 1);
  const auto down = acked_through(1);
  m.end_sync(0, &down);
  EXPECT_EQ(m.counters().notes_delivered, 0u);
  EXPECT_EQ(m.notes_pending(), 1u);
  EXPECT_FALSE(m.time_known());
}

TEST(ModuleSync, EmptySessionStillBringsTimeAndEnvironment) {
  module m;
  m.request(R"({"req":"hub.sync"})", 0);
  EXPECT_TRUE(m.begin_sync(0).empty());
  EXPECT_TRUE(m.sync_open());
  sync_downlink down = acked_through(0);
  down.env = {{"sample_mins", "5"}};
  m.end_sync(0, &down);
  EXPECT_TRUE(m.time_known());
  EXPECT_EQ(m.env_value("sample_mins"), "5");
}

}  // namespace
}  // namespace twelvefold::shim
