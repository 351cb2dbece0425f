// module: card.attn — what wakes the host early (watched files, env, location, connection,
// timeout), sleep with a payload, the watchdog, and the queries the device actor schedules by.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "module_test_support.hpp"
#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {
namespace {

using nlohmann::json;
using namespace twelvefold::shim::testing;

constexpr std::int64_t s = 1'000'000;

json ask(module& m, std::string_view request, std::int64_t now_us = 0) {
  return json::parse(m.request(request, now_us));
}

void session(module& m, std::int64_t now_us, std::vector<inbound_note> inbound = {},
             std::map<std::string, std::string> env = {}, bool env_changed = false) {
  m.request(R"({"req":"hub.sync"})", now_us);
  m.begin_session(now_us);
  sync_downlink down;
  down.utc_us = 1'700'000'000 * s + now_us;
  down.inbound = std::move(inbound);
  down.env = std::move(env);
  down.env_changed = env_changed;
  m.end_sync(now_us, &down);
}

TEST(ModuleAttn, WatchedFilesWakeTheHost) {
  module m;
  EXPECT_EQ(m.attn_wake_us(), std::nullopt);
  EXPECT_EQ(ask(m, R"({"req":"card.attn","mode":"arm,files","files":["data.qi","cfg.db"]})"),
            json::object())
      << "armed and waiting: the line is low, no 'set'";
  session(m, 3 * s, {queued("other.qi", "{}")});
  EXPECT_EQ(m.attn_wake_us(), std::nullopt) << "not a watched file";
  session(m, 5 * s, {queued("data.qi", "{}")});
  EXPECT_EQ(m.attn_wake_us(), 5 * s);
  EXPECT_EQ(ask(m, R"({"req":"card.attn"})", 6 * s),
            json::parse(R"({"files":["data.qi"],"set":true})"));
  // Re-arming forgets what fired.
  ask(m, R"({"req":"card.attn","mode":"arm"})", 7 * s);
  EXPECT_EQ(m.attn_wake_us(), std::nullopt);
  session(m, 8 * s, {db_write("cfg.db", "k", "{}")});
  EXPECT_EQ(m.attn_wake_us(), 8 * s);
}

TEST(ModuleAttn, EnvLocationAndConnectionEvents) {
  module m;
  ask(m, R"({"req":"card.attn","mode":"arm,env,location"})");
  session(m, 1 * s, {}, {{"a", "1"}}, /*env_changed=*/false);
  EXPECT_EQ(m.attn_wake_us(), std::nullopt) << "no env change, and connected is not watched";
  session(m, 2 * s, {}, {{"a", "1"}}, /*env_changed=*/true);
  EXPECT_EQ(m.attn_wake_us(), 2 * s);
  session(m, 3 * s, {}, {{"a", "1"}}, /*env_changed=*/true);  // same values: not a change
  EXPECT_EQ(ask(m, R"({"req":"card.attn"})", 4 * s)["files"], json::parse(R"(["env"])"));
  m.set_location({.lat_deg = 1, .lon_deg = 2, .at_us = 5 * s});
  EXPECT_EQ(ask(m, R"({"req":"card.attn"})", 6 * s)["files"], json::parse(R"(["env","location"])"));

  ask(m, R"({"req":"card.attn","mode":"arm,-env,-location,connected"})", 7 * s);
  m.set_location({.lat_deg = 1, .lon_deg = 2, .at_us = 8 * s});
  EXPECT_EQ(m.attn_wake_us(), std::nullopt);
  session(m, 9 * s);
  EXPECT_EQ(m.attn_wake_us(), 9 * s);
}

TEST(ModuleAttn, TimeoutAndDisarm) {
  module m;
  ask(m, R"({"req":"card.attn","mode":"arm","seconds":600})", 100 * s);
  EXPECT_EQ(m.attn_wake_us(), 700 * s);
  EXPECT_EQ(ask(m, R"({"req":"card.attn"})", 650 * s), json::object());
  EXPECT_EQ(ask(m, R"({"req":"card.attn"})", 701 * s),
            json::parse(R"({"files":["timeout"],"set":true})"));
  ask(m, R"({"req":"card.attn","mode":"disarm,-all"})", 702 * s);
  EXPECT_EQ(m.attn_wake_us(), std::nullopt);
  EXPECT_EQ(ask(m, R"({"req":"card.attn","verify":true})"), json::parse(R"({"mode":"disarm"})"));
  // Unmodelled triggers are accepted and never fire.
  EXPECT_FALSE(ask(m, R"({"req":"card.attn","mode":"arm,motion,usb"})").contains("err"));
  EXPECT_EQ(m.attn_wake_us(), std::nullopt);
}

TEST(ModuleAttn, SleepCutsHostPowerAndKeepsAPayload) {
  module m;
  session(m, 0);
  ask(m, R"({"req":"card.attn","mode":"sleep","seconds":3600,"payload":"c3RhdGU="})", 10 * s);
  EXPECT_TRUE(m.attn_host_powered_off());
  EXPECT_EQ(m.attn_wake_us(), 3610 * s);
  // The host boots cold at the wake and asks for its payload.
  EXPECT_EQ(
      ask(m, R"({"req":"card.attn","start":true})", 3610 * s),
      json::parse(R"({"files":["timeout"],"set":true,"payload":"c3RhdGU=","time":1700000010})"));
  EXPECT_FALSE(m.attn_host_powered_off());
}

TEST(ModuleAttn, WatchdogResetsASilentHost) {
  module m;
  ask(m, R"({"req":"card.attn","mode":"watchdog","seconds":120})", 10 * s);
  EXPECT_EQ(m.attn_watchdog_us(), 130 * s);
  m.request(R"({"req":"card.time"})", 50 * s);
  EXPECT_EQ(m.attn_watchdog_us(), 170 * s) << "every request kicks it";
  EXPECT_EQ(ask(m, R"({"req":"card.attn","verify":true})", 60 * s)["mode"], "disarm,watchdog");
  ask(m, R"({"req":"card.attn","mode":"watchdog","seconds":0})", 70 * s);
  EXPECT_EQ(m.attn_watchdog_us(), std::nullopt);
}

TEST(ModuleAttn, OffDisablesEverything) {
  module m;
  ask(m, R"({"req":"card.attn","mode":"arm,env","seconds":30})");
  EXPECT_EQ(ask(m, R"({"req":"card.attn","off":true})"), json::parse(R"({"set":true,"off":true})"));
  EXPECT_EQ(m.attn_wake_us(), std::nullopt);
  session(m, 1 * s, {}, {{"x", "1"}}, true);
  EXPECT_EQ(m.attn_wake_us(), std::nullopt);
  ask(m, R"({"req":"card.attn","on":true,"mode":"arm,env"})", 2 * s);
  session(m, 3 * s, {}, {{"x", "2"}}, true);
  EXPECT_EQ(m.attn_wake_us(), 3 * s);
}

}  // namespace
}  // namespace twelvefold::shim
