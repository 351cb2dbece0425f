// The HAL as firmware sees it (test-hal calls every function and logs the results).
#include <gtest/gtest.h>

#include <stdexcept>

#include "test_support.hpp"
#include "twelvefold/firmware.h"

namespace twelvefold::shim {
namespace {

using testing::firmware_path;
using testing::twin;

class HalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto library = firmware_library::load(firmware_path("test-hal"), 1);
    ASSERT_TRUE(library.has_value()) << library.error();
    library_ = std::move(*library);
  }
  std::unique_ptr<firmware_library> library_;
};

TEST_F(HalTest, SetupRunsOnFirstBootOnly) {
  twin t(library_->copy(0));
  const activation_result boot = t.boot();
  EXPECT_EQ(t.host.logs, (std::vector<std::string>{"setup=1"}));
  EXPECT_FALSE(boot.sleep_requested);
  EXPECT_EQ(boot.busy_us, 0);
  t.wake();
  EXPECT_EQ(t.host.logged("loops"), "1");
  EXPECT_EQ(t.host.logged("setup"), "1");
  t.host.logs.clear();
  t.wake();
  EXPECT_EQ(t.host.logged("loops"), "2");
  EXPECT_EQ(t.host.logged("setup"), "");
}

TEST_F(HalTest, MillisCountsFromBootAndDelayAdvancesIt) {
  twin t(library_->copy(0));
  t.host.boot_us_ = 5'000'000;
  t.host.now_us_ = 5'000'000 + 7'250'400;  // 7250.4 ms after boot
  t.host.sensors["temperature_c"] = 21.5;
  const activation_result result = t.wake();
  EXPECT_EQ(t.host.logged("millis_start"), "7250");
  EXPECT_EQ(t.host.logged("millis_after_delay"), "8750");
  EXPECT_EQ(result.busy_us, 1'500'000);
  // Sensors are read at the activation's own clock: start + busy time so far.
  ASSERT_FALSE(t.host.sensor_reads_at_us.empty());
  EXPECT_EQ(t.host.sensor_reads_at_us.front(), t.host.now_us_ + 1'500'000);
}

TEST_F(HalTest, MillisNeverGoesNegative) {
  twin t(library_->copy(0));
  t.host.boot_us_ = 10'000'000;
  t.host.now_us_ = 0;  // a host bug; the firmware still sees a sane clock
  t.wake();
  EXPECT_EQ(t.host.logged("millis_start"), "0");
}

TEST_F(HalTest, SensorReads) {
  twin t(library_->copy(0));
  t.host.sensors["temperature_c"] = 21.5;
  t.wake();
  EXPECT_EQ(t.host.logged("temp_rc"), std::to_string(TF_OK));
  EXPECT_EQ(t.host.logged("temp_centi"), "2150");
  EXPECT_EQ(t.host.logged("missing_rc"), std::to_string(TF_ERR_NOT_FOUND));
  EXPECT_EQ(t.host.logged("null_name_rc"), std::to_string(TF_ERR_INVALID));
  EXPECT_EQ(t.host.logged("null_value_rc"), std::to_string(TF_ERR_INVALID));
}

TEST_F(HalTest, RequestsTruncateCommandsAndMisuse) {
  twin t(library_->copy(0));
  const activation_result result = t.wake();
  // card.time answers {"zone":"UTC,Unknown"}; 4 bytes of room hold 3 characters and the NUL.
  EXPECT_EQ(t.host.logged("small_rc"), std::to_string(TF_ERR_NO_SPACE));
  EXPECT_EQ(t.host.logged("small_text"), R"({"z)");
  EXPECT_EQ(t.host.logged("cmd_rc"), "2");
  EXPECT_EQ(t.host.logged("cmd_text"), "{}");
  EXPECT_TRUE(t.host.comms().sync_wanted(t.host.now_us_)) << "the cmd acted";
  EXPECT_EQ(t.host.logged("null_request_rc"), std::to_string(TF_ERR_INVALID));
  EXPECT_EQ(t.host.logged("null_response_rc"), std::to_string(TF_ERR_INVALID));
  EXPECT_EQ(t.host.logged("discard_rc"), std::to_string(TF_ERR_NO_SPACE));
  EXPECT_GT(std::stoi(t.host.logged("garbage_rc")), 0) << "an err answer is still an answer";
  EXPECT_EQ(t.host.logged("garbage_is_error"), "yes");
  // Null sensor name, null value, null request, null response with room, null log text.
  EXPECT_EQ(result.misuse_count, 5u);
  // Requests that reached the module: small, cmd, discard, garbage.
  EXPECT_EQ(t.host.comms().counters().requests, 4u);
}

TEST_F(HalTest, AThrowingDeviceModelIsContained) {
  struct throwing_host final : testing::fake_host {
    bool read_sensor(std::string_view, std::int64_t, double&) override {
      throw std::runtime_error("model exploded");
    }
  };
  throwing_host host;
  std::vector<std::byte> image(library_->copy(0).pristine_image().begin(),
                               library_->copy(0).pristine_image().end());
  const activation_result result = library_->copy(0).activate(image, host, false);
  EXPECT_EQ(host.logged("temp_rc"), std::to_string(TF_ERR_NOT_FOUND));
  EXPECT_EQ(result.misuse_count, 5u + 2u) << "the usual five plus two reads that threw";
  EXPECT_TRUE(result.sleep_requested) << "the firmware ran to the end";
  twin after(library_->copy(0));
  EXPECT_TRUE(after.wake().sleep_requested) << "the copy is still usable";
}

TEST_F(HalTest, LastSleepRequestWins) {
  twin t(library_->copy(0));
  const activation_result result = t.wake();
  EXPECT_TRUE(result.sleep_requested);
  EXPECT_EQ(result.sleep_request_s, 20u);
}

}  // namespace
}  // namespace twelvefold::shim
