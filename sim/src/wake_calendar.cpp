#include "twelvefold/sim/wake_calendar.hpp"

#include <algorithm>
#include <cassert>
#include <tuple>

namespace twelvefold::sim {
namespace {

bool later(const actors::wake_entry& a, const actors::wake_entry& b) {
  return std::tie(a.at_us, a.twin) > std::tie(b.at_us, b.twin);
}

}  // namespace

wake_calendar::wake_calendar(std::int64_t window_us, std::size_t ring_windows)
    : window_us_(window_us), mask_(ring_windows - 1), ring_(ring_windows) {
  assert(window_us > 0);
  assert((ring_windows & mask_) == 0 && ring_windows > 0);
}

void wake_calendar::schedule(const actors::wake_entry& wake) {
  actors::wake_entry entry = wake;
  if (window_of(entry.at_us) < current_window_) entry.at_us = current_window_ * window_us_;
  const std::int64_t w = window_of(entry.at_us);
  ++size_;
  if (w < current_window_ + static_cast<std::int64_t>(ring_.size())) {
    ring_[static_cast<std::size_t>(w) & mask_].push_back(entry);
    ++in_ring_;
  } else {
    overflow_.push_back(entry);
    std::push_heap(overflow_.begin(), overflow_.end(), later);
  }
}

void wake_calendar::pull_overflow() {
  const std::int64_t horizon = current_window_ + static_cast<std::int64_t>(ring_.size());
  while (!overflow_.empty() && window_of(overflow_.front().at_us) < horizon) {
    std::pop_heap(overflow_.begin(), overflow_.end(), later);
    const actors::wake_entry entry = overflow_.back();
    overflow_.pop_back();
    ring_[static_cast<std::size_t>(window_of(entry.at_us)) & mask_].push_back(entry);
    ++in_ring_;
  }
}

std::optional<std::int64_t> wake_calendar::next_window_start_us() {
  if (size_ == 0) return std::nullopt;
  if (in_ring_ == 0) {
    // Jump straight to the overflow's first window instead of walking empty buckets.
    current_window_ = std::max(current_window_, window_of(overflow_.front().at_us));
    pull_overflow();
  }
  for (std::int64_t w = current_window_;; ++w) {
    if (!ring_[static_cast<std::size_t>(w) & mask_].empty()) return w * window_us_;
  }
}

std::vector<actors::wake_entry> wake_calendar::take_window(std::int64_t window_start_us) {
  const std::int64_t w = window_of(window_start_us);
  assert(w >= current_window_);
  current_window_ = w;
  pull_overflow();
  std::vector<actors::wake_entry> due;
  due.swap(ring_[static_cast<std::size_t>(w) & mask_]);
  in_ring_ -= due.size();
  size_ -= due.size();
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
    return std::tie(a.at_us, a.twin) < std::tie(b.at_us, b.twin);
  });
  current_window_ = w + 1;
  pull_overflow();
  return due;
}

}  // namespace twelvefold::sim
