// The twin heap's allocator on its own (runtime/heap_core.c): invariants under random use,
// alignment, realloc in place and by moving, the break given back, and bad input refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "heap_core.h"
#include "twelvefold/firmware.h"

namespace {

constexpr std::size_t arena_bytes = 8192;

class HeapCore : public ::testing::Test {
 protected:
  void* alloc(std::size_t bytes, std::size_t alignment = 16) {
    void* p = nullptr;
    EXPECT_EQ(tf_heap_alloc(arena_, arena_bytes, bytes, alignment, &p), TF_HEAP_OK) << bytes;
    return p;
  }
  int free_(void* p) { return tf_heap_free(arena_, arena_bytes, p); }
  tf_heap_stats check() {
    tf_heap_stats stats{};
    EXPECT_EQ(tf_heap_check(arena_, arena_bytes, &stats), TF_HEAP_OK);
    return stats;
  }

  alignas(16) unsigned char arena_[arena_bytes] = {};
};

TEST_F(HeapCore, NeverUsedArenaIsEmptyAndAllZero) {
  const tf_heap_stats stats = check();
  EXPECT_EQ(stats.break_bytes, 0u);
  EXPECT_EQ(stats.used_blocks, 0u);
}

TEST_F(HeapCore, BlocksAreAlignedAndTheBreakFallsBackWhenTheTopIsFreed) {
  void* a = alloc(1);
  void* b = alloc(40);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % 16, 0u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b) % 16, 0u);
  EXPECT_EQ(check().break_bytes, 16u + 32u + 64u);
  EXPECT_EQ(free_(b), TF_HEAP_OK);
  EXPECT_EQ(check().break_bytes, 16u + 32u) << "b was at the top: the break came back down";
  EXPECT_EQ(free_(a), TF_HEAP_OK);
  EXPECT_EQ(check().break_bytes, 16u);
}

TEST_F(HeapCore, FreedNeighboursCoalesce) {
  void* a = alloc(16);
  void* b = alloc(16);
  void* c = alloc(16);
  void* keep = alloc(16);
  EXPECT_EQ(free_(a), TF_HEAP_OK);
  EXPECT_EQ(free_(c), TF_HEAP_OK);
  EXPECT_EQ(check().free_blocks, 2u);
  EXPECT_EQ(free_(b), TF_HEAP_OK);
  const tf_heap_stats stats = check();
  EXPECT_EQ(stats.free_blocks, 1u);
  EXPECT_EQ(stats.free_bytes, 3u * 32u);
  void* big = alloc(80);  // fits the coalesced block exactly
  EXPECT_EQ(big, a);
  (void)keep;
}

TEST_F(HeapCore, LargeAlignmentsAreHonoured) {
  for (std::size_t alignment : {32u, 64u, 256u, 1024u}) {
    void* p = alloc(24, alignment);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % alignment, 0u) << alignment;
    check();
  }
  void* p = nullptr;
  EXPECT_EQ(tf_heap_alloc(arena_, arena_bytes, 8, 48, &p), TF_HEAP_INVALID);
}

TEST_F(HeapCore, ExhaustionFailsCleanly) {
  void* p = nullptr;
  EXPECT_EQ(tf_heap_alloc(arena_, arena_bytes, arena_bytes, 16, &p), TF_HEAP_NO_MEMORY);
  EXPECT_EQ(p, nullptr);
  EXPECT_EQ(tf_heap_alloc(arena_, arena_bytes, SIZE_MAX, 16, &p), TF_HEAP_NO_MEMORY);
  std::vector<void*> blocks;
  while (tf_heap_alloc(arena_, arena_bytes, 100, 16, &p) == TF_HEAP_OK) blocks.push_back(p);
  EXPECT_GT(blocks.size(), 60u);
  check();
  for (void* b : blocks) EXPECT_EQ(free_(b), TF_HEAP_OK);
  EXPECT_EQ(check().break_bytes, 16u);
}

TEST_F(HeapCore, ReallocGrowsInPlaceWhereItCanAndKeepsContents) {
  auto* p = static_cast<unsigned char*>(alloc(20));
  std::memset(p, 7, 20);
  void* q = nullptr;
  EXPECT_EQ(tf_heap_resize(arena_, arena_bytes, p, 500, &q), TF_HEAP_OK);
  EXPECT_EQ(q, p) << "the top block grows into the break";
  void* fence = alloc(16);
  EXPECT_EQ(tf_heap_resize(arena_, arena_bytes, p, 1000, &q), TF_HEAP_OK);
  EXPECT_NE(q, p) << "fenced in: moved";
  EXPECT_TRUE(std::all_of(static_cast<unsigned char*>(q), static_cast<unsigned char*>(q) + 20,
                          [](unsigned char c) { return c == 7; }));
  void* r = nullptr;
  EXPECT_EQ(tf_heap_resize(arena_, arena_bytes, q, 10, &r), TF_HEAP_OK);
  EXPECT_EQ(r, q) << "shrinking stays in place";
  EXPECT_EQ(tf_heap_usable(arena_, arena_bytes, r), 16u);
  check();
  (void)fence;
}

TEST_F(HeapCore, ReallocAbsorbsAFreeNeighbour) {
  void* a = alloc(16);
  void* b = alloc(64);
  void* fence = alloc(16);
  EXPECT_EQ(free_(b), TF_HEAP_OK);
  void* q = nullptr;
  EXPECT_EQ(tf_heap_resize(arena_, arena_bytes, a, 48, &q), TF_HEAP_OK);
  EXPECT_EQ(q, a);
  check();
  (void)fence;
}

