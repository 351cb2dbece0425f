// RAM images: twins sharing a copy keep separate globals, pointers survive, copies run in
// parallel.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "test_support.hpp"

namespace twelvefold::shim {
namespace {

using testing::firmware_path;
using testing::twin;

std::unique_ptr<firmware_library> load(std::string_view name, int copies) {
  auto library = firmware_library::load(firmware_path(name), copies);
  EXPECT_TRUE(library.has_value()) << library.error();
  return library ? std::move(*library) : nullptr;
}

// The history array after `wakes` wakes of test-counter: slot i holds the last wake that wrote
// it, or its initial value 100 + i.
std::uint32_t expected_sum(std::uint32_t wakes) {
  std::uint32_t sum = 0;
  for (std::uint32_t slot = 0; slot < 8; ++slot) {
    std::uint32_t value = 100 + slot;
    for (std::uint32_t w = 1; w <= wakes; ++w) {
      if ((w - 1) % 8 == slot) value = w;
    }
    sum += value;
  }
  return sum;
}

std::string expected_line(std::uint32_t wakes, bool booted) {
  return "wakes=" + std::to_string(wakes) + " booted=" + (booted ? "1" : "0") +
         " slot=" + std::to_string(wakes % 8) + " sum=" + std::to_string(expected_sum(wakes));
}

TEST(RamImage, TwinsOnOneCopyKeepSeparateGlobals) {
  auto library = load("test-counter", 1);
  ASSERT_TRUE(library);
  firmware_copy& copy = library->copy(0);
  twin a(copy);
  twin b(copy);
  a.boot();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(a.wake().sleep_request_s, static_cast<unsigned>(i + 1));
  const activation_result b1 = b.wake();  // b never booted: setup() did not run for it
  EXPECT_EQ(b1.sleep_request_s, 1u);
  EXPECT_TRUE(b1.sleep_requested);
  const activation_result a4 = a.wake();
  EXPECT_EQ(a4.sleep_request_s, 4u);
  EXPECT_EQ(a.host.logs.back(), expected_line(4, true));
  EXPECT_EQ(b.host.logs.back(), expected_line(1, false));
}

TEST(RamImage, PointerGlobalsSurviveManySwaps) {
  auto library = load("test-counter", 1);
  ASSERT_TRUE(library);
  twin a(library->copy(0));
  twin b(library->copy(0));
  // Interleave unevenly so the cursors wrap around the array at different times.
  for (std::uint32_t round = 1; round <= 20; ++round) {
    a.wake();
    if (round % 3 == 0) b.wake();
  }
  EXPECT_EQ(a.host.logs.back(), expected_line(20, false));
  EXPECT_EQ(b.host.logs.back(), expected_line(6, false));
}

TEST(RamImage, PristineImageIsNeverChangedByActivations) {
  auto library = load("test-counter", 1);
  ASSERT_TRUE(library);
  firmware_copy& copy = library->copy(0);
  const std::vector<std::byte> before(copy.pristine_image().begin(), copy.pristine_image().end());
  twin a(copy);
  a.boot();
  a.wake();
  EXPECT_TRUE(std::ranges::equal(before, copy.pristine_image()));
  EXPECT_FALSE(std::ranges::equal(before, a.image)) << "the twin's own image did change";
  twin fresh(copy);
  fresh.wake();
  EXPECT_EQ(fresh.host.logs.back(), expected_line(1, false));
}

TEST(RamImage, CopiesHaveTheirOwnAddresses) {
  // The pointer global points into its own copy, so pristine images of two copies differ: this
  // is why a twin must stay bound to the copy its image came from.
  auto library = load("test-counter", 2);
  ASSERT_TRUE(library);
  EXPECT_FALSE(
      std::ranges::equal(library->copy(0).pristine_image(), library->copy(1).pristine_image()));
}

TEST(RamImage, WrongImageSizeIsRefusedNotRun) {
  auto library = load("test-counter", 1);
  ASSERT_TRUE(library);
  testing::fake_host host;
  std::vector<std::byte> image(library->metadata().ram_image_bytes + 1);
  const activation_result result = library->copy(0).activate(image, host, false);
  EXPECT_EQ(result.misuse_count, 1u);
  EXPECT_FALSE(result.sleep_requested);
  ASSERT_EQ(host.logs.size(), 1u);
  EXPECT_NE(host.logs[0].find("RAM image"), std::string::npos);
}

TEST(RamImage, TwoCopiesRunConcurrentlyWithoutInterference) {
  auto library = load("test-counter", 2);
  ASSERT_TRUE(library);
  constexpr int twins_per_thread = 3;
  constexpr std::uint32_t wakes_per_twin = 2000;
  std::vector<std::unique_ptr<twin>> twins;
  for (int copy = 0; copy < 2; ++copy) {
    for (int i = 0; i < twins_per_thread; ++i) {
      twins.push_back(std::make_unique<twin>(library->copy(copy)));
    }
  }
  // Thread c runs the twins of copy c; twin i of a thread wakes (i + 1) times per round, so
  // every twin ends with a different count.
  const auto run = [&](int copy) {
    for (std::uint32_t round = 0; round < wakes_per_twin; ++round) {
      for (int i = 0; i < twins_per_thread; ++i) {
        for (int k = 0; k <= i; ++k) twins[copy * twins_per_thread + i]->wake();
      }
    }
  };
  std::thread first(run, 0);
  std::thread second(run, 1);
  first.join();
  second.join();
  for (int copy = 0; copy < 2; ++copy) {
    for (int i = 0; i < twins_per_thread; ++i) {
      const twin& t = *twins[copy * twins_per_thread + i];
      const std::uint32_t wakes = wakes_per_twin * static_cast<std::uint32_t>(i + 1);
      EXPECT_EQ(t.host.logs.back(), expected_line(wakes, false))
          << "copy " << copy << " twin " << i;
      EXPECT_EQ(t.host.logs.size(), wakes);
    }
  }
}

TEST(RamImage, OneCopyOnTwoThreadsAtOnceIsRefusedNotCorrupted) {
  // A host whose sensor read blocks lets us hold one activation open while another thread tries
  // the same copy. test-counter reads no sensor, so use test-hal, which does.
  auto library = load("test-hal", 1);
  ASSERT_TRUE(library);
  firmware_copy& copy = library->copy(0);

  struct blocking_host final : testing::fake_host {
    std::atomic<bool> inside{false};
    std::atomic<bool> release{false};
    bool read_sensor(std::string_view name, std::int64_t at_us, double& value) override {
      inside = true;
      while (!release) std::this_thread::yield();
      return fake_host::read_sensor(name, at_us, value);
    }
  };
  blocking_host slow;
  std::vector<std::byte> slow_image(copy.pristine_image().begin(), copy.pristine_image().end());
  std::thread holder([&] { copy.activate(slow_image, slow, false); });
  while (!slow.inside) std::this_thread::yield();

  twin intruder(copy);
  const activation_result refused = intruder.wake();
  slow.release = true;
  holder.join();
  EXPECT_EQ(refused.misuse_count, 1u);
  EXPECT_FALSE(refused.sleep_requested);
  EXPECT_EQ(slow.logged("loops"), "1");
  EXPECT_EQ(intruder.wake().misuse_count, 5u) << "usable again once the other finished";
}

}  // namespace
}  // namespace twelvefold::shim
