// The modem's connection manager: which RAT to use, when to fall back, when to return to the
// preferred one, and the registration back-off ("penalty box") after failures. Pure state
// machine over the links the network offers; the network actor keeps one modem_state per twin.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "twelvefold/models/radio_model.hpp"

namespace twelvefold::models {

struct penalty_params {
  // Network registration failure penalty box, Notecard defaults (card.wireless.penalty: min 15,
  // add 15, rate 1.25, max 4320 minutes; entered after four consecutive failed connection
  // attempts; see modem.cpp for the sources and how they combine).
  int failures_before_penalty = 4;
  std::int64_t base_us = 15LL * 60 * 1'000'000;   // "min": the first penalty
  double multiplier = 1.25;                       // "rate": grows the penalty per repeat
  std::int64_t add_us = 15LL * 60 * 1'000'000;    // "add": minutes added per repeat
  std::int64_t max_us = 4320LL * 60 * 1'000'000;  // "max": 3 days
  // Consecutive failures on a RAT before the modem falls back to the next RAT with coverage
  // (Notecard: two failed cellular attempts before trying satellite).
  int failures_before_fallback = 2;
  // How often a modem on a fallback RAT tries its preferred RATs again.
  std::int64_t return_to_preferred_us = 60LL * 60 * 1'000'000;
};

struct modem_state {
  rat current = rat::lte_m;
  bool attached = false;
  bool chosen = false;  // a RAT has been chosen at least once (current is meaningful)
  std::uint16_t consecutive_failures = 0;  // on `current`
  std::uint16_t penalties = 0;             // penalty boxes since the last success
  std::int64_t penalty_until_us = 0;       // no session may start before this
  std::int64_t last_preferred_try_us = 0;
  std::uint32_t fallbacks = 0;  // times the modem moved to a less preferred RAT
  std::uint32_t returns = 0;    // times it moved back up
};

// Links available to a twin right now, per RAT (coverage none = not available).
using links_by_rat = std::array<link_budget, rat_count>;

// Chooses the RAT for a session starting at `now_us`, in `preference` order (most preferred
// first): the current RAT while it has coverage and fewer than failures_before_fallback
// consecutive failures, else the next RAT down with coverage (a fallback), else the most
// preferred RAT with coverage; a modem on a fallback RAT climbs back to the most preferred RAT
// with coverage once return_to_preferred_us has passed since it fell back or last tried. The
// first choice takes the most preferred RAT with coverage. Returns false (and leaves state)
// when no RAT in `preference` has coverage. Does not look at the penalty box: check
// in_penalty_box first.
bool choose_rat(modem_state& state, const std::vector<rat>& preference, const links_by_rat& links,
                std::int64_t now_us, const penalty_params& params, rat& chosen);

// Records a session outcome: success clears the failure count and the penalty history; the
// failure_before_penalty-th consecutive failure puts the modem in the penalty box for
// penalty_duration_us(params, penalties), and every further failure after a box re-enters it
// with the next, longer penalty.
void record_outcome(modem_state& state, bool success, std::int64_t now_us,
                    const penalty_params& params);

// Length of the `index`-th consecutive penalty (0 = first): min(max, base x rate^index +
// add x index).
std::int64_t penalty_duration_us(const penalty_params& params, int index);

// True while the penalty box forbids a session.
inline bool in_penalty_box(const modem_state& state, std::int64_t now_us) {
  return now_us < state.penalty_until_us;
}

}  // namespace twelvefold::models
