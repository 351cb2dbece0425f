#include "twelvefold/models/multilateration.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "twelvefold/models/gnss.hpp"
#include "twelvefold/models/random.hpp"

namespace twelvefold::models {
namespace {

constexpr geo_point center{52.370, 4.895};

// A 3 x 3 grid of LTE-M macro cells, 1 km apart.
std::vector<ranging_site> urban_grid(environment_kind environment = environment_kind::urban) {
  std::vector<ranging_site> sites;
  std::uint32_t id = 1;
  for (int i = -1; i <= 1; ++i) {
    for (int j = -1; j <= 1; ++j) {
      cell_site cell;
      cell.id = id++;
      cell.position = to_geo(center, {i * 1000.0, j * 1000.0});
      sites.push_back(ranging_site_for(cell, environment));
    }
  }
  return sites;
}

TEST(Multilateration, RangeInvertsThePathLossModel) {
  cell_site cell;
  cell.position = center;
  const ranging_site site = ranging_site_for(cell, environment_kind::urban);
  // Hata's slope for a 30 m mast: 44.9 - 6.55 log10(30) = 35.2 dB per decade.
  EXPECT_NEAR(site.b_db, 35.22, 0.01);
  for (double d_m : {100.0, 750.0, 2500.0, 9000.0}) {
    const geo_point p = to_geo(center, {d_m, 0});
    EXPECT_NEAR(range_from_rx_m(site, predicted_rx_dbm(site, p)), d_m, d_m * 1e-6);
  }
  EXPECT_EQ(range_from_rx_m(site, 0.0), 10.0);  // stronger than any distance: clamped
}

TEST(Multilateration, WifiUsesTheIndoorModel) {
  cell_site ap;
  ap.technology = rat::wifi;
  ap.position = center;
  ap.frequency_mhz = 2437;
  ap.tx_power_dbm = 20;
  ap.antenna_gain_dbi = 2;
  const ranging_site site = ranging_site_for(ap, environment_kind::urban);
  EXPECT_DOUBLE_EQ(site.b_db, 30.0);
  // ITU-R P.1238 at 10 m, N = 30: 20 log10(2437) + 30 - 28 = 69.7 dB.
  EXPECT_NEAR(22.0 - predicted_rx_dbm(site, to_geo(center, {10, 0})), 69.74, 0.01);
}

TEST(Multilateration, NoiseFreeIsExact) {
  const std::vector<ranging_site> sites = urban_grid();
  for (const local_point truth_local : {local_point{123, -456}, local_point{-800, 300},
                                        local_point{40, -30}, local_point{950, 990}}) {
    const geo_point truth = to_geo(center, truth_local);
    std::vector<range_measurement> ranges;
    for (const ranging_site& s : sites) ranges.push_back(measure(s, predicted_rx_dbm(s, truth)));
    const position_estimate est = multilaterate(ranges);
    ASSERT_TRUE(est.ok);
    EXPECT_FALSE(est.centroid);
    EXPECT_LT(distance_m(est.position, truth), 1.0);
    EXPECT_EQ(est.sites, sites.size());
  }
}

TEST(Multilateration, ErrorEstimateHoldsForAboutTwoThirdsOfTrials) {
  const std::vector<ranging_site> sites = urban_grid();
  random_stream rng(7);
  int within = 0;
  std::vector<double> errors;
  constexpr int trials = 2000;
  for (int t = 0; t < trials; ++t) {
    const geo_point truth = to_geo(center, {rng.uniform(-900, 900), rng.uniform(-900, 900)});
    std::vector<range_measurement> ranges;
    for (const ranging_site& s : sites) {
      ranges.push_back(measure(s, predicted_rx_dbm(s, truth) + rng.normal(0, 8)));
    }
    const position_estimate est = multilaterate(ranges);
    ASSERT_TRUE(est.ok);
    const double error = distance_m(est.position, truth);
    errors.push_back(error);
    if (error <= est.error_m) ++within;
  }
  std::sort(errors.begin(), errors.end());
  // DRMS of a well-conditioned fix holds 63-68% of errors; the linearisation under 8 dB
  // shadowing is not perfect, so accept 55-85%.
  EXPECT_GT(within / double(trials), 0.55);
  EXPECT_LT(within / double(trials), 0.85);
  // Hundreds of metres in a 1 km urban grid.
  EXPECT_GT(errors[trials / 2], 100.0);
  EXPECT_LT(errors[trials / 2], 600.0);
}

TEST(Multilateration, FewerThanThreeSitesFallBackToCentroid) {
  const std::vector<ranging_site> sites = urban_grid();
  const geo_point truth = to_geo(center, {-700, -700});
  std::vector<range_measurement> ranges;
  EXPECT_FALSE(multilaterate(ranges).ok);
  ranges.push_back(measure(sites[0], predicted_rx_dbm(sites[0], truth)));
  position_estimate one = multilaterate(ranges);
  ASSERT_TRUE(one.ok);
  EXPECT_TRUE(one.centroid);
  EXPECT_LT(distance_m(one.position, sites[0].position), 1e-6);  // the tower itself
  EXPECT_NEAR(one.error_m, distance_m(truth, sites[0].position), 1.0);
  ranges.push_back(measure(sites[4], predicted_rx_dbm(sites[4], truth)));
  const position_estimate two = multilaterate(ranges);
  EXPECT_TRUE(two.centroid);
  // Nearer the closer site, and the truth within the estimated error.
  EXPECT_LT(distance_m(two.position, sites[0].position),
            distance_m(two.position, sites[4].position));
  EXPECT_LT(distance_m(two.position, truth), two.error_m);
}

TEST(Multilateration, CollinearSitesDoNotCrash) {
  std::vector<range_measurement> ranges;
  for (int i = 0; i < 4; ++i) {
    ranges.push_back({to_geo(center, {i * 500.0, 0}), 300.0, 0.5});
  }
  const position_estimate est = multilaterate(ranges);
  EXPECT_TRUE(est.ok);
  EXPECT_TRUE(std::isfinite(est.position.lat_deg));
  EXPECT_TRUE(std::isfinite(est.error_m));
}

TEST(Scan, StrongestFirstWithinSensitivityAndDeterministic) {
  const std::vector<ranging_site> sites = urban_grid();
  const geo_point where = to_geo(center, {200, 300});
  const auto a = simulate_scan(sites, where, -130, 5, 2, 42, 17, 3);
  const auto b = simulate_scan(sites, where, -130, 5, 2, 42, 17, 3);
  ASSERT_EQ(a.size(), 5u);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].site_id, b[i].site_id);
    EXPECT_EQ(a[i].rx_dbm, b[i].rx_dbm);
    EXPECT_GE(a[i].rx_dbm, -130);
    if (i > 0) {
      EXPECT_LE(a[i].rx_dbm, a[i - 1].rx_dbm);
    }
  }
  // Another scan differs only by the measurement noise (the shadowing is the twin's own).
  const auto c = simulate_scan(sites, where, -130, 9, 0, 42, 17, 4);
  const auto d = simulate_scan(sites, where, -130, 9, 0, 42, 17, 5);
  ASSERT_EQ(c.size(), d.size());
  for (std::size_t i = 0; i < c.size(); ++i) EXPECT_EQ(c[i].rx_dbm, d[i].rx_dbm);
  EXPECT_TRUE(simulate_scan(sites, where, 0, 9, 2, 42, 17, 3).empty());  // nothing that strong
}

