// module: many instances interleaved (and on two threads at once) keep entirely separate state —
// the per-thread parse buffers and scratch strings must never leak from one twin to another.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <thread>
#include <vector>

#include "module_test_support.hpp"
#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {
namespace {

using nlohmann::json;

std::string num(std::size_t i) { return std::to_string(i); }

// One round of a twin's life, parameterised by its index so every twin's state is distinct.
void act(module& m, std::size_t i, int round, std::int64_t now_us) {
  const std::string id = num(i);
  if (round == 0) {
    m.request(R"({"req":"hub.set","product":"p","sn":"dev-)" + id + R"("})", now_us);
    // An escaped name and value: decoded through the per-thread scratch strings.
    m.request(R"({"req":"env.set","name":"n\u0061me","text":"v\u005f)" + id + R"("})", now_us);
    m.request(R"({"req":"note.template","file":"t.qo","format":"compact","body":{"i":14,"s":")" +
                  std::string(1 + i % 5, 'x') + R"("}})",
              now_us);
    m.request(R"({"req":"card.attn","mode":"arm,files","files":["in)" + id + R"(.qi"]})", now_us);
  }
  m.request(R"({"req":"note.add","file":"t.qo","body":{"i":)" + id + R"(,"s":"abcdef"}})", now_us);
  m.request(R"({"req":"note.update","file":"c.db","note":"k)" + id + R"(","body":{"r":)" +
                std::to_string(round) + "}}",
            now_us);
  if (round == 1) m.request(R"({"req":"web.post","route":"r)" + id + R"(","async":true})", now_us);
}

void check(module& m, std::size_t i, int rounds) {
  const std::string id = num(i);
  EXPECT_EQ(m.serial(), "dev-" + id);
  EXPECT_EQ(m.env_value("name"), "v_" + id);
  EXPECT_EQ(m.counters().notes_added, static_cast<std::uint64_t>(rounds));
  EXPECT_EQ(m.counters().request_errors, 0u) << i;
  const json db =
      json::parse(m.request(R"({"req":"note.get","file":"c.db","note":"k)" + id + "\"}", 0));
  EXPECT_EQ(db["body"]["r"], rounds - 1);
  m.request(R"({"req":"hub.sync"})", 0);
  const auto up = m.begin_session(0);
  ASSERT_EQ(up.notes.size(), static_cast<std::size_t>(rounds));
  const std::string s(std::min<std::size_t>(1 + i % 5, 6), 'x');
  EXPECT_EQ(up.notes[0].body_json,
            R"({"i":)" + id + R"(,"s":")" + std::string("abcdef").substr(0, s.size()) + "\"}");
  EXPECT_EQ(up.notes[0].templated.size(), 4 + s.size());
  ASSERT_EQ(up.templates.size(), 1u);
  ASSERT_EQ(up.web_requests.size(), 1u);
  EXPECT_EQ(up.web_requests[0].route, "r" + id);
  // Only this twin's watched file wakes it.
  sync_downlink down;
  down.utc_us = 1'700'000'000'000'000;
  down.env_changed = false;
  down.inbound = {testing::queued("in" + num(i + 1) + ".qi", "{}")};
  m.end_sync(1, &down);
  EXPECT_EQ(m.attn_wake_us(), std::nullopt) << i;
}

TEST(ModuleInstances, TwoInterleavedModulesKeepSeparateState) {
  std::vector<module> twins(2);
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < twins.size(); ++i) act(twins[i], i, round, round * 1'000'000LL);
  }
  for (std::size_t i = 0; i < twins.size(); ++i) check(twins[i], i, 3);
}

TEST(ModuleInstances, TenThousandInterleavedModulesKeepSeparateState) {
  constexpr std::size_t count = 10'000;
  std::vector<module> twins(count);
  for (int round = 0; round < 3; ++round) {
    // A stride walk, so neighbours in memory are not neighbours in time.
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t i = (k * 7919) % count;
      act(twins[i], i, round, round * 1'000'000LL);
    }
  }
  for (std::size_t i = 0; i < count; ++i) check(twins[i], i, 3);
}

TEST(ModuleInstances, TwoThreadsEachWithTheirOwnTwins) {
  constexpr std::size_t count = 2'000;
  std::vector<module> twins(count);
  const auto run = [&](std::size_t first) {
    for (int round = 0; round < 3; ++round) {
      for (std::size_t i = first; i < count; i += 2) act(twins[i], i, round, round * 1'000'000LL);
    }
  };
  std::thread a(run, 0);
  std::thread b(run, 1);
  a.join();
  b.join();
  for (std::size_t i = 0; i < count; ++i) check(twins[i], i, 3);
}

TEST(ModuleInstances, CopiesAndMovesAreIndependentTwins) {
  module original;
  act(original, 1, 0, 0);
  module copy = original;
  copy.request(R"({"req":"env.set","name":"name","text":"changed"})", 0);
  copy.request(R"({"req":"note.update","file":"c.db","note":"k1","body":{"r":9}})", 0);
  EXPECT_EQ(original.env_value("name"), "v_1");
  EXPECT_EQ(json::parse(original.request(R"({"req":"note.get","file":"c.db","note":"k1"})",
                                         0))["body"]["r"],
            0);
  module moved = std::move(copy);
  EXPECT_EQ(moved.env_value("name"), "changed");
  std::vector<module> grown;
  for (int i = 0; i < 100; ++i) grown.push_back(original);  // reallocation moves them
  EXPECT_EQ(grown.front().env_value("name"), "v_1");
}

}  // namespace
}  // namespace twelvefold::shim
