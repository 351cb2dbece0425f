// module: hub.log, hub.get, hub.status, the penalty box after failed sessions, inbound-interval
// syncs, and next_sync_us (when the module will want a session on its own).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {
namespace {

using nlohmann::json;

constexpr std::int64_t minute = 60'000'000;

json ask(module& m, std::string_view request, std::int64_t now_us = 0) {
  return json::parse(m.request(request, now_us));
}

void fail_session(module& m, std::int64_t now_us) {
  ASSERT_TRUE(m.sync_wanted(now_us));
  m.begin_session(now_us);
  m.end_sync(now_us, nullptr);
}

TEST(ModuleHub, HubLogQueuesALineForTheCloud) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"hub.log","text":"battery low","alert":true,"sync":true})"),
            json::object());
  ask(m, R"({"req":"hub.log","text":"rebooted"})");
  EXPECT_TRUE(m.sync_wanted(0));
  const auto up = m.begin_session(0);
  ASSERT_EQ(up.notes.size(), 2u);
  EXPECT_EQ(up.notes[0].file, module::log_notefile);
  EXPECT_EQ(up.notes[0].body_json, R"({"text":"battery low","alert":true})");
  EXPECT_EQ(up.notes[1].body_json, R"({"text":"rebooted"})");
  EXPECT_EQ(m.counters().notes_added, 2u) << "log lines are Notes and are accounted as such";
}

TEST(ModuleHub, HubGetAndHubStatus) {
  module m;
  ask(m,
      R"({"req":"hub.set","product":"com.x:y","sn":"meter-7","mode":"continuous","inbound":30})");
  EXPECT_EQ(ask(m, R"({"req":"hub.get"})"),
            json::parse(R"({"product":"com.x:y","sn":"meter-7","mode":"continuous","outbound":60,)"
                        R"("inbound":30})"));
  EXPECT_EQ(ask(m, R"({"req":"hub.status"})"), json::parse(R"({"status":"idle {disconnected}"})"));
  m.request(R"({"req":"hub.sync"})", 0);
  m.begin_session(0);
  EXPECT_EQ(ask(m, R"({"req":"hub.status"})"),
            json::parse(R"({"status":"connected {connected}","connected":true})"));
  sync_downlink down;
  down.utc_us = 1'700'000'000'000'000;
  m.end_sync(0, &down);
  EXPECT_EQ(ask(m, R"({"req":"hub.status"})")["connected"], true) << "continuous stays connected";
}

// The modem (the network's model) tells the module, with each session's transport, where its
// registration penalty box ends; the module only reflects it.
void modem_says(module& m, std::int64_t now_us, std::int64_t penalty_until_us) {
  transport_info t;
  t.rat = radio_access::lte_m;
  t.penalty_until_us = penalty_until_us;
  m.set_transport(now_us, t);
}

