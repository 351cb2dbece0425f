// Reconnect after coverage returns: when a modem that lost service (it tried and failed while
// its sites were down, or its serving cell went down under it) tries to register again. The
// instant is what makes a reconnect storm: modems that were all searching find the returned
// cell within one search cycle of each other and hit its random-access channel together
// (contention.hpp resolves that). Pure functions over parameters, as the rest of models/.
#pragma once

#include <cstdint>

#include "twelvefold/models/random.hpp"

namespace twelvefold::models {

struct reconnect_params {
  // A modem without service stays in "any cell selection" and regularly tries to find a
  // suitable cell on every frequency it supports (3GPP TS 36.304 §5.2.8); how often is left to
  // the implementation. Taken as one search every 2.56 s, the longest default paging cycle
  // (TS 36.331 defaultPagingCycle rf256): the modem's phase in that cycle when the cell returns
  // is uniform, so a region's modems spread their first attempts over one cycle.
  std::int64_t search_period_us = 2'560'000;
  // Finding the cell once it is on the air: PSS/SSS synchronisation (5 ms period), MIB (40 ms)
  // and the system information an LTE-M device needs before random access (SIB1-BR every
  // 80 ms, SI windows after it, with repetitions at the cell edge): 0.2-1 s, uniform.
  std::int64_t cell_search_min_us = 200'000;
  std::int64_t cell_search_max_us = 1'000'000;
  // From a successful random access to "registered": RRC connection setup and the NAS attach /
  // tracking area update with the core (a few round trips to the MME), about 1 s.
  std::int64_t attach_us = 1'000'000;
  // A modem whose random access failed (preambleTransMax reached) searches again one cycle
  // later; after this many rounds it gives up until its next session (its failures count
  // toward the penalty box like a failed session's).
  int max_rounds = 4;
};

// When a searching modem starts random access on a cell that returned at `back_us` (round 0),
// or, after a failed round that ended at `back_us`, on its next search (round > 0). Draws from
// `rng` (the twin's reconnect stream): the phase in the search cycle (round 0 only) and the
// cell search time.
std::int64_t reconnect_attempt_us(const reconnect_params& p, std::int64_t back_us, int round,
                                  random_stream& rng);

// The latest instant a round-0 attempt can fall at (back_us + one search cycle + the longest
// cell search): every modem that was searching has tried by then.
inline std::int64_t reconnect_window_us(const reconnect_params& p) {
  return p.search_period_us + p.cell_search_max_us;
}

}  // namespace twelvefold::models
