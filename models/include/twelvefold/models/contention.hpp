// Contention where it matters: many devices attaching to one cell at once (random access),
// and LoRa uplinks colliding at a gateway (pure ALOHA with capture), plus the EU868 duty cycle.
// Pure functions over one window's attempts, so the network actor can resolve them in batches.
#pragma once

#include <cstdint>
#include <vector>

#include "twelvefold/models/random.hpp"

namespace twelvefold::models {

// --- Cellular random access (3GPP TS 36.321 §5.1 contention-based random access) ---
struct rach_params {
  int preambles = 54;  // contention preambles per opportunity (64 less 10 kept contention-free)
  std::int64_t opportunity_us = 10'000;      // prach-ConfigurationIndex 3: one per 10 ms frame
                                             // (TS 36.211 Table 5.7.1-2)
  int max_attempts = 10;                     // preambleTransMax n10 (TS 36.331)
  std::int64_t backoff_us = 20'000;          // backoff indicator 20 ms (TS 36.321 Table 7.2-1);
                                             // a retry waits uniform [0, backoff_us]
  std::int64_t response_window_us = 10'000;  // ra-ResponseWindowSize sf10: a collided
                                             // preamble is noticed when the window closes
};
struct rach_attempt {
  std::uint32_t twin = 0;
  std::uint32_t cell = 0;
  std::int64_t start_us = 0;
};
struct rach_result {
  bool success = false;
  std::int64_t delay_us = 0;  // from start_us to the opportunity that succeeded (or the last
                              // one tried): waiting, collisions and backoff
  int attempts = 0;
};
// Resolves all attempts (sorted by (start_us, twin)) of one window; each device picks a random
// preamble per opportunity from its own stream (rngs[i] belongs to attempts[i]). Two devices
// picking the same preamble at the same opportunity of the same cell both fail (no capture of
// Msg3), retry after the response window plus a uniform backoff, and give up after
// max_attempts. Deterministic for a given input and streams.
std::vector<rach_result> resolve_rach(const std::vector<rach_attempt>& attempts,
                                      std::vector<random_stream*>& rngs, const rach_params& p);
// Probability that one of `devices` contending at the same opportunity picks a preamble no one
// else picked: (1 - 1/M)^(N-1), the analytical reference for validation.
double rach_single_opportunity_success(int devices, int preambles);

// --- LoRaWAN (Semtech AN1200.22 airtime; pure ALOHA with capture) ---
// One reception opportunity: a transmission as heard at one gateway. A transmission heard by
// several gateways appears once per gateway with the same (twin, start_us).
struct lora_tx {
  std::uint32_t twin = 0;
  std::uint32_t gateway = 0;
  std::uint8_t sf = 7;
  std::int64_t start_us = 0;
  std::int64_t airtime_us = 0;
  double rssi_dbm = 0;
  // EU868: the device draws one of the 3 default channels per frame (LoRaWAN RP002); frames
  // on different channels do not collide. Last, so positional initialisers of the fields
  // above keep working (all on channel 0: the pessimistic single-channel case).
  std::uint8_t channel = 0;
};
// Time on air of a LoRa frame of `payload_bytes` PHY payload (for LoRaWAN: application payload
// + 13 bytes of MAC framing) at spreading factor `sf`, 125 kHz, CR 4/5, explicit header, CRC
// on, 8-symbol preamble, low-data-rate optimisation for SF11/12 (Semtech AN1200.22).
std::int64_t lora_airtime_us(std::uint32_t payload_bytes, int sf);
// For each entry, whether its transmission (twin, start_us) was received by at least one
// gateway. At a gateway a frame survives unless frames on the same channel and SF overlap it in
// time and their summed power is not at least `capture_db` below it (6 dB: Bor et al., "Do
// LoRa low-power wide-area networks scale?", MSWiM 2016). Different SFs are treated as
// orthogonal. Order of `txs` does not matter.
std::vector<bool> resolve_lora(const std::vector<lora_tx>& txs, double capture_db = 6.0);
// EU868 duty cycle: the earliest time a device may send again after `airtime_us` (1%: off-time
// is 99 x airtime).
inline std::int64_t lora_next_allowed_us(std::int64_t tx_end_us, std::int64_t airtime_us,
                                         double duty_cycle = 0.01) {
  return tx_end_us + static_cast<std::int64_t>(airtime_us * (1.0 / duty_cycle - 1.0));
}
// Pure ALOHA with offered load G (frames per frame time): the probability that a frame meets
// no other, e^{-2G}, and the throughput S = G e^{-2G} (the analytical references for
// validation).
double aloha_success_probability(double offered_load_erlang);
double aloha_throughput(double offered_load_erlang);

}  // namespace twelvefold::models
