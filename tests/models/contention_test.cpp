#include "twelvefold/models/contention.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace twelvefold::models {
namespace {

// ---- LoRa airtime (Semtech AN1200.22) ----

TEST(LoraAirtime, GoldenValues) {
  // PHY payload = application payload + 13 bytes of LoRaWAN framing. Reference values of the
  // AN1200.22 formula (as the Semtech / TTN airtime calculators give them).
  EXPECT_EQ(lora_airtime_us(23, 7), 61'696);      // 10-byte payload, SF7: 61.7 ms
  EXPECT_EQ(lora_airtime_us(23, 12), 1'482'752);  // 10-byte payload, SF12: 1482.8 ms
  EXPECT_EQ(lora_airtime_us(64, 12), 2'793'472);  // 51-byte payload (SF12 max): 2793.5 ms
  EXPECT_EQ(lora_airtime_us(64, 7), 118'016);     // 51 bytes at SF7: 118.0 ms
}

TEST(LoraAirtime, MatchesTheFormulaEverywhere) {
  for (int sf = 7; sf <= 12; ++sf) {
    const double t_sym = std::pow(2.0, sf) / 125e3;
    const int de = sf >= 11 ? 1 : 0;
    std::int64_t previous = 0;
    for (std::uint32_t pl = 0; pl <= 255; ++pl) {
      const double n_payload =
          8 + std::max(std::ceil((8.0 * pl - 4.0 * sf + 28 + 16) / (4.0 * (sf - 2 * de))) * 5, 0.0);
      const double expected_us = (8 + 4.25 + n_payload) * t_sym * 1e6;
      const std::int64_t got = lora_airtime_us(pl, sf);
      ASSERT_NEAR(static_cast<double>(got), expected_us, 0.5) << sf << " " << pl;
      ASSERT_GE(got, previous);
      previous = got;
    }
  }
}

TEST(LoraDutyCycle, OffTimeIsNinetyNineAirtimes) {
  EXPECT_EQ(lora_next_allowed_us(1'000'000, 1'000'000), 100'000'000);
  EXPECT_EQ(lora_next_allowed_us(0, 61'696), 99 * 61'696);
}

// ---- LoRa collisions ----

lora_tx frame(std::uint32_t twin, std::int64_t start_us, double rssi_dbm, std::uint8_t sf = 7,
              std::uint32_t gateway = 1, std::uint8_t channel = 0) {
  lora_tx t;
  t.twin = twin;
  t.gateway = gateway;
  t.sf = sf;
  t.channel = channel;
  t.start_us = start_us;
  t.airtime_us = 100'000;
  t.rssi_dbm = rssi_dbm;
  return t;
}

TEST(LoraCollisions, OverlapCaptureAndOrthogonality) {
  // Two equal frames overlapping: both lost.
  EXPECT_EQ(resolve_lora({frame(1, 0, -100), frame(2, 50'000, -100)}),
            (std::vector<bool>{false, false}));
  // Back to back (no overlap): both received.
  EXPECT_EQ(resolve_lora({frame(1, 0, -100), frame(2, 100'000, -100)}),
            (std::vector<bool>{true, true}));
  // 6 dB stronger captures (6.1 here, clear of rounding at the threshold); 5 dB does not.
  EXPECT_EQ(resolve_lora({frame(1, 0, -93.9), frame(2, 50'000, -100)}),
            (std::vector<bool>{true, false}));
  EXPECT_EQ(resolve_lora({frame(1, 0, -95), frame(2, 50'000, -100)}),
            (std::vector<bool>{false, false}));
  // Interferers add up: two at -100 dBm make -97 dBm; -94 dBm is only 3 dB above.
  EXPECT_EQ(resolve_lora({frame(1, 0, -94), frame(2, 10'000, -100), frame(3, 60'000, -100)}),
            (std::vector<bool>{false, false, false}));
  // Other SF, other channel, other gateway: no interference.
  EXPECT_EQ(resolve_lora({frame(1, 0, -100, 7), frame(2, 50'000, -100, 8)}),
            (std::vector<bool>{true, true}));
  EXPECT_EQ(resolve_lora({frame(1, 0, -100, 7, 1, 0), frame(2, 50'000, -100, 7, 1, 2)}),
            (std::vector<bool>{true, true}));
  EXPECT_EQ(resolve_lora({frame(1, 0, -100, 7, 1), frame(2, 50'000, -100, 7, 2)}),
            (std::vector<bool>{true, true}));
}

TEST(LoraCollisions, AnyGatewayIsEnough) {
  // Twin 1 collides at gateway 1 but gateway 2 hears it alone: received (both entries say so).
  const std::vector<lora_tx> txs = {frame(1, 0, -100, 7, 1), frame(2, 50'000, -100, 7, 1),
                                    frame(1, 0, -120, 7, 2)};
  EXPECT_EQ(resolve_lora(txs), (std::vector<bool>{true, false, true}));
}

TEST(LoraCollisions, OrderDoesNotMatter) {
  std::vector<lora_tx> txs;
  random_stream rng(1);
  for (std::uint32_t i = 0; i < 500; ++i) {
    txs.push_back(frame(i, static_cast<std::int64_t>(rng.uniform(0, 5e6)), rng.uniform(-120, -90),
                        static_cast<std::uint8_t>(7 + rng.below(2)), 1,
                        static_cast<std::uint8_t>(rng.below(3))));
  }
  const std::vector<bool> forward = resolve_lora(txs);
  std::vector<lora_tx> reversed(txs.rbegin(), txs.rend());
  std::vector<bool> backward = resolve_lora(reversed);
  std::vector<bool> unreversed(backward.rbegin(), backward.rend());
  EXPECT_EQ(forward, unreversed);
}

// ---- Random access ----

std::vector<rach_result> rach(int devices, const rach_params& p, std::uint64_t seed,
                              std::int64_t spread_us = 0) {
  std::vector<rach_attempt> attempts;
  std::vector<random_stream> streams;
  streams.reserve(static_cast<std::size_t>(devices));
  for (int d = 0; d < devices; ++d) {
    attempts.push_back(
        {static_cast<std::uint32_t>(d), 1, spread_us > 0 ? (spread_us * d) / devices : 0});
    streams.emplace_back(seed, static_cast<std::uint64_t>(d), stream_purpose::session);
  }
  std::vector<random_stream*> rngs;
  for (auto& s : streams) rngs.push_back(&s);
  return resolve_rach(attempts, rngs, p);
}

TEST(Rach, LoneDeviceSucceedsAtTheNextOpportunity) {
  std::vector<rach_attempt> attempts = {{1, 1, 12'345}};
  random_stream s(1);
  std::vector<random_stream*> rngs = {&s};
  const auto r = resolve_rach(attempts, rngs, {});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].success);
  EXPECT_EQ(r[0].attempts, 1);
  EXPECT_EQ(r[0].delay_us, 20'000 - 12'345);  // next 10 ms boundary
}

TEST(Rach, StormResolvesWithBackoffAndDeterminism) {
  const rach_params p;
  const auto a = rach(300, p, 9);
  const auto b = rach(300, p, 9);
  int ok = 0;
  std::int64_t max_delay = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].success, b[i].success);
    ASSERT_EQ(a[i].delay_us, b[i].delay_us);
    ok += a[i].success;
    max_delay = std::max(max_delay, a[i].delay_us);
    EXPECT_LE(a[i].attempts, p.max_attempts);
  }
  // 300 at once on 54 preambles: most get through within the 10 attempts, some give up.
  EXPECT_GT(ok, 150);
  EXPECT_GT(max_delay, 50'000);
  // Spread over 10 s the same devices barely collide.
  const auto spread = rach(300, p, 9, 10'000'000);
  int spread_ok = 0;
  for (const auto& r : spread) spread_ok += r.success;
  EXPECT_EQ(spread_ok, 300);
}

TEST(Rach, CellsAreIndependent) {
  std::vector<rach_attempt> attempts;
  std::vector<random_stream> streams;
  streams.reserve(2);
  attempts.push_back({1, 1, 0});
  attempts.push_back({2, 2, 0});
  streams.emplace_back(1);
  streams.emplace_back(1);  // same stream state: same preamble, different cells
  std::vector<random_stream*> rngs = {&streams[0], &streams[1]};
  const auto r = resolve_rach(attempts, rngs, {});
  EXPECT_TRUE(r[0].success);
  EXPECT_TRUE(r[1].success);
}

TEST(Aloha, Formulas) {
  EXPECT_NEAR(aloha_success_probability(0.5), std::exp(-1.0), 1e-12);
  EXPECT_NEAR(aloha_throughput(0.5), 0.5 * std::exp(-1.0), 1e-12);
  EXPECT_EQ(aloha_success_probability(0), 1.0);
  EXPECT_NEAR(rach_single_opportunity_success(2, 54), 53.0 / 54.0, 1e-12);
  EXPECT_EQ(rach_single_opportunity_success(1, 54), 1.0);
}

}  // namespace
}  // namespace twelvefold::models
