// module: what the device actor tells the module about the world and how the firmware reads it —
// card.wireless (with the transport hints), card.transport, card.voltage, card.location,
// card.location.mode, card.triangulate and card.time.
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

void learn_time(module& m, std::int64_t now_us = 0) {
  m.request(R"({"req":"hub.sync"})", now_us);
  m.begin_session(now_us);
  sync_downlink down;
  down.utc_us = 1'700'000'000 * s + now_us;
  down.env_changed = false;
  m.end_sync(now_us, &down);
}

TEST(ModuleCard, WirelessReportsTheRadioAndItsHints) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"card.wireless"})"),
            json::parse(R"({"status":"{modem-off}","mode":"auto"})"));
  learn_time(m);
  m.set_transport(10 * s, {.rat = radio_access::lte_m,
                           .bitrate = bitrate_class::medium,
                           .registered = true,
                           .bars = 3,
                           .rssi_dbm = -71,
                           .rsrp_dbm = -98,
                           .rsrq_db = -11,
                           .sinr_db = 7,
                           .cell_id = 4242,
                           .band = "LTE BAND 20"});
  EXPECT_EQ(
      ask(m, R"({"req":"card.wireless","mode":"m"})"),
      json::parse(R"({"status":"{network-up}","mode":"m","count":3,"net":{"rat":"lte-m",)"
                  R"("band":"LTE BAND 20","rssi":-71,"rsrp":-98,"sinr":7,"rsrq":-11,"bars":3,)"
                  R"("cid":4242,"updated":1700000010},"rat":"lte-m","bitrate":"medium",)"
                  R"("limited":false})"));
  EXPECT_EQ(m.wireless_mode(), "m");
  ask(m, R"({"req":"card.wireless","mode":"-"})");
  EXPECT_EQ(m.wireless_mode(), "auto");

  m.set_transport(20 * s, radio(radio_access::lorawan, bitrate_class::very_low, true));
  const json status = ask(m, R"({"req":"hub.status"})");
  EXPECT_EQ(status["rat"], "lorawan");
  EXPECT_EQ(status["bitrate"], "very-low");
  EXPECT_EQ(status["limited"], true);
}

TEST(ModuleCard, TransportMethodIsRememberedForTheDeviceActor) {
  module m;
  EXPECT_EQ(m.transport_method(), "-");
  EXPECT_EQ(ask(m, R"({"req":"card.transport","method":"wifi-cell","seconds":1800})"),
            json::parse(R"({"method":"wifi-cell","seconds":1800})"));
  EXPECT_EQ(m.transport_method(), "wifi-cell");
  m.set_transport(0, radio(radio_access::wifi, bitrate_class::high));
  EXPECT_EQ(ask(m, R"({"req":"card.transport"})")["bitrate"], "high");
  ask(m, R"({"req":"card.transport","method":"dual-wifi-cell"})");
  EXPECT_EQ(m.transport_method(), "wifi-cell") << "the deprecated name is the same method";
}

TEST(ModuleCard, VoltageModesAndVoltageVariableIntervals) {
  module m;
  EXPECT_NE(ask(m, R"({"req":"card.voltage"})")["err"].get<std::string>().find("{voltage-unknown}"),
            std::string::npos);
  m.set_voltage(0, 3.9);
  m.set_voltage(3600 * s, 3.7);
  json v = ask(m, R"({"req":"card.voltage"})", 7200 * s);
  EXPECT_EQ(v["mode"], "normal");
  EXPECT_DOUBLE_EQ(v["value"].get<double>(), 3.7);
  EXPECT_DOUBLE_EQ(v["vmax"].get<double>(), 3.9);
  EXPECT_DOUBLE_EQ(v["vavg"].get<double>(), 3.8);
  EXPECT_EQ(v["hours"], 2);
  EXPECT_EQ(ask(m, R"({"req":"card.voltage","mode":"alkaline"})")["mode"], "normal");
  EXPECT_EQ(ask(m, R"({"req":"card.voltage","mode":"high:3.6;normal:3.4;dead:0"})")["mode"],
            "high");
  m.set_voltage(0, 5.0, /*usb_powered=*/true);
  EXPECT_EQ(ask(m, R"({"req":"card.voltage"})")["mode"], "usb");

  // hub.set voutbound picks the outbound interval by that mode.
  ask(m, R"({"req":"hub.set","voutbound":"usb:1;high:10;normal:60;low:240;dead:0"})");
  ask(m, R"({"req":"note.add","body":{}})");
  EXPECT_TRUE(m.sync_wanted(60 * s)) << "usb: every minute";
  m.set_voltage(0, 3.65);
  EXPECT_FALSE(m.sync_wanted(9 * 60 * s));
  EXPECT_TRUE(m.sync_wanted(10 * 60 * s)) << "high (custom thresholds): every 10 minutes";
}

