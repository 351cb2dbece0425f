// Delivery latency of Notes (note.add on the device -> stored by the solution service), as a
// log-spaced histogram from 1 s to 60 days: what a distribution plot and percentiles need, in
// a fixed few hundred bytes however many Notes a run stores. Backed by GSL's histograms.
//
// Thread: one owner (the solution service).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace twelvefold::actors {

class latency_histogram {
 public:
  latency_histogram();
  ~latency_histogram();
  latency_histogram(const latency_histogram&) = delete;
  latency_histogram& operator=(const latency_histogram&) = delete;

  // Bin edges in seconds, shared by every histogram (size = bins + 1).
  static const std::vector<double>& edges_s();

  void add(double latency_s);
  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] double max_s() const { return max_s_; }
  // Counts per bin (index i covers [edges_s()[i], edges_s()[i+1]) ).
  [[nodiscard]] std::vector<std::uint64_t> counts() const;
  // The latency below which a share `q` (0..1) of Notes fall, interpolated within its bin;
  // 0 when empty.
  [[nodiscard]] double quantile_s(double q) const;

 private:
  struct gsl_state;  // GSL's types are anonymous structs: kept out of this header
  std::unique_ptr<gsl_state> gsl_;
  std::uint64_t count_ = 0;
  double max_s_ = 0;
};

}  // namespace twelvefold::actors
