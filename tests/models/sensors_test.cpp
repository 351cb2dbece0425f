#include "twelvefold/models/sensors.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace twelvefold::models {
namespace {

constexpr std::int64_t us_per_hour = 3'600'000'000;
// 2024-06-01T00:00:00Z, microseconds since the Unix epoch.
constexpr std::int64_t day_start_us = 1'717'200'000LL * 1'000'000;

double noiseless_at(double lon_deg, double utc_hour) {
  temperature_params p;
  p.noise_sd_c = 0;
  random_stream rng(1);
  return read_temperature_c(p, 0, {45, lon_deg},
                            day_start_us + static_cast<std::int64_t>(utc_hour * us_per_hour), rng);
}

double peak_utc_hour(double lon_deg) {
  double best_hour = 0, best_c = -1e9;
  for (int minute = 0; minute < 24 * 60; ++minute) {
    const double h = minute / 60.0;
    const double c = noiseless_at(lon_deg, h);
    if (c > best_c) {
      best_c = c;
      best_hour = h;
    }
  }
  return best_hour;
}

TEST(Sensors, DiurnalPeakAtThreePmSolar) {
  EXPECT_NEAR(peak_utc_hour(0), 15.0, 1.0 / 60);
  // 90 degrees east: local solar time is UTC + 6 h, so the peak is at 09:00 UTC.
  EXPECT_NEAR(peak_utc_hour(90), 9.0, 1.0 / 60);
  // 75 degrees west: UTC - 5 h, peak at 20:00 UTC.
  EXPECT_NEAR(peak_utc_hour(-75), 20.0, 1.0 / 60);
}

TEST(Sensors, DiurnalAmplitudeAndMean) {
  const temperature_params p;
  EXPECT_NEAR(noiseless_at(0, 15), p.mean_c + p.diurnal_amplitude_c, 1e-9);
  EXPECT_NEAR(noiseless_at(0, 3), p.mean_c - p.diurnal_amplitude_c, 1e-9);
  EXPECT_NEAR(noiseless_at(0, 9), p.mean_c, 1e-9);
}

TEST(Sensors, SiteOffsetAndNoise) {
  temperature_params p;
  random_stream rng(5, 1, stream_purpose::sensor);
  constexpr int n = 20000;
  double sum = 0, sum_sq = 0;
  const std::int64_t t = day_start_us + 9 * us_per_hour;  // diurnal term 0 at lon 0
  for (int i = 0; i < n; ++i) {
    const double c = read_temperature_c(p, 1.5, {45, 0}, t, rng);
    sum += c;
    sum_sq += c * c;
  }
  const double mean = sum / n;
  EXPECT_NEAR(mean, p.mean_c + 1.5, 0.01);
  EXPECT_NEAR(std::sqrt(sum_sq / n - mean * mean), p.noise_sd_c, 0.01);
}

TEST(Sensors, DeterministicForSameStream) {
  const temperature_params p;
  random_stream a(9, 9, stream_purpose::sensor);
  random_stream b(9, 9, stream_purpose::sensor);
  for (int i = 0; i < 100; ++i) {
    const std::int64_t t = day_start_us + i * us_per_hour / 4;
    ASSERT_EQ(read_temperature_c(p, 0.3, {48.9, 2.35}, t, a),
              read_temperature_c(p, 0.3, {48.9, 2.35}, t, b));
  }
}

TEST(Sensors, SiteOffsetSpread) {
  const temperature_params p;
  random_stream rng(3, 0, stream_purpose::placement);
  constexpr int n = 20000;
  double sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double o = draw_site_offset_c(p, rng);
    sum_sq += o * o;
  }
  EXPECT_NEAR(std::sqrt(sum_sq / n), p.site_sd_c, 0.05);
}

TEST(Sensors, BatteryCurveGoldenPoints) {
  EXPECT_NEAR(battery_voltage_v(1.0), 3.65, 1e-9);
  EXPECT_NEAR(battery_voltage_v(0.5), 3.6, 0.03);
  EXPECT_NEAR(battery_voltage_v(0.2), 3.6, 1e-9);
  EXPECT_NEAR(battery_voltage_v(0.05), 3.3, 1e-9);
  EXPECT_NEAR(battery_voltage_v(0.0), 2.0, 1e-9);
  // Clamped outside [0, 1].
  EXPECT_NEAR(battery_voltage_v(-0.5), 2.0, 1e-9);
  EXPECT_NEAR(battery_voltage_v(1.5), 3.65, 1e-9);
  EXPECT_NEAR(battery_voltage_v(std::nan("")), 2.0, 1e-9);
}

TEST(Sensors, BatteryCurveMonotone) {
  double previous = battery_voltage_v(0);
  for (int i = 1; i <= 1000; ++i) {
    const double v = battery_voltage_v(i / 1000.0);
    ASSERT_GE(v, previous) << "soc " << i / 1000.0;
    previous = v;
  }
}

}  // namespace
}  // namespace twelvefold::models
