// Random access and LoRa collisions (see contention.hpp).
#include "twelvefold/models/contention.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <queue>
#include <tuple>

namespace twelvefold::models {
namespace {

// First opportunity at or after `t_us` on a grid of period `period_us` starting at 0.
std::int64_t next_opportunity_us(std::int64_t t_us, std::int64_t period_us) {
  if (period_us <= 0) return t_us;
  const std::int64_t q = t_us / period_us;
  const std::int64_t at = q * period_us;
  return at >= t_us ? at : at + period_us;
}

}  // namespace

std::vector<rach_result> resolve_rach(const std::vector<rach_attempt>& attempts,
                                      std::vector<random_stream*>& rngs, const rach_params& p) {
  std::vector<rach_result> results(attempts.size());
  if (attempts.empty()) return results;
  const int preambles = std::max(1, p.preambles);
  const int max_attempts = std::max(1, p.max_attempts);

  // Pending preamble transmissions, earliest (opportunity, cell, index) first: all devices of a
  // cell at one opportunity come out together, in index order (deterministic draws).
  using pending = std::tuple<std::int64_t, std::uint32_t, std::size_t>;
  std::priority_queue<pending, std::vector<pending>, std::greater<>> queue;
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    queue.emplace(next_opportunity_us(attempts[i].start_us, p.opportunity_us), attempts[i].cell, i);
  }
  std::vector<std::uint32_t> chosen_count(static_cast<std::size_t>(preambles), 0);
  std::vector<std::pair<std::size_t, std::uint32_t>> group;  // (attempt index, preamble)
  while (!queue.empty()) {
    const auto [time_us, cell, first] = queue.top();
    group.clear();
    while (!queue.empty() && std::get<0>(queue.top()) == time_us &&
           std::get<1>(queue.top()) == cell) {
      const std::size_t i = std::get<2>(queue.top());
      queue.pop();
      const auto preamble = static_cast<std::uint32_t>(rngs[i]->below(preambles));
      ++chosen_count[preamble];
      group.emplace_back(i, preamble);
    }
    for (const auto& [i, preamble] : group) {
      rach_result& r = results[i];
      ++r.attempts;
      r.delay_us = time_us - attempts[i].start_us;
      if (chosen_count[preamble] == 1) {
        r.success = true;
      } else if (r.attempts < max_attempts) {
        // The collision shows when the response window closes without our response; then a
        // uniform backoff (TS 36.321 §5.1.4) and the next opportunity.
        const auto backoff_us = static_cast<std::int64_t>(
            rngs[i]->uniform() * static_cast<double>(std::max<std::int64_t>(0, p.backoff_us)));
        queue.emplace(
            next_opportunity_us(time_us + p.response_window_us + backoff_us, p.opportunity_us),
            cell, i);
      }
    }
    for (const auto& entry : group) chosen_count[entry.second] = 0;
  }
  return results;
}

double rach_single_opportunity_success(int devices, int preambles) {
  if (devices <= 0 || preambles <= 0) return 0;
  return std::pow(1.0 - 1.0 / preambles, devices - 1);
}

std::int64_t lora_airtime_us(std::uint32_t payload_bytes, int sf) {
  // Semtech AN1200.22 "LoRa Modem Designer's Guide": T_sym = 2^SF / BW; preamble
  // (n_preamble + 4.25) T_sym; payload 8 + max(ceil((8 PL - 4 SF + 28 + 16 CRC - 20 IH) /
  // (4 (SF - 2 DE))) (CR + 4), 0) symbols.
  constexpr double bandwidth_hz = 125e3;
  constexpr double preamble_symbols = 8;
  constexpr int coding_rate = 1;  // 4/5
  constexpr int crc = 1;
  constexpr int implicit_header = 0;
  sf = std::clamp(sf, 6, 12);
  // Low-data-rate optimisation is mandated when the symbol time exceeds 16 ms: SF11/12 at
  // 125 kHz.
  const int low_data_rate = sf >= 11 ? 1 : 0;
  const double symbol_s = std::ldexp(1.0, sf) / bandwidth_hz;
  const double numerator = 8.0 * payload_bytes - 4.0 * sf + 28 + 16 * crc - 20 * implicit_header;
  const double denominator = 4.0 * (sf - 2 * low_data_rate);
  const double payload_symbols =
      8 + std::max(std::ceil(numerator / denominator) * (coding_rate + 4), 0.0);
  const double airtime_s = (preamble_symbols + 4.25 + payload_symbols) * symbol_s;
  return static_cast<std::int64_t>(std::llround(airtime_s * 1e6));
}

