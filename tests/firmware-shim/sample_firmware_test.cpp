// The asset-tracker and smart-meter sample firmwares against a fake world: motion-gated
// tracking with GNSS or triangulation and templated records; templated meter readings, a
// web.post to a named route, back-off in the penalty box and an in-application update.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "test_support.hpp"

namespace twelvefold::shim {
namespace {

using testing::firmware_path;
using testing::twin;

constexpr std::int64_t s_us = 1'000'000;
constexpr std::int64_t cloud_epoch_us = 1'700'000'000 * s_us;

// A sample firmware's twin, woken at the time it asked for.
class SampleTest : public ::testing::Test {
 protected:
  void start(std::string_view image) {
    auto library = firmware_library::load(firmware_path(image), 1);
    ASSERT_TRUE(library.has_value()) << library.error();
    library_ = std::move(*library);
    twin_ = std::make_unique<twin>(library_->copy(0));
    const activation_result boot = twin_->boot();
    EXPECT_EQ(boot.misuse_count, 0u);
    EXPECT_EQ(boot.reset, reset_reason::none);
  }

  // Wakes the twin now and moves the clock to its next wake; returns its sleep request.
  std::uint32_t wake() {
    const activation_result result = twin_->wake();
    EXPECT_TRUE(result.sleep_requested);
    EXPECT_EQ(result.misuse_count, 0u);
    EXPECT_EQ(result.reset, reset_reason::none);
    twin_->host.now_us_ += result.busy_us + result.sleep_request_s * s_us;
    return result.sleep_request_s;
  }

  module& comms() { return twin_->host.comms(); }

  // A session: succeeds (bringing time down) or fails; returns what went up.
  sync_uplink session(bool ok) {
    const std::int64_t now_us = twin_->host.now_us_;
    sync_uplink up = comms().begin_session(now_us);
    if (!ok) {
      comms().end_sync(now_us, nullptr);
      return up;
    }
    sync_downlink down;
    down.utc_us = cloud_epoch_us + now_us;
    down.env_changed = false;
    down.acked_through_seq = up.notes.empty() ? 0 : up.notes.back().seq;
    comms().end_sync(now_us, &down);
    return up;
  }

  [[nodiscard]] std::size_t request_errors() const {
    return twin_->host.comms_.counters().request_errors;
  }

