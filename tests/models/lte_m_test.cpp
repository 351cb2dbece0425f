#include "twelvefold/models/lte_m.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace twelvefold::models {
namespace {

constexpr geo_point center{48.8566, 2.3522};
constexpr double cell_height_m = 30;
constexpr double ue_height_m = 1.5;

// ---- Closed-form references (Hata 1980; COST 231 final report eqs. 4.4.1 and 4.4.3) ----

double a_hm_large_city(double hm) { return 3.2 * std::pow(std::log10(11.75 * hm), 2) - 4.97; }
double a_hm_small_city(double f_mhz, double hm) {
  const double lf = std::log10(f_mhz);
  return (1.1 * lf - 0.7) * hm - (1.56 * lf - 0.8);
}
double hata_core_db(double f_mhz, double hb, double d_km, double a_hm) {
  return 69.55 + 26.16 * std::log10(f_mhz) - 13.82 * std::log10(hb) - a_hm +
         (44.9 - 6.55 * std::log10(hb)) * std::log10(d_km);
}
double hata_urban_large_db(double f_mhz, double hb, double hm, double d_km) {
  return hata_core_db(f_mhz, hb, d_km, a_hm_large_city(hm));
}
double hata_suburban_db(double f_mhz, double hb, double hm, double d_km) {
  return hata_core_db(f_mhz, hb, d_km, a_hm_small_city(f_mhz, hm)) -
         2 * std::pow(std::log10(f_mhz / 28), 2) - 5.4;
}
double hata_open_db(double f_mhz, double hb, double hm, double d_km) {
  const double lf = std::log10(f_mhz);
  return hata_core_db(f_mhz, hb, d_km, a_hm_small_city(f_mhz, hm)) - 4.78 * lf * lf + 18.33 * lf -
         40.94;
}
double cost231_core_db(double f_mhz, double hb, double d_km, double a_hm, double c_m) {
  return 46.3 + 33.9 * std::log10(f_mhz) - 13.82 * std::log10(hb) - a_hm +
         (44.9 - 6.55 * std::log10(hb)) * std::log10(d_km) + c_m;
}
// COST-231-Hata, metropolitan centre: a(hm) as Hata's large city, Cm = 3 dB.
double cost231_large_db(double f_mhz, double hb, double hm, double d_km) {
  return cost231_core_db(f_mhz, hb, d_km, a_hm_large_city(hm), 3);
}
// COST-231-Hata, medium city, with Hata's environment corrections extrapolated above 1500 MHz.
double cost231_suburban_db(double f_mhz, double hb, double hm, double d_km) {
  return cost231_core_db(f_mhz, hb, d_km, a_hm_small_city(f_mhz, hm), 0) -
         2 * std::pow(std::log10(f_mhz / 28), 2) - 5.4;
}
double cost231_open_db(double f_mhz, double hb, double hm, double d_km) {
  const double lf = std::log10(f_mhz);
  return cost231_core_db(f_mhz, hb, d_km, a_hm_small_city(f_mhz, hm), 0) - 4.78 * lf * lf +
         18.33 * lf - 40.94;
}

// ns-3 measures the 3-D distance between the antennas (0.006 dB more than the ground distance at
// 1 km for these heights).
double slant_km(double ground_m, double hm = ue_height_m) {
  return std::hypot(ground_m, cell_height_m - hm) / 1000.0;
}

cell_site make_cell(std::uint32_t id, const geo_point& at, double frequency_mhz = 800) {
  cell_site c;
  c.id = id;
  c.position = at;
  c.height_m = cell_height_m;
  c.frequency_mhz = frequency_mhz;
  return c;
}

geo_point east_of_center(double metres) { return to_geo(center, {metres, 0}); }

lte_m_params default_params() {
  lte_m_params p;
  p.ue_height_m = ue_height_m;
  return p;
}

lte_m_model single_cell(environment_kind env, double frequency_mhz = 800) {
  return lte_m_model(default_params(), env, center, {make_cell(1, center, frequency_mhz)});
}

// ---- Path loss against the closed forms ----

TEST(LteMPathLoss, UrbanLargeCityMatchesHata) {
  const auto model = single_cell(environment_kind::urban);
  for (double d_m : {1000.0, 5000.0}) {
    const link_budget l = model.best_link(east_of_center(d_m), 0);
    EXPECT_NEAR(l.path_loss_db, hata_urban_large_db(800, 30, 1.5, slant_km(d_m)), 0.1) << d_m;
  }
  // Golden figures for 800 MHz, hb 30 m, hm 1.5 m: ~125.1 dB at 1 km, ~149.7 dB at 5 km.
  EXPECT_NEAR(model.best_link(east_of_center(1000), 0).path_loss_db, 125.1, 0.2);
  EXPECT_NEAR(model.best_link(east_of_center(5000), 0).path_loss_db, 149.7, 0.2);
}

TEST(LteMPathLoss, SuburbanMatchesHata) {
  const auto model = single_cell(environment_kind::suburban);
  for (double d_m : {1000.0, 5000.0}) {
    const link_budget l = model.best_link(east_of_center(d_m), 0);
    EXPECT_NEAR(l.path_loss_db, hata_suburban_db(800, 30, 1.5, slant_km(d_m)), 0.1) << d_m;
  }
}

TEST(LteMPathLoss, RuralOpenAreaMatchesHata) {
  const auto model = single_cell(environment_kind::rural);
  for (double d_m : {1000.0, 5000.0, 15000.0}) {
    const link_budget l = model.best_link(east_of_center(d_m), 0);
    EXPECT_NEAR(l.path_loss_db, hata_open_db(800, 30, 1.5, slant_km(d_m)), 0.1) << d_m;
  }
}

TEST(LteMPathLoss, EnvironmentsAreOrdered) {
  const geo_point at = east_of_center(3000);
  const double urban = single_cell(environment_kind::urban).best_link(at, 0).path_loss_db;
  const double suburban = single_cell(environment_kind::suburban).best_link(at, 0).path_loss_db;
  const double rural = single_cell(environment_kind::rural).best_link(at, 0).path_loss_db;
  EXPECT_GT(urban, suburban + 5);
  EXPECT_GT(suburban, rural + 10);
}

TEST(LteMPathLoss, PerCellFrequency) {
  // One cell at 1800 MHz (COST-231 Hata) and one at 800 MHz (Hata) on the same site.
  const lte_m_model model(default_params(), environment_kind::urban, center,
                          {make_cell(1, center, 1800), make_cell(2, center, 800)});
  const link_budget l = model.best_link(east_of_center(2000), 0);
  EXPECT_EQ(l.cell_id, 2u);  // lower band, lower loss
  EXPECT_NEAR(l.path_loss_db, hata_urban_large_db(800, 30, 1.5, slant_km(2000)), 0.1);
  // The device sits nearer the 1800 MHz cell: that one is chosen, with its own band's loss.
  const lte_m_model apart(default_params(), environment_kind::urban, center,
                          {make_cell(1, center, 1800), make_cell(2, to_geo(center, {9000, 0}))});
  const link_budget near_high = apart.best_link(east_of_center(1000), 0);
  EXPECT_EQ(near_high.cell_id, 1u);
  EXPECT_NEAR(near_high.path_loss_db, cost231_large_db(1800, 30, 1.5, slant_km(1000)), 0.1);
}

TEST(LteMPathLoss, Cost231AboveFifteenHundredMegahertz) {
  // ns-3 3.37 leaves out the large-city -4.97 dB and the suburban / open-area corrections above
  // 1500 MHz; the model's calibration restores the published figures.
  for (double d_m : {1000.0, 5000.0}) {
    EXPECT_NEAR(
        single_cell(environment_kind::urban, 1800).best_link(east_of_center(d_m), 0).path_loss_db,
        cost231_large_db(1800, 30, 1.5, slant_km(d_m)), 0.1);
    EXPECT_NEAR(single_cell(environment_kind::suburban, 1800)
                    .best_link(east_of_center(d_m), 0)
                    .path_loss_db,
                cost231_suburban_db(1800, 30, 1.5, slant_km(d_m)), 0.1);
    EXPECT_NEAR(
        single_cell(environment_kind::rural, 1800).best_link(east_of_center(d_m), 0).path_loss_db,
        cost231_open_db(1800, 30, 1.5, slant_km(d_m)), 0.1);
  }
}

TEST(LteMPathLoss, CalibrationHoldsAtOtherHeights) {
  // The calibration is taken at hb 30 m / hm 1.5 m; the offsets it corrects do not depend on the
  // heights, so a 5 m device under a 45 m mast still matches the closed forms.
  lte_m_params p = default_params();
  p.ue_height_m = 5;
  for (environment_kind env : {environment_kind::urban, environment_kind::rural}) {
    for (double f_mhz : {800.0, 1800.0}) {
      cell_site c = make_cell(1, center, f_mhz);
      c.height_m = 45;
      const lte_m_model model(p, env, center, {c});
      const double d_km = std::hypot(4000.0, 40.0) / 1000.0;
      double expected = 0;
      if (env == environment_kind::urban) {
        expected = f_mhz <= 1500 ? hata_urban_large_db(f_mhz, 45, 5, d_km)
                                 : cost231_large_db(f_mhz, 45, 5, d_km);
      } else {
        expected =
            f_mhz <= 1500 ? hata_open_db(f_mhz, 45, 5, d_km) : cost231_open_db(f_mhz, 45, 5, d_km);
      }
      EXPECT_NEAR(model.best_link(east_of_center(4000), 0).path_loss_db, expected, 0.1)
          << environment_name(env) << " " << f_mhz;
    }
  }
}

TEST(LteMPathLoss, NeverBelowFreeSpace) {
  const auto model = single_cell(environment_kind::rural);
  const link_budget l = model.best_link(center, 0);  // right under the mast
  const double friis_db =
      20 * std::log10(cell_height_m - ue_height_m) + 20 * std::log10(800e6) - 147.55;
  EXPECT_GE(l.path_loss_db, friis_db - 1e-9);
  EXPECT_TRUE(std::isfinite(l.path_loss_db));
}

// ---- Link budget bookkeeping ----

TEST(LteMLink, BudgetIdentities) {
  const lte_m_params p = default_params();
  const auto model = single_cell(environment_kind::urban);
  const double shadowing_db = 4.5;
  const link_budget l = model.best_link(east_of_center(2500), shadowing_db);
  const cell_site cell = make_cell(1, center);
  const double gains_db = cell.antenna_gain_dbi + p.ue_antenna_gain_dbi;
  EXPECT_NEAR(l.coupling_loss_db, l.path_loss_db + shadowing_db - gains_db, 1e-9);
  EXPECT_NEAR(l.rsrp_dbm, cell.tx_power_dbm - 10 * std::log10(600.0) - l.coupling_loss_db, 1e-9);
  const double noise_dbm = -174 + 10 * std::log10(p.bandwidth_hz) + p.enb_noise_figure_db;
  EXPECT_NEAR(l.sinr_db, p.ue_tx_power_dbm - l.coupling_loss_db - noise_dbm, 1e-9);
}

TEST(LteMLink, ShadowingShiftsLossOneForOne) {
  const auto model = single_cell(environment_kind::urban);
  const link_budget a = model.best_link(east_of_center(2000), 0);
  const link_budget b = model.best_link(east_of_center(2000), 6);
  EXPECT_NEAR(b.coupling_loss_db - a.coupling_loss_db, 6, 1e-9);
  EXPECT_NEAR(a.rsrp_dbm - b.rsrp_dbm, 6, 1e-9);
  EXPECT_NEAR(a.path_loss_db, b.path_loss_db, 1e-9);
}

TEST(LteMLink, CoverageClassesByDistance) {
  // Urban, 800 MHz, 46 dBm / 15 dBi / 30 m: CL = PL - 12 dB; CE mode A ends near 7.5 km and the
  // 155.7 dB MCL near 16 km.
  const auto model = single_cell(environment_kind::urban);
  EXPECT_EQ(model.best_link(east_of_center(1000), 0).coverage, coverage_class::normal);
  EXPECT_EQ(model.best_link(east_of_center(6000), 0).coverage, coverage_class::normal);
  EXPECT_EQ(model.best_link(east_of_center(10000), 0).coverage, coverage_class::extended);
  EXPECT_EQ(model.best_link(east_of_center(14000), 0).coverage, coverage_class::extended);
  EXPECT_EQ(model.best_link(east_of_center(25000), 0).coverage, coverage_class::none);
}

TEST(LteMLink, FarAwayHasNoCoverage) {
  const auto model = single_cell(environment_kind::rural);
  const link_budget l = model.best_link({51.5074, -0.1278}, 0);  // London, 343 km away
  EXPECT_EQ(l.coverage, coverage_class::none);
  EXPECT_EQ(l.cell_id, 1u);
  EXPECT_GT(l.coupling_loss_db, 155.7);
}

TEST(LteMLink, NoCellsMeansNoCoverage) {
  const lte_m_model model(default_params(), environment_kind::urban, center, {});
  const link_budget l = model.best_link(center, 0);
  EXPECT_EQ(l.coverage, coverage_class::none);
  EXPECT_TRUE(std::isinf(l.coupling_loss_db));
  EXPECT_TRUE(std::isinf(l.rsrp_dbm) && l.rsrp_dbm < 0);
}

TEST(LteMLink, MclThresholdIsExact) {
  // Use the shadowing argument to put the coupling loss a hair either side of each threshold.
  const lte_m_params p = default_params();
  const auto model = single_cell(environment_kind::urban);
  const geo_point at = east_of_center(4000);
  const double cl0 = model.best_link(at, 0).coupling_loss_db;
  auto at_cl = [&](double cl) { return model.best_link(at, cl - cl0); };

  EXPECT_EQ(at_cl(p.mcl_max_db - 1e-6).coverage, coverage_class::extended);
  EXPECT_EQ(at_cl(p.mcl_max_db + 1e-6).coverage, coverage_class::none);
  EXPECT_EQ(at_cl(155.69).coverage, coverage_class::extended);
  EXPECT_EQ(at_cl(155.71).coverage, coverage_class::none);
  EXPECT_EQ(at_cl(p.mcl_ce_mode_a_db - 1e-6).coverage, coverage_class::normal);
  EXPECT_EQ(at_cl(p.mcl_ce_mode_a_db + 1e-6).coverage, coverage_class::extended);
}

TEST(LteMLink, PicksStrongestCell) {
  const lte_m_model model(default_params(), environment_kind::urban, center,
                          {make_cell(10, center), make_cell(20, to_geo(center, {8000, 0})),
                           make_cell(30, to_geo(center, {0, -6000}))});
  EXPECT_EQ(model.best_link(to_geo(center, {500, 0}), 0).cell_id, 10u);
  EXPECT_EQ(model.best_link(to_geo(center, {7000, 500}), 0).cell_id, 20u);
  EXPECT_EQ(model.best_link(to_geo(center, {0, -5000}), 0).cell_id, 30u);

  // A stronger transmitter wins at the midpoint.
  cell_site loud = make_cell(40, to_geo(center, {4000, 0}));
  loud.tx_power_dbm = 49;
  cell_site quiet = make_cell(50, to_geo(center, {-4000, 0}));
  const lte_m_model pair(default_params(), environment_kind::urban, center, {quiet, loud});
  EXPECT_EQ(pair.best_link(center, 0).cell_id, 40u);
}

// ---- Block error curve ----

TEST(LteMBler, ShapeAndAnchor) {
  EXPECT_NEAR(lte_m_block_error(-24.0), 0.10, 1e-3);  // 10% at the default budget's MCL SINR
  EXPECT_LT(lte_m_block_error(-10), 1e-5);
  EXPECT_GT(lte_m_block_error(-35), 0.999);
  double previous = 1.0;
  for (double s = -60; s <= 40; s += 0.25) {
    const double b = lte_m_block_error(s);
    ASSERT_GE(b, 0.0);
    ASSERT_LE(b, 1.0);
    ASSERT_LE(b, previous) << s;
    previous = b;
  }
  EXPECT_EQ(lte_m_block_error(std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_EQ(lte_m_block_error(-std::numeric_limits<double>::infinity()), 1.0);
  EXPECT_EQ(lte_m_block_error(std::nan("")), 1.0);
}

// ---- Sessions ----

struct session_stats {
  double success_rate = 0;
  double mean_airtime_us = 0;
  double mean_latency_us = 0;
  double mean_charge_mah = 0;
};

session_stats run_many(const lte_m_model& model, const link_budget& link, session_request req,
                       int n, std::uint64_t seed = 1) {
  random_stream rng(seed, 1, stream_purpose::session);
  session_stats s;
  for (int i = 0; i < n; ++i) {
    const session_outcome o = model.run_session(link, req, rng);
    s.success_rate += o.success;
    s.mean_airtime_us += static_cast<double>(o.airtime_us);
    s.mean_latency_us += static_cast<double>(o.latency_us);
    s.mean_charge_mah += o.charge_mah;
  }
  s.success_rate /= n;
  s.mean_airtime_us /= n;
  s.mean_latency_us /= n;
  s.mean_charge_mah /= n;
  return s;
}

TEST(LteMSession, GoodLinkSucceeds) {
  const auto model = single_cell(environment_kind::urban);
  const link_budget link = model.best_link(east_of_center(1000), 0);
  ASSERT_EQ(link.coverage, coverage_class::normal);
  const session_stats s = run_many(model, link, {200, 50}, 2000);
  EXPECT_GE(s.success_rate, 0.999);
  EXPECT_GT(s.mean_charge_mah, 0);
  EXPECT_GT(s.mean_airtime_us, 0);

  random_stream rng(1);
  const session_outcome o = model.run_session(link, {200, 50}, rng);
  EXPECT_TRUE(o.success);
  EXPECT_EQ(o.failure, session_failure::none);
  const lte_m_params p = default_params();
  // At the peak rates: (200 + 60) * 8 / 375 kbps + (50 + 60) * 8 / 300 kbps = 8.48 ms airtime.
  EXPECT_NEAR(static_cast<double>(o.airtime_us), 8480, 20);
  EXPECT_NEAR(static_cast<double>(o.latency_us),
              (p.attach_latency_ms + p.rtt_ms) * 1e3 + o.airtime_us, 2);
  // The connected tail dominates: 10 mA * 10.08 s + 60 mA * 0.4 s ~ 0.035 mAh.
  EXPECT_NEAR(o.charge_mah, 0.035, 0.002);
}

TEST(LteMSession, AirtimeGrowsWithBytes) {
  const auto model = single_cell(environment_kind::urban);
  const link_budget link = model.best_link(east_of_center(3000), 0);
  std::int64_t previous = -1;
  double previous_charge = -1;
  for (std::uint32_t bytes : {0u, 100u, 1000u, 10000u, 100000u}) {
    random_stream rng(2);
    const session_outcome o = model.run_session(link, {bytes, bytes / 4}, rng);
    EXPECT_GT(o.airtime_us, previous) << bytes;
    EXPECT_GT(o.charge_mah, previous_charge) << bytes;
    previous = o.airtime_us;
    previous_charge = o.charge_mah;
  }
}

TEST(LteMSession, CeModeBIsSlowerThanCeModeA) {
  const auto model = single_cell(environment_kind::urban);
  const link_budget a = model.best_link(east_of_center(5000), 0);
  const link_budget b = model.best_link(east_of_center(12000), 0);
  ASSERT_EQ(a.coverage, coverage_class::normal);
  ASSERT_EQ(b.coverage, coverage_class::extended);
  const session_stats sa = run_many(model, a, {200, 50}, 200);
  const session_stats sb = run_many(model, b, {200, 50}, 200);
  EXPECT_GT(sb.mean_airtime_us, 5 * sa.mean_airtime_us);
  EXPECT_GT(sb.mean_latency_us, sa.mean_latency_us + 2e6);  // CE-B attach alone adds 2.8 s
  EXPECT_GT(sb.mean_charge_mah, sa.mean_charge_mah);
  EXPECT_GE(sb.success_rate, 0.99);
}

TEST(LteMSession, SlowerTowardsTheMcl) {
  // Within CE mode B the repetitions grow with the coupling loss.
  const auto model = single_cell(environment_kind::urban);
  const geo_point at = east_of_center(10000);
  const double cl0 = model.best_link(at, 0).coupling_loss_db;
  std::int64_t previous = 0;
  for (double cl : {145.0, 148.0, 151.0, 154.0, 155.6}) {
    const link_budget l = model.best_link(at, cl - cl0);
    ASSERT_EQ(l.coverage, coverage_class::extended);
    random_stream rng(4);
    const session_outcome o = model.run_session(l, {100, 0}, rng);
    EXPECT_GT(o.airtime_us, previous) << cl;
    previous = o.airtime_us;
  }
}

TEST(LteMSession, EdgeOfCoverageSometimesFails) {
  const auto model = single_cell(environment_kind::urban);
  const geo_point at = east_of_center(10000);
  const double cl0 = model.best_link(at, 0).coupling_loss_db;
  // Past the curve's anchor: a degraded budget (e.g. a weaker UE) still classed CE mode B.
  link_budget l = model.best_link(at, 155.6 - cl0);
  l.sinr_db = -27;  // BLER ~ 70% per attempt
  const session_stats s = run_many(model, l, {500, 500}, 2000);
  EXPECT_LT(s.success_rate, 0.9);
  EXPECT_GT(s.success_rate, 0.0);

  random_stream rng(6);
  int attach_failures = 0;
  for (int i = 0; i < 2000; ++i) {
    const session_outcome o = model.run_session(l, {500, 500}, rng);
    if (o.failure == session_failure::attach_failed) {
      ++attach_failures;
      EXPECT_FALSE(o.success);
      EXPECT_EQ(o.airtime_us, 0);
      EXPECT_GT(o.charge_mah, 0);
      // Five RACH attempts of 100 ms, x8 in CE mode B.
      EXPECT_EQ(o.latency_us, 5 * 800'000);
    }
  }
  EXPECT_GT(attach_failures, 0);
}

TEST(LteMSession, NoCoverageCostsAScan) {
  const auto model = single_cell(environment_kind::urban);
  const link_budget l = model.best_link(east_of_center(40000), 0);
  ASSERT_EQ(l.coverage, coverage_class::none);
  random_stream rng(7);
  const random_stream before = rng;
  const session_outcome o = model.run_session(l, {100, 100}, rng);
  EXPECT_FALSE(o.success);
  EXPECT_EQ(o.failure, session_failure::no_coverage);
  EXPECT_EQ(o.latency_us, 30'000'000);
  EXPECT_EQ(o.airtime_us, 0);
  EXPECT_NEAR(o.charge_mah, 60.0 * 30 / 3600, 1e-12);  // 30 s at the 60 mA receive current
  random_stream untouched = before;
  EXPECT_EQ(rng.next_u64(), untouched.next_u64());  // no draws without coverage
}

TEST(LteMSession, DeterministicForSameStream) {
  const auto model = single_cell(environment_kind::urban);
  link_budget l = model.best_link(east_of_center(12000), 0);
  l.sinr_db = -25;  // enough errors for the draws to matter
  random_stream a(3, 3, stream_purpose::session);
  random_stream b(3, 3, stream_purpose::session);
  for (int i = 0; i < 500; ++i) {
    const session_outcome x = model.run_session(l, {300, 30}, a);
    const session_outcome y = model.run_session(l, {300, 30}, b);
    ASSERT_EQ(x.success, y.success);
    ASSERT_EQ(x.failure, y.failure);
    ASSERT_EQ(x.airtime_us, y.airtime_us);
    ASSERT_EQ(x.latency_us, y.latency_us);
    ASSERT_EQ(x.charge_mah, y.charge_mah);
  }
}

TEST(LteMSleep, OneYearOfPsm) {
  const auto model = single_cell(environment_kind::urban);
  constexpr std::int64_t year_us = 365LL * 24 * 3600 * 1'000'000;
  // 3.5 uA x 8760 h = 30.66 mAh.
  EXPECT_NEAR(model.sleep_charge_mah(year_us), 30.66, 0.01);
  EXPECT_EQ(model.sleep_charge_mah(0), 0.0);
  EXPECT_EQ(model.sleep_charge_mah(-5), 0.0);
}

}  // namespace
}  // namespace twelvefold::models
