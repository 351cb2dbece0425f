// module::sync_after_reconnect: a module whose last session failed and that holds outbound data
// syncs as soon as its modem registers again; otherwise nothing changes.
#include <gtest/gtest.h>

#include <string>

#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {
namespace {

constexpr std::int64_t minute_us = 60'000'000;

void request(module& m, const std::string& json, std::int64_t now_us = 0) {
  const std::string response = m.request(json, now_us);
  ASSERT_EQ(response.find("err"), std::string::npos) << json << " -> " << response;
}

// A periodic module with an hour's outbound interval, one Note queued, whose first session
// (at 0) failed: its next sync of its own is an hour later.
module failed_once() {
  module m;
  request(m, R"({"req":"hub.set","mode":"periodic","outbound":60})");
  request(m, R"({"req":"note.add","file":"s.qo","body":{"v":1}})");
  request(m, R"({"req":"hub.sync"})");
  EXPECT_TRUE(m.sync_wanted(0));
  m.begin_session(0);
  m.end_sync(minute_us / 2, nullptr);
  return m;
}

TEST(ModuleReconnect, AFailedSyncWithDataPendingGoesAtOnce) {
  module m = failed_once();
  const std::int64_t back_us = 20 * minute_us;
  EXPECT_FALSE(m.sync_wanted(back_us)) << "without the reconnect it waits out the interval";
  const auto requests_before = m.counters().requests;
  EXPECT_TRUE(m.sync_after_reconnect(back_us));
  EXPECT_TRUE(m.sync_wanted(back_us));
  EXPECT_EQ(m.counters().requests, requests_before) << "not a firmware request";
  const sync_uplink up = m.begin_session(back_us);
  EXPECT_EQ(up.notes.size(), 1u);
}

TEST(ModuleReconnect, NothingToSendOrNothingFailedChangesNothing) {
  module idle;  // never synced, nothing queued
  EXPECT_FALSE(idle.sync_after_reconnect(minute_us));
  EXPECT_FALSE(idle.sync_wanted(minute_us));

  module fine;  // its last session succeeded: the data waits for its interval as usual
  request(fine, R"({"req":"hub.set","mode":"periodic","outbound":60})");
  request(fine, R"({"req":"note.add","file":"s.qo","body":{"v":1}})");
  request(fine, R"({"req":"hub.sync"})");
  fine.begin_session(0);
  sync_downlink down;
  down.utc_us = 1'700'000'000'000'000;
  down.acked_through_seq = 1;
  fine.end_sync(minute_us / 2, &down);
  request(fine, R"({"req":"note.add","file":"s.qo","body":{"v":2}})", minute_us);
  EXPECT_FALSE(fine.sync_after_reconnect(2 * minute_us));
  EXPECT_FALSE(fine.sync_wanted(2 * minute_us));
}

TEST(ModuleReconnect, ModesThatDoNotSyncOnTheirOwnStayQuiet) {
  for (const char* mode : {"minimum", "off"}) {
    module m = failed_once();
    request(m, std::string(R"({"req":"hub.set","mode":")") + mode + "\"}", minute_us);
    EXPECT_FALSE(m.sync_after_reconnect(2 * minute_us)) << mode;
    EXPECT_FALSE(m.sync_wanted(2 * minute_us)) << mode;
  }
}

TEST(ModuleReconnect, NotWhileASessionIsOpen) {
  module m = failed_once();
  request(m, R"({"req":"hub.sync"})", minute_us);
  m.begin_session(minute_us);
  EXPECT_FALSE(m.sync_after_reconnect(2 * minute_us));
}

}  // namespace
}  // namespace twelvefold::shim