TEST(Gnss, OutdoorCepAndIndoorNone) {
  const gnss_params p;
  random_stream rng(3);
  std::vector<double> errors;
  int within_estimate = 0;
  for (int i = 0; i < 4000; ++i) {
    const gnss_fix fix = attempt_gnss_fix(p, environment_kind::rural, center, -1, rng);
    ASSERT_TRUE(fix.available);
    EXPECT_DOUBLE_EQ(fix.time_to_fix_s, p.cold_ttff_s);
    const double e = distance_m(fix.position, center);
    errors.push_back(e);
    if (e <= fix.accuracy_m) ++within_estimate;
  }
  std::sort(errors.begin(), errors.end());
  EXPECT_NEAR(errors[errors.size() / 2], p.cep_rural_m, 0.15);
  EXPECT_NEAR(within_estimate / 4000.0, 0.632, 0.03);  // DRMS of a circular normal
  const gnss_fix hot = attempt_gnss_fix(p, environment_kind::rural, center, 60, rng);
  EXPECT_DOUBLE_EQ(hot.time_to_fix_s, p.hot_ttff_s);
  EXPECT_NEAR(hot.charge_mah, p.acquisition_ma * p.hot_ttff_s / 3600, 1e-12);
  const gnss_fix indoor = attempt_gnss_fix(p, environment_kind::indoor, center, 60, rng);
  EXPECT_FALSE(indoor.available);
  EXPECT_DOUBLE_EQ(indoor.time_to_fix_s, p.timeout_s);  // searched until the timeout
  EXPECT_GT(indoor.charge_mah, hot.charge_mah);
}

}  // namespace
}  // namespace twelvefold::models
