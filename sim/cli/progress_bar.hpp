// A one-line progress bar for terminals: simulated time, twins, activation rate and ETA.
#pragma once

#include <cstdio>

#include "twelvefold/sim/kernel.hpp"

namespace twelvefold::cli {

class progress_bar {
 public:
  explicit progress_bar(std::FILE* out) : out_(out) {}
  void update(const sim::progress& p);
  // Ends the line so later output starts on a fresh one.
  void finish();

 private:
  std::FILE* out_;
  bool drawn_ = false;
};

}  // namespace twelvefold::cli