  std::unique_ptr<firmware_library> library_;
  std::unique_ptr<twin> twin_;
};

TEST_F(SampleTest, AssetTrackerParkedSendsOnePositionThenStaysQuiet) {
  start("asset-tracker");
  comms().set_location({.lat_deg = 52.52,
                        .lon_deg = 13.40,
                        .at_us = 0,
                        .source = location_source::triangulated,
                        .dop = 0});
  EXPECT_EQ(wake(), 3600u) << "parked: hourly motion checks";
  EXPECT_TRUE(comms().sync_wanted(twin_->host.now_us_)) << "the boot position goes out at once";
  const sync_uplink up = session(true);
  ASSERT_EQ(up.notes.size(), 1u);
  EXPECT_EQ(up.notes[0].file, "track.qo");
  EXPECT_FALSE(up.notes[0].templated.empty()) << "a binary record, not JSON";
  EXPECT_LT(up.notes[0].encoded_size, up.notes[0].body_json.size());
  EXPECT_NE(up.notes[0].body_json.find("\"src\":2"), std::string::npos) << up.notes[0].body_json;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(wake(), 3600u);
  EXPECT_EQ(comms().notes_pending(), 0u) << "parked and not yet due for a heartbeat";
  EXPECT_EQ(comms().gnss_mode(), location_mode::off);
  EXPECT_EQ(request_errors(), 0u);
}

TEST_F(SampleTest, AssetTrackerTracksWithGnssWhileMovingAndSyncsInBatches) {
  start("asset-tracker");
  twin_->host.sensors["motion"] = 1.0;
  twin_->host.sensors["gnss_ok"] = 1;
  twin_->host.sensors["gnss_lat"] = 48.85;
  twin_->host.sensors["gnss_lon"] = 2.35;
  for (int point = 1; point <= 9; ++point) {
    EXPECT_EQ(wake(), 60u);
    EXPECT_FALSE(comms().sync_wanted(twin_->host.now_us_)) << "point " << point;
  }
  EXPECT_EQ(comms().gnss_mode(), location_mode::continuous) << "GNSS powered while moving";
  wake();
  EXPECT_TRUE(comms().sync_wanted(twin_->host.now_us_)) << "the tenth point asks for a sync";
  const sync_uplink up = session(true);
  ASSERT_EQ(up.notes.size(), 10u);
  for (const outbound_note& note : up.notes) {
    EXPECT_NE(note.body_json.find("\"src\":1"), std::string::npos) << note.body_json;
    EXPECT_FALSE(note.templated.empty());
  }

  // Lost the fix: positions come from triangulation; then the trip ends and is sent at once.
  twin_->host.sensors["gnss_ok"] = 0;
  comms().set_location({.lat_deg = 48.86,
                        .lon_deg = 2.36,
                        .at_us = twin_->host.now_us_,
                        .source = location_source::triangulated,
                        .dop = 0});
  wake();
  twin_->host.sensors["motion"] = 0.0;
  EXPECT_EQ(wake(), 3600u);
  EXPECT_EQ(comms().gnss_mode(), location_mode::off) << "GNSS off once parked";
  EXPECT_TRUE(comms().sync_wanted(twin_->host.now_us_)) << "trip end: sent at once";
  const sync_uplink trip_end = session(true);
  ASSERT_EQ(trip_end.notes.size(), 2u);
  EXPECT_NE(trip_end.notes[0].body_json.find("\"src\":2"), std::string::npos);
  EXPECT_NE(trip_end.notes[1].body_json.find("\"moving\":false"), std::string::npos);
  EXPECT_EQ(request_errors(), 0u);
}

class SmartMeterTest : public SampleTest {
 protected:
  void SetUp() override {
    start("smart-meter");
    twin_->host.sensors["power_w"] = 1200.0;
    twin_->host.sensors["mains_v"] = 231.0;
  }
};

TEST_F(SmartMeterTest, TemplatedReadingsAndAnHourlyPostToTheNamedRoute) {
  for (int reading = 1; reading <= 5; ++reading) EXPECT_EQ(wake(), 900u);
  const sync_uplink up = session(true);
  ASSERT_EQ(up.notes.size(), 5u);
  EXPECT_EQ(up.notes[0].file, "readings.qo");
  EXPECT_FALSE(up.notes[0].templated.empty());
  // 1.2 kW for four 15-minute intervals: 1.2 kWh in the register at the fifth reading.
  EXPECT_NE(up.notes[4].body_json.find("\"kwh\":1.2"), std::string::npos) << up.notes[4].body_json;
  ASSERT_EQ(up.web_requests.size(), 1u) << "one post per hour";
  EXPECT_EQ(up.web_requests[0].method, web_method::post);
  EXPECT_EQ(up.web_requests[0].route, "meter-readings");
  EXPECT_EQ(up.web_requests[0].name, "/register");
  EXPECT_EQ(comms().host_version(), "2.1.0") << "the running version, reported in setup";
  EXPECT_EQ(request_errors(), 0u);
}

TEST_F(SmartMeterTest, BacksOffInThePenaltyBox) {
  wake();
  for (int i = 0; i < 4; ++i) {
    comms().request(R"({"req":"hub.sync"})", twin_->host.now_us_);
    session(false);
  }
  // The network's modem boxed the radio after its fourth failure (15 minutes, Notecard timing).
  transport_info boxed_radio;
  boxed_radio.penalty_until_us = twin_->host.now_us_ + 15 * 60 * s_us;
  comms().set_transport(twin_->host.now_us_, boxed_radio);
  ASSERT_TRUE(comms().penalty_until_us(twin_->host.now_us_).has_value());
  twin_->host.logs.clear();
  for (int i = 0; i < 4; ++i) wake();  // an hour in the box: no post although one is due
  EXPECT_TRUE(std::ranges::any_of(twin_->host.logs, [](const std::string& line) {
    return line.contains("penalty box: backing off");
  }));
  twin_->host.now_us_ = *comms().penalty_until_us(twin_->host.now_us_) + s_us;
  comms().request(R"({"req":"card.wireless.penalty","reset":true})", twin_->host.now_us_);
  const sync_uplink boxed = session(true);
  EXPECT_TRUE(boxed.web_requests.empty()) << "nothing posted from inside the box";
  EXPECT_GE(boxed.notes.size(), 5u) << "readings kept queued meanwhile";
}

TEST_F(SmartMeterTest, ReadsAReadyUpdateInChunksAndReportsTheNewVersion) {
  wake();
  session(true);  // time known
  dfu_image image;
  image.version = "2.2.0";
  image.name = "smart-meter-2.2.0.bin";
  image.bytes = std::make_shared<const std::vector<std::uint8_t>>(100'000, std::uint8_t{0x5a});
  comms().offer_dfu(twin_->host.now_us_, image);
  comms().dfu_progress(twin_->host.now_us_, image.bytes->size());
  ASSERT_EQ(comms().dfu(), dfu_state::ready);

  EXPECT_EQ(wake(), 900u) << "this wake notices the update and enters DFU mode";
  EXPECT_EQ(comms().mode(), hub_mode::dfu);
  int update_wakes = 0;
  std::uint32_t sleep_s = 1;
  while (sleep_s == 1 && update_wakes < 10) {
    const activation_result result = twin_->wake();
    EXPECT_EQ(result.reset, reset_reason::none);
    sleep_s = result.sleep_request_s;
    twin_->host.now_us_ += result.busy_us + sleep_s * s_us;
    ++update_wakes;
  }
  EXPECT_EQ(update_wakes, 2) << "25 chunks of 4 KiB, 16 per wake";
  EXPECT_EQ(sleep_s, 900u);
  EXPECT_EQ(comms().mode(), hub_mode::periodic);
  EXPECT_EQ(comms().host_version(), "2.2.0");
  EXPECT_EQ(comms().dfu(), dfu_state::idle);
  EXPECT_EQ(request_errors(), 0u);
}

TEST_F(SmartMeterTest, DefersAnUpdateWhenTheFleetSaysSo) {
  comms().request(R"({"req":"env.set","name":"dfu_allowed","text":"0"})", 0);
  dfu_image image;
  image.version = "2.2.0";
  image.bytes = std::make_shared<const std::vector<std::uint8_t>>(10, std::uint8_t{1});
  comms().offer_dfu(0, image);
  comms().dfu_progress(0, 10);
  wake();
  wake();
  EXPECT_EQ(comms().mode(), hub_mode::periodic);
  EXPECT_EQ(comms().dfu(), dfu_state::ready);
}

}  // namespace
}  // namespace twelvefold::shim
