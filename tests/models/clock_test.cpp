#include "twelvefold/models/clock.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace twelvefold::models {
namespace {

constexpr std::int64_t hour_us = 3600LL * 1'000'000;
constexpr std::int64_t day_us = 24 * hour_us;

TEST(Clock, DriftIsDeterministicAndWithinTolerance) {
  const clock_params p;
  int within_sigma = 0;
  constexpr int twins = 10000;
  for (std::uint64_t twin = 0; twin < twins; ++twin) {
    const double d = clock_drift_ppm(p, 42, twin);
    EXPECT_EQ(d, clock_drift_ppm(p, 42, twin));
    EXPECT_LE(std::abs(d), p.tolerance_ppm);
    if (std::abs(d) <= p.tolerance_ppm / 2) ++within_sigma;
  }
  // Normal with sigma = tolerance / 2: 68% within one sigma.
  EXPECT_NEAR(within_sigma / double(twins), 0.683, 0.02);
  EXPECT_NE(clock_drift_ppm(p, 42, 1), clock_drift_ppm(p, 43, 1));
}

TEST(Clock, LocalClockGainsDriftTimesElapsed) {
  // +20 ppm over a day: 1.728 s fast.
  EXPECT_EQ(local_elapsed_us(day_us, 20.0) - day_us, 1'728'000);
  EXPECT_EQ(local_elapsed_us(day_us, -10.0) - day_us, -864'000);
  EXPECT_EQ(local_elapsed_us(0, 20.0), 0);
  EXPECT_NEAR(true_elapsed_us(static_cast<double>(local_elapsed_us(day_us, 20.0)), 20.0),
              double(day_us), 1.0);
}

TEST(Clock, EstimatorNeedsABaseline) {
  const clock_params p;
  drift_estimator e;
  const double drift = 15.0;
  e.observe(p, 1'000 * hour_us, local_elapsed_us(5 * hour_us, drift));
  EXPECT_FALSE(e.valid);
  e.observe(p, 1'006 * hour_us, local_elapsed_us(11 * hour_us, drift));
  EXPECT_FALSE(e.valid);  // 6 h < 12 h
  e.observe(p, 1'024 * hour_us, local_elapsed_us(29 * hour_us, drift));
  ASSERT_TRUE(e.valid);
  EXPECT_NEAR(e.estimate_ppm, drift, 0.01);
}

TEST(Clock, EstimatorErrorIsJitterOverBaseline) {
  const clock_params p;
  drift_estimator e;
  // The counter is read 2 s before the arrival the cloud sees on one session, not the other.
  e.observe(p, 0, 0);
  e.observe(p, day_us, local_elapsed_us(day_us - 2'000'000, -8.0));
  ASSERT_TRUE(e.valid);
  EXPECT_NEAR(e.estimate_ppm, -8.0 - 2e6 / double(day_us) * 1e6, 0.05);
}

TEST(Clock, DelayedSessionsDoNotSkewTheEstimate) {
  const clock_params p;
  drift_estimator e;
  const double drift = 12.0;
  e.observe(p, 0, 0);
  e.observe(p, day_us, local_elapsed_us(day_us, drift));
  ASSERT_TRUE(e.valid);
  // A session 30 s late (back-off after an outage), a day later: 30 s / 1 day would be 347 ppm.
  e.observe(p, 2 * day_us + 30'000'000, local_elapsed_us(2 * day_us, drift));
  EXPECT_NEAR(e.estimate_ppm, drift, 0.01);
  // A prompt one is used.
  e.observe(p, 3 * day_us + 500'000, local_elapsed_us(3 * day_us, drift));
  EXPECT_NEAR(e.estimate_ppm, drift - 0.5e6 / (3.0 * day_us) * 1e6, 0.01);
}

TEST(Clock, ADelayedFirstSessionIsReplaced) {
  const clock_params p;
  drift_estimator e;
  e.observe(p, 40'000'000, 0);  // arrived 40 s after its counter reading
  e.observe(p, hour_us, local_elapsed_us(hour_us, 5.0));
  EXPECT_EQ(e.first_utc_us, hour_us);
  EXPECT_FALSE(e.valid);
}

TEST(Clock, EstimatorRestartsAfterACounterReset) {
  const clock_params p;
  drift_estimator e;
  e.observe(p, 0, 50 * hour_us);
  e.observe(p, day_us, 10);  // the counter went back: the device rebooted
  EXPECT_FALSE(e.valid);
  EXPECT_EQ(e.first_utc_us, day_us);
  EXPECT_EQ(e.first_local_us, 10);
}

TEST(Clock, ReconcileUndoesTheDrift) {
  const double drift = 20.0;
  const std::int64_t arrival_utc_us = 1'780'000'000LL * 1'000'000;
  const std::int64_t age_true_us = day_us;
  const double age_local_us = static_cast<double>(local_elapsed_us(age_true_us, drift));
  // Without the estimate the capture time is 1.728 s too early; with it, exact.
  EXPECT_EQ(arrival_utc_us - reconcile_capture_utc_us(arrival_utc_us, age_local_us, 0.0),
            age_true_us + 1'728'000);
  EXPECT_NEAR(double(reconcile_capture_utc_us(arrival_utc_us, age_local_us, drift)),
              double(arrival_utc_us - age_true_us), 1.0);
}

}  // namespace
}  // namespace twelvefold::models
