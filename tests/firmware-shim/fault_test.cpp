// Faults reset the twin like hardware: assert, abort, exit, a C++ exception, a runaway loop and
// the watchdog. The process goes on, the twin reboots (setup, then loop) at its next wake with
// a pristine RAM image, and the reset is counted in the image and reported.
#include <gtest/gtest.h>

#include <algorithm>

#include "test_support.hpp"
#include "twelvefold/firmware.h"

namespace twelvefold::shim {
namespace {

using testing::firmware_path;
using testing::twin;

enum fault_mode : int {
  none = 0,
  assert_fails = 1,
  aborts = 2,
  exits = 3,
  hangs = 4,
  delay_loop = 5,
  watchdog_asleep = 6,
  watchdog_kicked = 7,
};

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto library = firmware_library::load(firmware_path("test-fault"), 1);
    ASSERT_TRUE(library.has_value()) << library.error();
    library_ = std::move(*library);
  }

  // A twin that has booted and woken `wakes` times without fault.
  std::unique_ptr<twin> booted_twin(int wakes) {
    auto t = std::make_unique<twin>(library_->copy(0));
    t->boot();
    for (int i = 0; i < wakes; ++i) t->wake();
    t->host.logs.clear();
    return t;
  }

  [[nodiscard]] static bool logged_containing(const twin& t, std::string_view text) {
    return std::ranges::any_of(t.host.logs,
                               [&](const std::string& line) { return line.contains(text); });
  }

  std::unique_ptr<firmware_library> library_;
};

// The common shape of every fault: reset reported, wake at once, pristine image with a reboot
// pending; the next activation reboots (setup then loop) and the twin carries on.
void expect_reset_and_reboot(twin& t, const activation_result& faulted, reset_reason why,
                             std::uint32_t resets) {
  EXPECT_EQ(faulted.reset, why) << to_string(faulted.reset);
  EXPECT_EQ(faulted.resets, resets);
  EXPECT_FALSE(faulted.rebooted);
  EXPECT_TRUE(faulted.sleep_requested);
  EXPECT_EQ(faulted.sleep_request_s, 0u) << "woken at once to reboot";
  EXPECT_EQ(t.host.logged("survived"), "") << "nothing after the fault ran";

  t.host.sensors.erase("fault");
  t.host.logs.clear();
  const activation_result reboot = t.wake();
  EXPECT_EQ(reboot.reset, reset_reason::none);
  EXPECT_TRUE(reboot.rebooted);
  EXPECT_EQ(reboot.resets, resets);
  EXPECT_EQ(t.host.logged("boot_reason"), std::to_string(static_cast<int>(why)));
  EXPECT_EQ(t.host.logged("boot_count"), std::to_string(resets));
  EXPECT_EQ(t.host.logged("boots"), "1") << ".bss was pristine again";
  EXPECT_EQ(t.host.logged("wakes"), "1") << "loop ran after setup, from a pristine image";
  EXPECT_EQ(t.host.logged("values_sum"), "20") << ".data was pristine again (1+2+3+4 + 10)";
  EXPECT_TRUE(reboot.sleep_requested);
  EXPECT_EQ(reboot.sleep_request_s, 60u);

  const activation_result after = t.wake();
  EXPECT_FALSE(after.rebooted);
  EXPECT_EQ(after.resets, resets);
  EXPECT_EQ(t.host.logged("wakes"), "2");
}

TEST_F(FaultTest, AssertResetsTheTwinAndNamesTheAssertion) {
  auto t = booted_twin(3);
  t->host.sensors["fault"] = assert_fails;
  const activation_result faulted = t->wake();
  EXPECT_TRUE(logged_containing(*t, "firmware reset (assert): assertion failed:"));
  EXPECT_TRUE(logged_containing(*t, "wakes is small"));
  EXPECT_TRUE(logged_containing(*t, "test_fault.c"));
  expect_reset_and_reboot(*t, faulted, reset_reason::assertion, 1);
}

