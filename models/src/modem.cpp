// The modem's connection manager (see modem.hpp).
//
// Penalty box defaults: Blues Notecard API, card.wireless.penalty (notecard-schema
// card.wireless.penalty.req.notecard.api.json, API 9.1.1): "min" 15 minutes (the first retry
// interval), "add" 15 minutes added to successive retries, "rate" 1.25 (the rate at which the
// penalty multiplier increases over successive retries), "max" 4320 minutes. Blues' guide
// "Connection Retry and Fallback Behaviors": a cellular Notecard enters the network
// registration penalty box after four consecutive failed connection attempts, and with a
// satellite fallback configured it tries satellite after two. The documentation gives the
// parameters, not the exact formula; this model reads them as penalty n (0-based) =
// min(max, min x rate^n + add x n): 15, 33.75, 53.4, 74.3 ... minutes.
#include "twelvefold/models/modem.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace twelvefold::models {
namespace {

constexpr std::size_t npos = static_cast<std::size_t>(-1);

std::size_t rank_of(const std::vector<rat>& preference, rat r) {
  for (std::size_t i = 0; i < preference.size(); ++i) {
    if (preference[i] == r) return i;
  }
  return npos;
}

}  // namespace

bool choose_rat(modem_state& state, const std::vector<rat>& preference, const links_by_rat& links,
                std::int64_t now_us, const penalty_params& params, rat& chosen) {
  auto covered = [&](std::size_t i) {
    const auto index = static_cast<std::size_t>(preference[i]);
    return index < links.size() && links[index].coverage != coverage_class::none;
  };
  auto next_covered_after = [&](std::size_t from) {
    for (std::size_t i = from + 1; i < preference.size(); ++i) {
      if (covered(i)) return i;
    }
    return npos;
  };
  std::size_t first = npos;
  for (std::size_t i = 0; i < preference.size(); ++i) {
    if (covered(i)) {
      first = i;
      break;
    }
  }
  if (first == npos) return false;

  const std::size_t current = state.chosen ? rank_of(preference, state.current) : npos;
  std::size_t target = first;
  if (current != npos) {
    if (covered(current)) {
      target = current;
      if (state.consecutive_failures >= params.failures_before_fallback) {
        const std::size_t next = next_covered_after(current);
        if (next != npos) target = next;  // nothing further down: stay (the box will come)
      }
    } else {
      const std::size_t next = next_covered_after(current);
      target = next != npos ? next : first;
    }
    // Climb back to the most preferred RAT with coverage from time to time.
    if (target > first && target == current &&
        now_us - state.last_preferred_try_us >= params.return_to_preferred_us) {
      target = first;
    }
  }

  if (current != npos && target != current) {
    if (target > current) {
      ++state.fallbacks;
    } else {
      ++state.returns;
    }
    state.consecutive_failures = 0;
    state.attached = false;
  }
  // The return timer runs from the last time the modem was put on (or tried) a lower RAT.
  if (target > first && (current == npos || target != current))
    state.last_preferred_try_us = now_us;
  if (target == first && current != npos && current > first) state.last_preferred_try_us = now_us;
  state.current = preference[target];
  state.chosen = true;
  chosen = state.current;
  return true;
}

void record_outcome(modem_state& state, bool success, std::int64_t now_us,
                    const penalty_params& params) {
  if (success) {
    state.attached = true;
    state.consecutive_failures = 0;
    state.penalties = 0;
    return;
  }
  state.attached = false;
  ++state.consecutive_failures;
  const int threshold = std::max(1, params.failures_before_penalty);
  if (state.consecutive_failures >= threshold) {
    state.penalty_until_us = now_us + penalty_duration_us(params, state.penalties);
    ++state.penalties;
    // One more failure after the box sends it straight back in, for longer.
    state.consecutive_failures = static_cast<std::uint16_t>(threshold - 1);
  }
}

std::int64_t penalty_duration_us(const penalty_params& params, int index) {
  const int n = std::max(0, index);
  const double us = static_cast<double>(params.base_us) * std::pow(params.multiplier, n) +
                    static_cast<double>(params.add_us) * n;
  // Compared in double first: rate^n overflows long before n does.
  if (!(us < static_cast<double>(params.max_us))) return params.max_us;
  return static_cast<std::int64_t>(std::llround(us));
}

}  // namespace twelvefold::models