std::vector<bool> resolve_lora(const std::vector<lora_tx>& txs, double capture_db) {
  const std::size_t n = txs.size();
  std::vector<bool> heard(n, false);  // per entry, at its own gateway
  // Interference only between frames at one gateway, on one channel, at one SF: sort entry
  // indices into such groups, by start time within a group.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto group_key = [&](std::size_t i) {
    return std::make_tuple(txs[i].gateway, txs[i].channel, txs[i].sf);
  };
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::make_tuple(txs[a].gateway, txs[a].channel, txs[a].sf, txs[a].start_us, a) <
           std::make_tuple(txs[b].gateway, txs[b].channel, txs[b].sf, txs[b].start_us, b);
  });
  const double capture_linear = std::pow(10.0, capture_db / 10.0);
  std::size_t group_begin = 0;
  while (group_begin < n) {
    std::size_t group_end = group_begin + 1;
    std::int64_t longest_us = txs[order[group_begin]].airtime_us;
    while (group_end < n && group_key(order[group_end]) == group_key(order[group_begin])) {
      longest_us = std::max(longest_us, txs[order[group_end]].airtime_us);
      ++group_end;
    }
    for (std::size_t k = group_begin; k < group_end; ++k) {
      const lora_tx& me = txs[order[k]];
      const std::int64_t my_end = me.start_us + me.airtime_us;
      double interference_mw = 0;
      // Earlier starts that may still be on air: none started more than `longest_us` before.
      for (std::size_t j = k; j-- > group_begin;) {
        const lora_tx& other = txs[order[j]];
        if (other.start_us + longest_us <= me.start_us) break;
        if (other.start_us + other.airtime_us > me.start_us) {
          interference_mw += std::pow(10.0, other.rssi_dbm / 10.0);
        }
      }
      // Later starts before this frame ends.
      for (std::size_t j = k + 1; j < group_end; ++j) {
        const lora_tx& other = txs[order[j]];
        if (other.start_us >= my_end) break;
        interference_mw += std::pow(10.0, other.rssi_dbm / 10.0);
      }
      heard[order[k]] = interference_mw == 0 ||
                        std::pow(10.0, me.rssi_dbm / 10.0) >= capture_linear * interference_mw;
    }
    group_begin = group_end;
  }
  // A transmission is received if any gateway heard it: OR over entries with the same
  // (twin, start_us).
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::make_tuple(txs[a].twin, txs[a].start_us, a) <
           std::make_tuple(txs[b].twin, txs[b].start_us, b);
  });
  std::vector<bool> received(n, false);
  std::size_t begin = 0;
  while (begin < n) {
    std::size_t end = begin + 1;
    while (end < n && txs[order[end]].twin == txs[order[begin]].twin &&
           txs[order[end]].start_us == txs[order[begin]].start_us) {
      ++end;
    }
    bool any = false;
    for (std::size_t k = begin; k < end; ++k) any = any || heard[order[k]];
    for (std::size_t k = begin; k < end; ++k) received[order[k]] = any;
    begin = end;
  }
  return received;
}

double aloha_success_probability(double offered_load_erlang) {
  return std::exp(-2.0 * std::max(0.0, offered_load_erlang));
}

double aloha_throughput(double offered_load_erlang) {
  const double g = std::max(0.0, offered_load_erlang);
  return g * std::exp(-2.0 * g);
}

}  // namespace twelvefold::models
