// env-sensor end to end: the sample firmware against a fake world, through boots, wakes, syncs
// and a cadence change pushed from the cloud.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace twelvefold::shim {
namespace {

using nlohmann::json;
using testing::firmware_path;
using testing::twin;

constexpr std::int64_t s_us = 1'000'000;
constexpr std::int64_t cloud_epoch_us = 1'700'000'000 * s_us;

class EnvSensorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto library = firmware_library::load(firmware_path("env-sensor"), 1);
    ASSERT_TRUE(library.has_value()) << library.error();
    library_ = std::move(*library);
    sensor_ = std::make_unique<twin>(library_->copy(0));
    sensor_->host.sensors["temperature_c"] = 21.34;
  }

  // Wakes the twin at `at_us` and returns the sleep it asked for, in seconds.
  std::uint32_t wake_at(std::int64_t at_us) {
    sensor_->host.now_us_ = at_us;
    const activation_result result = sensor_->wake();
    EXPECT_TRUE(result.sleep_requested);
    EXPECT_EQ(result.misuse_count, 0u);
    EXPECT_EQ(result.busy_us, 20'000) << "the sensor warm-up";
    return result.sleep_request_s;
  }

  module& comms() { return sensor_->host.comms(); }

  bool sync_requested() {
    const json status = json::parse(comms().request(R"({"req":"hub.sync.status"})", 0));
    return status.contains("requested");
  }

  // Runs a successful session carrying everything pending, bringing `env` down.
  std::vector<outbound_note> sync(std::int64_t at_us, std::map<std::string, std::string> env) {
    auto notes = comms().begin_sync(at_us);
    sync_downlink down;
    down.utc_us = cloud_epoch_us + at_us;
    down.env = std::move(env);
    down.acked_through_seq = notes.empty() ? 0 : notes.back().seq;
    comms().end_sync(at_us, &down);
    return notes;
  }

  std::unique_ptr<firmware_library> library_;
  std::unique_ptr<twin> sensor_;
};

TEST_F(EnvSensorTest, SetupConfiguresTheModule) {
  const activation_result boot = sensor_->boot();
  EXPECT_FALSE(boot.sleep_requested) << "setup() leaves sleeping to loop()";
  EXPECT_EQ(comms().product(), "com.example.twelvefold:env-sensor");
  EXPECT_EQ(comms().mode(), hub_mode::periodic);
  EXPECT_EQ(comms().env_value("sample_mins"), "15");
  EXPECT_EQ(comms().env_value("sync_mins"), "60");
  EXPECT_EQ(comms().counters().request_errors, 0u);
}