TEST(ModuleCard, LocationComesFromTheWorldAndFixedMode) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"card.location"})"),
            json::parse(R"({"status":"GPS inactive {gps-inactive}","mode":"off"})"));
  EXPECT_EQ(ask(m, R"({"req":"card.location.mode","mode":"periodic","seconds":900})"),
            json::parse(R"({"mode":"periodic","seconds":900})"));
  EXPECT_EQ(m.gnss_mode(), location_mode::periodic);
  EXPECT_EQ(m.gnss_seconds(), 900);
  EXPECT_EQ(ask(m, R"({"req":"card.location.mode"})")["mode"], "periodic") << "no mode: a query";
  learn_time(m);
  m.set_location({.lat_deg = 46.2,
                  .lon_deg = 6.1,
                  .at_us = 30 * s,
                  .source = location_source::gnss,
                  .dop = 1.2});
  EXPECT_EQ(ask(m, R"({"req":"card.location"})"),
            json::parse(R"({"status":"GPS updated {gps}","source":"gnss","mode":"periodic",)"
                        R"("lat":46.2,"lon":6.1,"time":1700000030,"dop":1.2})"));
  // card.time reports tower-derived positions only.
  EXPECT_FALSE(ask(m, R"({"req":"card.time"})", 40 * s).contains("lat"));
  m.set_location(
      {.lat_deg = 46.0, .lon_deg = 6.0, .at_us = 50 * s, .source = location_source::tower});
  EXPECT_EQ(ask(m, R"({"req":"card.time"})", 60 * s),
            json::parse(R"({"time":1700000060,"zone":"UTC","minutes":0,"lat":46.0,"lon":6.0})"));

  EXPECT_EQ(ask(m, R"({"req":"card.location.mode","mode":"fixed","lat":1.5,"lon":-2.5})", 70 * s),
            json::parse(R"({"mode":"fixed","lat":1.5,"lon":-2.5})"));
  EXPECT_EQ(ask(m, R"({"req":"card.location"})")["source"], "fixed");
  ask(m, R"({"req":"card.location.mode","mode":"off","delete":true})");
  EXPECT_EQ(ask(m, R"({"req":"card.location"})")["status"], "GPS inactive {gps-inactive}");
}

TEST(ModuleCard, TriangulationScansGoUpWithSessions) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"card.triangulate","mode":"wifi,cell","on":true,"set":true})"),
            json::parse(R"({"mode":"wifi,cell","on":true,"usb":false})"));
  const std::string aps = "+CWLAP:(4,\"net\",-51,\"74:ac:b9:12:12:f8\",1)\n";
  const json r =
      ask(m, R"({"req":"card.triangulate","text":)" + json(aps).dump() + R"(,"time":1700000500})");
  EXPECT_EQ(r["length"], aps.size());
  m.request(R"({"req":"hub.sync"})", 0);
  auto up = m.begin_session(0);
  ASSERT_TRUE(up.scan.has_value());
  EXPECT_TRUE(up.scan->cell);
  EXPECT_TRUE(up.scan->wifi);
  EXPECT_EQ(up.scan->wifi_text, aps);
  EXPECT_EQ(up.scan->wifi_utc_s, 1'700'000'500);
  sync_downlink down;
  down.utc_us = 1'700'001'000 * s;
  down.location = location_fix{
      .lat_deg = 10, .lon_deg = 20, .at_us = 0, .source = location_source::triangulated};
  m.end_sync(0, &down);
  EXPECT_EQ(ask(m, R"({"req":"card.location"})")["source"], "triangulated");
  EXPECT_EQ(ask(m, R"({"req":"card.triangulate"})")["time"], 1'700'001'000);
  ask(m, R"({"req":"card.triangulate","mode":"-"})");
  m.request(R"({"req":"hub.sync"})", 1);
  EXPECT_FALSE(m.begin_session(1).scan.has_value());
}

}  // namespace
}  // namespace twelvefold::shim
