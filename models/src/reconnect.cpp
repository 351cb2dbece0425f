// Reconnect timing (see reconnect.hpp).
#include "twelvefold/models/reconnect.hpp"

#include <algorithm>

namespace twelvefold::models {

std::int64_t reconnect_attempt_us(const reconnect_params& p, std::int64_t back_us, int round,
                                  random_stream& rng) {
  const auto period = static_cast<double>(std::max<std::int64_t>(0, p.search_period_us));
  // Round 0: the cell appears at an arbitrary point of the modem's search cycle. Later rounds:
  // the modem just failed, so its next search is a whole cycle away.
  const auto wait_us = round == 0 ? static_cast<std::int64_t>(rng.uniform() * period)
                                  : static_cast<std::int64_t>(period);
  const std::int64_t lo = std::max<std::int64_t>(0, p.cell_search_min_us);
  const std::int64_t hi = std::max(lo, p.cell_search_max_us);
  const auto search_us =
      lo + static_cast<std::int64_t>(rng.uniform() * static_cast<double>(hi - lo));
  return back_us + wait_us + search_us;
}

}  // namespace twelvefold::models