TEST_F(FaultTest, AbortResetsTheTwin) {
  auto t = booted_twin(2);
  t->host.sensors["fault"] = aborts;
  const activation_result faulted = t->wake();
  EXPECT_TRUE(logged_containing(*t, "firmware reset (abort): abort() called"));
  expect_reset_and_reboot(*t, faulted, reset_reason::abort, 1);
}

TEST_F(FaultTest, ExitResetsTheTwin) {
  auto t = booted_twin(1);
  t->host.sensors["fault"] = exits;
  const activation_result faulted = t->wake();
  EXPECT_TRUE(logged_containing(*t, "exit(3)"));
  expect_reset_and_reboot(*t, faulted, reset_reason::exit, 1);
}

TEST_F(FaultTest, LoopPollingAClockThatNeverMovesIsAHang) {
  auto t = booted_twin(1);
  t->host.sensors["fault"] = hangs;
  const activation_result faulted = t->wake();
  EXPECT_TRUE(logged_containing(*t, "firmware reset (hang): tf_millis: more than"));
  expect_reset_and_reboot(*t, faulted, reset_reason::hang, 1);
}

TEST_F(FaultTest, WatchdogBitesInsideADelayLoopAtItsDeadline) {
  auto t = booted_twin(1);
  t->host.sensors["fault"] = delay_loop;
  const activation_result faulted = t->wake();
  EXPECT_EQ(faulted.busy_us, 5'000'000) << "the MCU reset when the 5 s timeout ran out";
  EXPECT_TRUE(logged_containing(*t, "firmware reset (watchdog): watchdog not kicked for 5000 ms"));
  expect_reset_and_reboot(*t, faulted, reset_reason::watchdog, 1);
}

TEST_F(FaultTest, WatchdogShortensASleepAndBitesAtTheNextWake) {
  auto t = booted_twin(1);
  t->host.sensors["fault"] = watchdog_asleep;
  t->host.now_us_ = 100'000'000;
  const activation_result armed = t->wake();
  EXPECT_EQ(armed.reset, reset_reason::none);
  EXPECT_TRUE(armed.sleep_requested);
  EXPECT_EQ(armed.sleep_request_s, 10u) << "asked for 3600 s, but the watchdog bites after 10";

  t->host.sensors.erase("fault");
  t->host.logs.clear();
  t->host.now_us_ += 10'000'000;
  const activation_result bitten = t->wake();
  EXPECT_EQ(bitten.reset, reset_reason::watchdog);
  EXPECT_TRUE(bitten.rebooted) << "the reset happened while asleep: this wake is the reboot";
  EXPECT_EQ(bitten.resets, 1u);
  EXPECT_TRUE(logged_containing(*t, "(while asleep)"));
  EXPECT_EQ(t->host.logged("boot_reason"), std::to_string(TF_RESET_WATCHDOG));
  EXPECT_EQ(t->host.logged("wakes"), "1");
  EXPECT_EQ(bitten.sleep_request_s, 60u) << "after the reset the watchdog is stopped";
}

TEST_F(FaultTest, AFaultDuringAWatchdogRebootCountsBothResets) {
  auto t = booted_twin(1);
  t->host.sensors["fault"] = watchdog_asleep;
  t->host.now_us_ = 100'000'000;
  EXPECT_EQ(t->wake().sleep_request_s, 10u);
  t->host.now_us_ += 10'000'000;
  t->host.sensors["setup_fault"] = assert_fails;  // the reboot's setup() fails too
  const activation_result both = t->wake();
  EXPECT_TRUE(both.rebooted);
  EXPECT_EQ(both.reset, reset_reason::assertion);
  EXPECT_EQ(both.resets, 2u);
  t->host.sensors.erase("setup_fault");
  t->host.sensors.erase("fault");
  t->wake();
  EXPECT_EQ(t->host.logged("boot_count"), "2");
  EXPECT_EQ(t->host.logged("boot_reason"), std::to_string(TF_RESET_ASSERT));
}