TEST_F(HeapCore, BadPointersAndDoubleFreesChangeNothing) {
  void* a = alloc(32);
  void* fence = alloc(32);
  const std::vector<unsigned char> before(arena_, arena_ + arena_bytes);
  int on_stack = 0;
  EXPECT_EQ(free_(&on_stack), TF_HEAP_BAD_POINTER);
  EXPECT_EQ(free_(static_cast<unsigned char*>(a) + 16), TF_HEAP_BAD_POINTER) << "inside a block";
  EXPECT_EQ(free_(arena_ + arena_bytes - 16), TF_HEAP_BAD_POINTER) << "beyond the break";
  EXPECT_TRUE(std::equal(before.begin(), before.end(), arena_));
  EXPECT_EQ(free_(a), TF_HEAP_OK);
  EXPECT_EQ(free_(a), TF_HEAP_DOUBLE_FREE);
  void* q = nullptr;
  EXPECT_EQ(tf_heap_resize(arena_, arena_bytes, a, 8, &q), TF_HEAP_DOUBLE_FREE);
  check();
  (void)fence;
}

TEST_F(HeapCore, FreeInANeverUsedArenaIsABadPointer) {
  int x = 0;
  EXPECT_EQ(free_(&x), TF_HEAP_BAD_POINTER);
  EXPECT_EQ(free_(nullptr), TF_HEAP_OK);
}

TEST_F(HeapCore, OverwrittenBookkeepingIsReportedAsCorrupt) {
  auto* a = static_cast<unsigned char*>(alloc(16));
  void* victim = alloc(16);
  void* fence = alloc(16);
  EXPECT_EQ(free_(victim), TF_HEAP_OK);
  std::memset(a, 0x5a, 48);  // a's payload, then the free victim's header
  void* p = nullptr;
  EXPECT_EQ(tf_heap_alloc(arena_, arena_bytes, 4000, 16, &p), TF_HEAP_CORRUPT);
  EXPECT_EQ(tf_heap_check(arena_, arena_bytes, nullptr), TF_HEAP_CORRUPT);
  arena_[0] ^= 1;  // the heap header itself
  EXPECT_EQ(tf_heap_alloc(arena_, arena_bytes, 16, 16, &p), TF_HEAP_CORRUPT);
  (void)fence;
}

TEST_F(HeapCore, TooSmallArenaIsInvalid) {
  void* p = nullptr;
  EXPECT_EQ(tf_heap_alloc(arena_, 32, 1, 16, &p), TF_HEAP_INVALID);
}

// Random malloc/free/realloc against a model of what each live block must contain.
TEST_F(HeapCore, RandomUseKeepsEveryInvariantAndEveryByte) {
  std::mt19937 random(12345);
  std::map<unsigned char*, std::pair<std::size_t, unsigned char>> live;  // size, fill byte
  unsigned char fill = 1;
  const auto intact = [&] {
    for (const auto& [p, what] : live) {
      for (std::size_t i = 0; i < what.first; ++i) {
        if (p[i] != what.second) return false;
      }
    }
    return true;
  };
  for (int step = 0; step < 20000; ++step) {
    const int op = static_cast<int>(random() % 10);
    if (op < 5 || live.empty()) {
      const std::size_t size = random() % 300;
      const std::size_t alignment = std::size_t{16} << (random() % 3);
      void* p = nullptr;
      const int status = tf_heap_alloc(arena_, arena_bytes, size, alignment, &p);
      if (status == TF_HEAP_OK) {
        ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % alignment, 0u);
        std::memset(p, ++fill, size);
        live[static_cast<unsigned char*>(p)] = {size, fill};
      } else {
        ASSERT_EQ(status, TF_HEAP_NO_MEMORY);
      }
    } else if (op < 8) {
      auto it = std::next(live.begin(), static_cast<long>(random() % live.size()));
      ASSERT_EQ(free_(it->first), TF_HEAP_OK);
      live.erase(it);
    } else {
      auto it = std::next(live.begin(), static_cast<long>(random() % live.size()));
      const std::size_t size = 1 + random() % 400;
      void* q = nullptr;
      const int status = tf_heap_resize(arena_, arena_bytes, it->first, size, &q);
      if (status == TF_HEAP_OK) {
        auto* moved = static_cast<unsigned char*>(q);
        const auto [old_size, old_fill] = it->second;
        for (std::size_t i = 0; i < std::min(old_size, size); ++i) ASSERT_EQ(moved[i], old_fill);
        live.erase(it);
        std::memset(moved, ++fill, size);
        live[moved] = {size, fill};
      } else {
        ASSERT_EQ(status, TF_HEAP_NO_MEMORY);
      }
    }
    if (step % 97 == 0) {
      ASSERT_EQ(tf_heap_check(arena_, arena_bytes, nullptr), TF_HEAP_OK) << "step " << step;
      ASSERT_TRUE(intact()) << "step " << step;
    }
  }
  for (const auto& [p, what] : live) ASSERT_EQ(free_(p), TF_HEAP_OK);
  EXPECT_EQ(check().break_bytes, 16u) << "everything freed: only the header is left";
}

}  // namespace