TEST_F(EnvSensorTest, SamplesEveryFifteenMinutesAndTheModuleSyncsHourly) {
  sensor_->boot();
  for (int sample = 1; sample <= 4; ++sample) {
    const std::int64_t at = (sample - 1) * 900 * s_us;
    EXPECT_EQ(wake_at(at), 900u) << "sample " << sample;
    EXPECT_EQ(comms().notes_pending(), static_cast<std::size_t>(sample));
    EXPECT_FALSE(sync_requested()) << "the firmware leaves routine syncs to the module";
    EXPECT_FALSE(comms().sync_wanted(at)) << "sample " << sample;
  }
  // hub.set outbound = sync_mins: the module's own session, an hour in, while the host sleeps.
  EXPECT_EQ(comms().next_sync_us(2700 * s_us), 3600 * s_us);
  EXPECT_TRUE(comms().sync_wanted(3600 * s_us));
  const auto notes = sync(3600 * s_us, {});
  ASSERT_EQ(notes.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(notes[i].file, "sensors.qo");
    // Time unknown before the first sync: the device's uptime goes into the body.
    EXPECT_EQ(json::parse(notes[i].body_json), json({{"temp", 21.3}, {"uptime_s", i * 900}}));
    EXPECT_EQ(notes[i].stamped_utc_s, 0);
  }
  EXPECT_EQ(comms().counters().notes_delivered, 4u);

  // Time is known now: the module stamps the Note and the body carries only the reading; the
  // next session is an hour after the last.
  EXPECT_EQ(wake_at(3600 * s_us), 900u);
  EXPECT_FALSE(sync_requested());
  EXPECT_EQ(comms().next_sync_us(3600 * s_us), 7200 * s_us);
  const auto stamped = sync(7200 * s_us, {});
  ASSERT_EQ(stamped.size(), 1u);
  EXPECT_EQ(json::parse(stamped[0].body_json), json({{"temp", 21.3}}));
  EXPECT_EQ(stamped[0].stamped_utc_s, 1'700'000'000 + 3600);
  EXPECT_EQ(comms().counters().request_errors, 0u);
}

TEST_F(EnvSensorTest, CloudEnvironmentChangesTheCadence) {
  sensor_->boot();
  std::int64_t now = 0;
  for (int sample = 1; sample <= 4; ++sample, now += 900 * s_us) wake_at(now);
  ASSERT_TRUE(comms().sync_wanted(now));
  sync(now, {{"sample_mins", "5"}});

  // 5-minute samples; the module still syncs hourly (sync_mins 60).
  for (int sample = 1; sample <= 12; ++sample, now += 300 * s_us) {
    EXPECT_EQ(wake_at(now), 300u) << "sample " << sample;
  }
  EXPECT_EQ(comms().notes_pending(), 12u);
  EXPECT_EQ(comms().next_sync_us(now), 2 * 3600 * s_us);
  // sync_mins 10 on top: the firmware re-sets the module's outbound interval at its next wake.
  sync(now, {{"sample_mins", "5"}, {"sync_mins", "10"}});
  EXPECT_EQ(wake_at(now), 300u);
  EXPECT_EQ(comms().next_sync_us(now), now + 600 * s_us);
  EXPECT_FALSE(comms().sync_wanted(now + 300 * s_us));
  EXPECT_TRUE(comms().sync_wanted(now + 600 * s_us));
  EXPECT_EQ(comms().counters().request_errors, 0u);
}

TEST_F(EnvSensorTest, LocalEnvWinsAndUnusableValuesAreIgnored) {
  sensor_->boot();
  comms().request(R"({"req":"env.set","name":"sample_mins","text":"30"})", 0);
  EXPECT_EQ(wake_at(0), 1800u);
  sync(0, {{"sample_mins", "5"}});
  EXPECT_EQ(wake_at(1800 * s_us), 1800u) << "local beats cloud";
  comms().request(R"({"req":"env.set","name":"sample_mins","text":"zero"})", 0);
  EXPECT_EQ(wake_at(3600 * s_us), 1800u) << "unusable: the last good cadence stays";
  comms().request(R"({"req":"env.set","name":"sample_mins","text":"0"})", 0);
  EXPECT_EQ(wake_at(5400 * s_us), 1800u);
  comms().request(R"({"req":"env.set","name":"sample_mins","text":""})", 0);  // cleared
  EXPECT_EQ(wake_at(7200 * s_us), 300u) << "back to the cloud's value";
}

TEST_F(EnvSensorTest, SuddenTemperatureJumpSyncsAtOnce) {
  sensor_->boot();
  wake_at(0);
  sensor_->host.sensors["temperature_c"] = 25.0;  // +3.7 °C: ordinary
  wake_at(900 * s_us);
  EXPECT_FALSE(sync_requested());
  sensor_->host.sensors["temperature_c"] = 31.0;  // +6 °C: news
  wake_at(1800 * s_us);
  EXPECT_TRUE(sync_requested());
  const auto notes = sync(1800 * s_us, {});
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_EQ(json::parse(notes[2].body_json)["temp"], 31.0);
}

TEST_F(EnvSensorTest, MissingSensorSkipsTheNoteButStillSleeps) {
  sensor_->host.sensors.clear();
  sensor_->boot();
  EXPECT_EQ(wake_at(0), 900u);
  EXPECT_EQ(comms().notes_pending(), 0u);
  ASSERT_FALSE(sensor_->host.logs.empty());
  EXPECT_NE(sensor_->host.logs.back().find("temperature_c"), std::string::npos);
}

TEST_F(EnvSensorTest, TwinsOfOneCopyKeepTheirOwnCadence) {
  twin other(library_->copy(0));
  other.host.sensors["temperature_c"] = 5.0;
  sensor_->boot();
  other.boot();
  other.host.comms().request(R"({"req":"env.set","name":"sample_mins","text":"1"})", 0);
  EXPECT_EQ(wake_at(0), 900u);
  EXPECT_EQ(other.wake().sleep_request_s, 60u);
  EXPECT_EQ(wake_at(900 * s_us), 900u);
  // Each twin's module keeps its own outbound interval: the other twin's env.set sync_mins
  // reaches its module alone.
  other.host.comms().request(R"({"req":"env.set","name":"sync_mins","text":"5"})", 0);
  other.wake();
  EXPECT_EQ(other.host.comms().next_sync_us(0), 5 * 60 * s_us);
  EXPECT_EQ(comms().next_sync_us(900 * s_us), 3600 * s_us);
}

}  // namespace
}  // namespace twelvefold::shim