TEST_F(FaultTest, AWatchdogThatIsKickedInTimeNeverBites) {
  auto t = booted_twin(0);
  t->host.sensors["fault"] = watchdog_kicked;
  for (int i = 0; i < 5; ++i) {
    const activation_result result = t->wake();
    EXPECT_EQ(result.reset, reset_reason::none);
    EXPECT_EQ(result.busy_us, 40'000'000) << "40 s awake, kicked every 2 s";
    EXPECT_EQ(result.sleep_request_s, 5u);
    t->host.now_us_ += result.busy_us + 5'000'000;
  }
  EXPECT_EQ(t->host.logged("wakes"), "5");
}

TEST_F(FaultTest, ResetsAccumulateAcrossReboots) {
  auto t = booted_twin(1);
  for (std::uint32_t n = 1; n <= 3; ++n) {
    t->host.sensors["fault"] = aborts;
    EXPECT_EQ(t->wake().resets, n);
    t->host.sensors.erase("fault");
    EXPECT_EQ(t->wake().resets, n);  // the reboot
    EXPECT_EQ(t->host.logged("boot_count"), std::to_string(n));
  }
}

TEST_F(FaultTest, AFaultInSetupIsABootLoopThatCostsOneActivationPerWake) {
  twin t(library_->copy(0));
  t.host.sensors["setup_fault"] = assert_fails;
  const activation_result first = t.boot();
  EXPECT_EQ(first.reset, reset_reason::assertion);
  for (std::uint32_t n = 2; n <= 4; ++n) {
    const activation_result again = t.wake();
    EXPECT_TRUE(again.rebooted);
    EXPECT_EQ(again.reset, reset_reason::assertion);
    EXPECT_EQ(again.resets, n);
    EXPECT_EQ(again.sleep_request_s, 0u);
  }
  t.host.sensors.erase("setup_fault");
  const activation_result fixed = t.wake();
  EXPECT_TRUE(fixed.rebooted);
  EXPECT_EQ(fixed.reset, reset_reason::none);
  EXPECT_EQ(t.host.logged("wakes"), "1");
}

TEST_F(FaultTest, AFaultLeavesOtherTwinsOnTheCopyAlone) {
  auto healthy = booted_twin(2);
  auto faulty = booted_twin(2);
  faulty->host.sensors["fault"] = aborts;
  faulty->wake();
  healthy->wake();
  EXPECT_EQ(healthy->host.logged("wakes"), "3");
  EXPECT_EQ(healthy->host.logged("survived"), "1");
}

TEST_F(FaultTest, PristineImageSurvivesFaults) {
  const std::vector<std::byte> before(library_->copy(0).pristine_image().begin(),
                                      library_->copy(0).pristine_image().end());
  auto t = booted_twin(1);
  t->host.sensors["fault"] = assert_fails;
  t->wake();
  t->wake();
  EXPECT_TRUE(std::ranges::equal(before, library_->copy(0).pristine_image()));
}

TEST(CppFirmware, AnEscapingExceptionResetsTheTwin) {
  auto library = firmware_library::load(firmware_path("test-throw"), 1);
  ASSERT_TRUE(library.has_value()) << library.error();
  EXPECT_EQ((*library)->metadata().heap_bytes, 1024u) << "TF_HEAP works from C++";
  twin t((*library)->copy(0));
  t.boot();
  t.wake();
  EXPECT_EQ(t.host.logs.back(), "wakes=1 name=cpp");
  t.host.sensors["throw"] = 1;
  const activation_result thrown = t.wake();
  EXPECT_EQ(thrown.reset, reset_reason::exception);
  EXPECT_EQ(thrown.misuse_count, 0u);
  EXPECT_NE(t.host.logs.back().find("loop gave up"), std::string::npos) << t.host.logs.back();
  t.host.sensors.erase("throw");
  const activation_result reboot = t.wake();
  EXPECT_TRUE(reboot.rebooted);
  EXPECT_EQ(t.host.logs.back(), "wakes=1 name=cpp") << "setup ran again, heap and all";
}

}  // namespace
}  // namespace twelvefold::shim