TEST(ModuleHub, ThePenaltyBoxIsTheModemsAndTheModuleReflectsIt) {
  module m;
  ask(m, R"({"req":"hub.set","outbound":1})");
  ask(m, R"({"req":"note.add","body":{}})");
  for (int i = 1; i <= 4; ++i) fail_session(m, i * minute);
  EXPECT_EQ(m.penalty_until_us(4 * minute), std::nullopt)
      << "failures alone do not box the module: the modem decides";
  // The modem's fourth failure boxed it for 15 minutes (models::modem, Notecard timings).
  modem_says(m, 4 * minute, 19 * minute);
  EXPECT_EQ(m.penalty_until_us(4 * minute), 19 * minute);
  EXPECT_FALSE(m.sync_wanted(18 * minute));
  EXPECT_EQ(m.next_sync_us(5 * minute), 19 * minute);
  m.request(R"({"req":"hub.sync"})", 5 * minute);
  EXPECT_FALSE(m.sync_wanted(5 * minute)) << "a plain hub.sync waits out the penalty";
  EXPECT_FALSE(m.penalty_override());

  const json status = ask(m, R"({"req":"hub.sync.status"})", 6 * minute);
  EXPECT_EQ(status["alert"], true);
  EXPECT_EQ(status["seconds"], 13 * 60);
  const json penalty = ask(m, R"({"req":"card.wireless.penalty"})", 6 * minute);
  EXPECT_EQ(penalty["count"], 4);
  EXPECT_EQ(penalty["minutes"], 5);
  EXPECT_EQ(penalty["seconds"], 13 * 60);
  EXPECT_NE(penalty["status"].get<std::string>().find("{registration-failure}"), std::string::npos);
  EXPECT_NE(
      ask(m, R"({"req":"hub.status"})", 6 * minute)["status"].get<std::string>().find("penalty"),
      std::string::npos);

  // hub.sync allow:true lets the firmware out, and asks the modem to try despite its box.
  ask(m, R"({"req":"hub.sync","allow":true})", 7 * minute);
  EXPECT_TRUE(m.sync_wanted(7 * minute));
  EXPECT_TRUE(m.penalty_override());
  m.begin_session(7 * minute);
  EXPECT_FALSE(m.penalty_override()) << "one session's worth";
  m.end_sync(7 * minute, nullptr);
  modem_says(m, 7 * minute, 7 * minute + 33 * minute + 45'000'000);  // 15 * 1.25 + 15
  EXPECT_EQ(m.penalty_until_us(7 * minute), 7 * minute + 33 * minute + 45'000'000);
  // card.wireless.penalty reset:true does the same; other timings are refused, not ignored.
  EXPECT_NE(ask(m, R"({"req":"card.wireless.penalty","set":true,"min":5})", 8 * minute)["err"]
                .get<std::string>()
                .find("{not-supported}"),
            std::string::npos);
  EXPECT_EQ(m.penalty_until_us(8 * minute), 7 * minute + 33 * minute + 45'000'000)
      << "a refused request changes nothing";
  ask(m, R"({"req":"card.wireless.penalty","reset":true})", 9 * minute);
  EXPECT_EQ(m.penalty_until_us(9 * minute), std::nullopt);
  EXPECT_TRUE(m.penalty_override());
  // A success ends it all.
  m.begin_session(10 * minute);
  sync_downlink down;
  down.utc_us = 1'700'000'000'000'000;
  m.end_sync(10 * minute, &down);
  modem_says(m, 10 * minute, 0);
  EXPECT_EQ(ask(m, R"({"req":"card.wireless.penalty"})", 11 * minute),
            json::parse(R"({"minutes":0,"count":0})"));
  EXPECT_FALSE(ask(m, R"({"req":"hub.sync.status"})", 11 * minute).contains("alert"));
}

TEST(ModuleHub, InboundIntervalSyncsEvenWithNothingToSend) {
  module m;
  EXPECT_EQ(m.next_sync_us(0), std::nullopt) << "nothing to send, no inbound interval set";
  ask(m, R"({"req":"hub.set","inbound":30})");
  EXPECT_EQ(m.next_sync_us(0), 30 * minute);
  EXPECT_FALSE(m.sync_wanted(29 * minute));
  EXPECT_TRUE(m.sync_wanted(30 * minute));
  ask(m, R"({"req":"hub.set","mode":"minimum"})");
  EXPECT_EQ(m.next_sync_us(0), std::nullopt) << "minimum: only when asked";
  ask(m, R"({"req":"hub.set","mode":"periodic","inbound":-1})");
  EXPECT_EQ(m.next_sync_us(0), std::nullopt) << "-1: back to the default, no inbound syncs";
}

TEST(ModuleHub, NextSyncPredictsTheModulesOwnSessions) {
  module m;
  ask(m, R"({"req":"note.add","body":{}})", 5 * minute);
  EXPECT_EQ(m.next_sync_us(5 * minute), 60 * minute) << "outbound interval from the last attempt";
  EXPECT_EQ(m.next_sync_us(70 * minute), 70 * minute) << "overdue: now";
  ask(m, R"({"req":"hub.sync"})", 6 * minute);
  EXPECT_EQ(m.next_sync_us(6 * minute), 6 * minute);
  m.begin_session(6 * minute);
  EXPECT_EQ(m.next_sync_us(6 * minute), std::nullopt) << "a session is open";
  ask(m, R"({"req":"hub.set","mode":"off"})");
  m.end_sync(7 * minute, nullptr);
  EXPECT_EQ(m.next_sync_us(7 * minute), std::nullopt);
}

TEST(ModuleHub, BeginSyncCarriesNotesOnlyAndLeavesTheRestForBeginSession) {
  module m;
  ask(m, R"({"req":"note.add","body":{"a":1}})");
  ask(m, R"({"req":"note.add","file":"c.db","note":"k","body":{}})");
  ask(m, R"({"req":"web.post","route":"r","async":true})");
  ASSERT_EQ(m.begin_sync(0).size(), 1u);
  sync_downlink down;
  down.utc_us = 1'700'000'000'000'000;
  down.acked_through_seq = 1;
  m.end_sync(0, &down);
  m.request(R"({"req":"hub.sync"})", 1);
  const auto up = m.begin_session(1);
  EXPECT_TRUE(up.notes.empty());
  EXPECT_EQ(up.db_changes.size(), 1u);
  EXPECT_EQ(up.web_requests.size(), 1u);
}

}  // namespace
}  // namespace twelvefold::shim
