// The kernel's timer structure: when each twin wakes next. A timing wheel with one bucket per
// window over a horizon of `ring_windows` windows, and an overflow heap for wakes beyond it
// (moved into the wheel as the horizon advances). Scheduling and taking a window are O(1) per
// wake, whatever the number of twins — unlike per-twin real-clock timers, which DESIGN.md
// measured at 0.04-0.13M wakes/s.
//
// Thread: owned by the kernel thread.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "twelvefold/actors/messages.hpp"

namespace twelvefold::sim {

class wake_calendar {
 public:
  // `window_us` > 0; `ring_windows` a power of two.
  explicit wake_calendar(std::int64_t window_us, std::size_t ring_windows = 4096);

  // Schedules a wake. A wake before the current window is due in the current window.
  void schedule(const actors::wake_entry& wake);

  // Start of the earliest window holding a wake, if any.
  [[nodiscard]] std::optional<std::int64_t> next_window_start_us();

  // Removes and returns every wake in the window starting at `window_start_us` (which must be
  // a multiple of the window width, not before the current window), sorted by (at_us, twin).
  // The calendar's current window becomes the next one.
  std::vector<actors::wake_entry> take_window(std::int64_t window_start_us);

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::int64_t window_us() const { return window_us_; }

 private:
  void pull_overflow();
  [[nodiscard]] std::int64_t window_of(std::int64_t at_us) const { return at_us / window_us_; }

  std::int64_t window_us_;
  std::size_t mask_;
  std::int64_t current_window_ = 0;  // index of the first window not yet taken
  std::vector<std::vector<actors::wake_entry>> ring_;
  std::vector<actors::wake_entry> overflow_;  // min-heap by at_us
  std::size_t in_ring_ = 0;
  std::size_t size_ = 0;
};

}  // namespace twelvefold::sim
