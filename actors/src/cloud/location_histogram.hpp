// A log-binned histogram for error distributions (metres, milliseconds, ppm): constant memory
// whatever the number of samples (a million twins x many fixes), quantiles within 2.3% (50
// bins per decade, the bin's geometric centre is returned).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace twelvefold::actors {

class log_histogram {
 public:
  static constexpr double min_value = 1e-3;
  static constexpr int bins_per_decade = 50;
  static constexpr int decades = 12;  // 1e-3 .. 1e9
  static constexpr int bins = bins_per_decade * decades;

  void add(double value) {
    ++count_;
    if (value > max_) max_ = value;
    if (!(value > min_value)) {
      ++bins_[0];  // also NaN: counted, in the lowest bin
      return;
    }
    const int b = static_cast<int>(std::floor(std::log10(value / min_value) * bins_per_decade));
    ++bins_[static_cast<std::size_t>(std::clamp(b, 0, bins - 1))];
  }

  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] double max() const { return max_; }

  // The q-quantile (0..1): the geometric centre of the bin holding it, never above max(); 0 when
  // empty.
  [[nodiscard]] double quantile(double q) const {
    if (count_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    std::uint64_t seen = 0;
    for (int b = 0; b < bins; ++b) {
      seen += bins_[static_cast<std::size_t>(b)];
      if (seen >= std::max<std::uint64_t>(rank, 1)) {
        const double centre = min_value * std::pow(10.0, (b + 0.5) / bins_per_decade);
        return std::min(centre, max_);
      }
    }
    return max_;
  }

 private:
  std::array<std::uint64_t, bins> bins_{};
  std::uint64_t count_ = 0;
  double max_ = 0;
};

}  // namespace twelvefold::actors
