// Firmware with a large .bss, pointer globals and malloc: every twin keeps its own heap in its
// RAM image, interleaved twins never see each other's blocks, misuse is counted and heap
// corruption resets the twin.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "test_support.hpp"
#include "twelvefold/firmware.h"

namespace twelvefold::shim {
namespace {

using testing::firmware_path;
using testing::twin;

constexpr std::size_t big_bss_bytes = 64 * 1024;
constexpr std::size_t heap_bytes = 16 * 1024;

class HeapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto library = firmware_library::load(firmware_path("test-heap"), 1);
    ASSERT_TRUE(library.has_value()) << library.error();
    library_ = std::move(*library);
  }

  std::unique_ptr<twin> make_twin(int id) {
    auto t = std::make_unique<twin>(library_->copy(0));
    t->host.sensors["twin_id"] = id;
    t->boot();
    return t;
  }

  static void expect_healthy(const twin& t, int id, int wakes) {
    EXPECT_EQ(t.host.logged("twin"), std::to_string(id));
    EXPECT_EQ(t.host.logged("wakes"), std::to_string(wakes));
    EXPECT_EQ(t.host.logged("items"), std::to_string(std::min(wakes, 6)));
    EXPECT_EQ(t.host.logged("items_ok"), "1") << "twin " << id;
    EXPECT_EQ(t.host.logged("big_ok"), "1") << "twin " << id;
    EXPECT_EQ(t.host.logged("calloc_ok"), "1") << "twin " << id;
  }

  std::unique_ptr<firmware_library> library_;
};

TEST_F(HeapTest, ImageHoldsTheBigBssAndTheHeap) {
  const firmware_metadata& meta = library_->metadata();
  EXPECT_EQ(meta.heap_bytes, heap_bytes);
  EXPECT_GE(meta.ram_image_bytes, big_bss_bytes + heap_bytes);
}

TEST_F(HeapTest, InterleavedTwinsKeepTheirOwnHeapsAndGlobals) {
  auto a = make_twin(1);
  auto b = make_twin(2);
  // Uneven interleaving, so the two heaps have different shapes at every swap.
  int a_wakes = 0;
  int b_wakes = 0;
  for (int round = 1; round <= 40; ++round) {
    a->wake();
    ++a_wakes;
    expect_healthy(*a, 1, a_wakes);
    if (round % 3 != 0) {
      b->wake();
      ++b_wakes;
      expect_healthy(*b, 2, b_wakes);
    }
  }
  for (const auto* t : {a.get(), b.get()}) {
    for (const auto& line : t->host.logs) EXPECT_EQ(line.find("alloc_failed"), std::string::npos);
  }
}

TEST_F(HeapTest, ManyTwinsOnOneCopyStayApart) {
  std::vector<std::unique_ptr<twin>> twins;
  for (int id = 0; id < 12; ++id) twins.push_back(make_twin(id));
  for (int round = 1; round <= 10; ++round) {
    for (int id = 0; id < 12; ++id) {
      twins[id]->wake();
      expect_healthy(*twins[id], id, round);
    }
  }
}

// Where the arena is in a twin's image: its header is the only place holding TF_HEAP_MAGIC
// followed by a plausible break.
std::size_t find_arena(const std::vector<std::byte>& image) {
  for (std::size_t i = 0; i + sizeof(tf_heap_header) <= image.size(); ++i) {
    tf_heap_header header;
    std::memcpy(&header, image.data() + i, sizeof header);
    if (header.magic == TF_HEAP_MAGIC && header.break_bytes >= 16 &&
        header.break_bytes <= heap_bytes && header.break_bytes % 16 == 0) {
      return i;
    }
  }
  return image.size();
}

TEST_F(HeapTest, TheArenaBeyondTheBreakIsNeverSwapped) {
  auto t = make_twin(5);
  for (int i = 0; i < 8; ++i) t->wake();
  const std::size_t arena = find_arena(t->image);
  ASSERT_LT(arena, t->image.size());
  tf_heap_header header;
  std::memcpy(&header, t->image.data() + arena, sizeof header);
  ASSERT_LT(header.break_bytes, heap_bytes / 2) << "a handful of small blocks";
  // Poison the image beyond the break (with a margin for this wake's growth): a restore that
  // copied it would hand it to the allocator, a save that copied the arena whole would overwrite
  // it. Neither may happen.
  const std::size_t poison_from = arena + header.break_bytes + 1024;
  const std::size_t poison_to = arena + heap_bytes;
  std::memset(t->image.data() + poison_from, 0xab, poison_to - poison_from);
  t->wake();
  expect_healthy(*t, 5, 9);
  std::memcpy(&header, t->image.data() + arena, sizeof header);
  EXPECT_LE(arena + header.break_bytes, poison_from);
  for (std::size_t i = poison_from; i < poison_to; ++i) {
    ASSERT_EQ(t->image[i], std::byte{0xab}) << "arena byte " << i - arena << " was swapped";
  }
}

TEST_F(HeapTest, DoubleFreeAndForeignFreeAreCountedNotFatal) {
  auto t = make_twin(3);
  t->wake();
  t->host.logs.clear();
  t->host.sensors["heap_mode"] = 1;
  activation_result result = t->wake();
  EXPECT_EQ(result.misuse_count, 1u);
  EXPECT_EQ(result.reset, reset_reason::none);
  EXPECT_TRUE(std::ranges::any_of(t->host.logs, [](const std::string& line) {
    return line.contains("free: block already freed (double free)");
  }));
  expect_healthy(*t, 3, 2);

  t->host.logs.clear();
  t->host.sensors["heap_mode"] = 2;
  result = t->wake();
  EXPECT_EQ(result.misuse_count, 2u) << "a stack and a .bss pointer";
  EXPECT_EQ(result.reset, reset_reason::none);
  expect_healthy(*t, 3, 3);
}

TEST_F(HeapTest, OverwrittenBookkeepingResetsTheTwin) {
  auto t = make_twin(4);
  t->wake();
  t->host.sensors["heap_mode"] = 3;
  const activation_result result = t->wake();
  EXPECT_EQ(result.reset, reset_reason::heap);
  t->host.sensors.erase("heap_mode");
  t->wake();  // the reboot: a fresh heap
  expect_healthy(*t, 4, 1);
}

TEST_F(HeapTest, ExhaustionReturnsNullAndLogs) {
  auto t = make_twin(6);
  t->host.sensors["heap_mode"] = 4;
  const activation_result result = t->wake();
  EXPECT_EQ(result.reset, reset_reason::none);
  EXPECT_EQ(result.misuse_count, 0u);
  EXPECT_EQ(t->host.logged("huge_is_null"), "1");
  bool logged = false;
  for (const auto& line : t->host.logs) logged |= line.contains("heap of 16384 bytes exhausted");
  EXPECT_TRUE(logged);
  expect_healthy(*t, 6, 1);
}

TEST_F(HeapTest, ImagesWithoutAHeapPayNothing) {
  auto library = firmware_library::load(firmware_path("test-counter"), 1);
  ASSERT_TRUE(library.has_value()) << library.error();
  EXPECT_EQ((*library)->metadata().heap_bytes, 0u);
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT((*library)->metadata().ram_image_bytes, 256u);
#endif
}

}  // namespace
}  // namespace twelvefold::shim
