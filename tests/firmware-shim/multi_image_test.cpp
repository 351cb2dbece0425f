// Several different firmware images in one run, their twins interleaved on one thread; and the
// binding of every RAM image to the copy it was saved from, checked on every activation.
#include <gtest/gtest.h>

#include <algorithm>

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

TEST(MultiImage, DifferentImagesInterleaveWithoutInterference) {
  auto counter = load("test-counter", 2);
  auto heap = load("test-heap", 2);
  auto sensor = load("env-sensor", 2);
  ASSERT_TRUE(counter && heap && sensor);
  EXPECT_NE(counter->metadata().ram_image_bytes, heap->metadata().ram_image_bytes);

  // Two twins of each image on each of two copies, run in one interleaved sequence as a shard
  // with a mixed fleet does.
  std::vector<std::unique_ptr<twin>> counters, heaps, sensors;
  for (int copy = 0; copy < 2; ++copy) {
    for (int i = 0; i < 2; ++i) {
      counters.push_back(std::make_unique<twin>(counter->copy(copy)));
      heaps.push_back(std::make_unique<twin>(heap->copy(copy)));
      heaps.back()->host.sensors["twin_id"] = copy * 2 + i;
      heaps.back()->boot();
      sensors.push_back(std::make_unique<twin>(sensor->copy(copy)));
      sensors.back()->host.sensors["temperature_c"] = 20.0 + copy * 2 + i;
      sensors.back()->boot();
    }
  }
  constexpr int rounds = 25;
  for (int round = 1; round <= rounds; ++round) {
    for (std::size_t i = 0; i < counters.size(); ++i) {
      counters[i]->wake();
      heaps[i]->wake();
      sensors[i]->wake();
      sensors[i]->host.now_us_ += 15 * 60 * 1'000'000LL;
    }
  }
  for (std::size_t i = 0; i < counters.size(); ++i) {
    EXPECT_TRUE(counters[i]->host.logs.back().starts_with("wakes=25 booted=0"))
        << counters[i]->host.logs.back();
    EXPECT_EQ(heaps[i]->host.logged("twin"), std::to_string(i));
    EXPECT_EQ(heaps[i]->host.logged("items_ok"), "1");
    EXPECT_EQ(heaps[i]->host.logged("big_ok"), "1");
    EXPECT_EQ(sensors[i]->host.comms().counters().notes_added, static_cast<unsigned>(rounds));
  }
}

// The log line test-counter writes after `wakes` wakes (see ram_image_test.cpp): its history
// array holds, per slot, the last wake that wrote it or its initial value 100 + slot.
std::string counter_line(std::uint32_t wakes) {
  std::uint32_t sum = 0;
  for (std::uint32_t slot = 0; slot < 8; ++slot) {
    std::uint32_t value = 100 + slot;
    for (std::uint32_t w = 1; w <= wakes; ++w) {
      if ((w - 1) % 8 == slot) value = w;
    }
    sum += value;
  }
  return "wakes=" + std::to_string(wakes) + " booted=0 slot=" + std::to_string(wakes % 8) +
         " sum=" + std::to_string(sum);
}

TEST(MultiImage, TenThousandTwinsInterleavedInRandomOrderKeepSeparateState) {
  auto library = load("test-counter", 2);
  ASSERT_TRUE(library);
  constexpr std::size_t twins = 10'000;
  const std::size_t image_bytes = library->metadata().ram_image_bytes;
  // Images back to back, bound to copy (i % 2), as a shard keeps them; one host for all (the
  // firmware only logs), remembering each twin's last line.
  std::vector<std::byte> images(twins * image_bytes);
  for (std::size_t i = 0; i < twins; ++i) {
    const auto pristine = library->copy(static_cast<int>(i % 2)).pristine_image();
    std::ranges::copy(pristine, images.begin() + static_cast<std::ptrdiff_t>(i * image_bytes));
  }
  std::vector<std::uint32_t> wakes(twins, 0);
  testing::fake_host host;
  std::uint64_t random = 12345;  // a fixed LCG: a reproducible, thoroughly mixed order
  for (int step = 0; step < 100'000; ++step) {
    random = random * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::size_t i = static_cast<std::size_t>(random >> 33) % twins;
    const activation_result result =
        library->copy(static_cast<int>(i % 2))
            .activate({images.data() + i * image_bytes, image_bytes}, host, false);
    ASSERT_EQ(result.misuse_count, 0u);
    ++wakes[i];
    ASSERT_EQ(host.logs.back(), counter_line(wakes[i])) << "twin " << i;
    ASSERT_EQ(result.sleep_request_s, wakes[i]);
  }
  EXPECT_GT(*std::ranges::max_element(wakes), 20u);
}

TEST(MultiImage, AnImageRunOnAnotherCopyIsRefusedAndLeftUnchanged) {
  auto library = load("test-counter", 2);
  ASSERT_TRUE(library);
  twin t(library->copy(0));
  t.wake();
  const std::vector<std::byte> saved = t.image;
  testing::fake_host host;
  const activation_result refused = library->copy(1).activate(t.image, host, false);
  EXPECT_EQ(refused.misuse_count, 1u);
  EXPECT_FALSE(refused.sleep_requested);
  ASSERT_EQ(host.logs.size(), 1u);
  EXPECT_NE(host.logs[0].find("not saved from this copy"), std::string::npos) << host.logs[0];
  EXPECT_EQ(t.image, saved);
  EXPECT_EQ(t.wake().misuse_count, 0u) << "still fine on its own copy";
}

TEST(MultiImage, AnImageOfAnotherLibraryIsRefusedEvenWhenTheSizeMatches) {
  auto first = load("test-counter", 1);
  auto second = load("test-counter", 1);
  ASSERT_TRUE(first && second);
  ASSERT_EQ(first->metadata().ram_image_bytes, second->metadata().ram_image_bytes);
  twin t(first->copy(0));
  testing::fake_host host;
  EXPECT_EQ(second->copy(0).activate(t.image, host, false).misuse_count, 1u);
}

TEST(MultiImage, AnUninitialisedImageIsRefused) {
  auto library = load("test-counter", 1);
  ASSERT_TRUE(library);
  std::vector<std::byte> zeros(library->metadata().ram_image_bytes);
  testing::fake_host host;
  EXPECT_EQ(library->copy(0).activate(zeros, host, true).misuse_count, 1u);
}

}  // namespace
}  // namespace twelvefold::shim
