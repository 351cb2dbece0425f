// Path loss of every RAT's model against the published closed forms (docs/validation.md):
// Okumura-Hata (GSM 900, LoRa 868), COST-231-Hata (UMTS 2100, via ns-3's Cost231 model),
// ITU-R P.1238 / log-distance (Wi-Fi), Friis free space (NTN), and the TR 38.901 building
// loss of indoor regions.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "twelvefold/models/gprs.hpp"
#include "twelvefold/models/lorawan.hpp"
#include "twelvefold/models/ntn.hpp"
#include "twelvefold/models/radio_model.hpp"
#include "twelvefold/models/umts.hpp"
#include "twelvefold/models/wifi.hpp"

namespace twelvefold::models {
namespace {

constexpr geo_point center{48.8566, 2.3522};
constexpr double pi = 3.14159265358979323846;

geo_point east(double metres) { return to_geo(center, {metres, 0}); }

cell_site site_at(rat r, const geo_point& at, std::uint32_t id = 1) {
  cell_site s = default_site(r);
  s.id = id;
  s.position = at;
  return s;
}

// ---- Closed forms, written out independently of the models ----

double a_hm_large_city(double hm) { return 3.2 * std::pow(std::log10(11.75 * hm), 2) - 4.97; }
double a_hm_medium_city(double f_mhz, double hm) {
  const double lf = std::log10(f_mhz);
  return (1.1 * lf - 0.7) * hm - (1.56 * lf - 0.8);
}
double hata_db(double f_mhz, double hb, double d_km, double a_hm) {
  return 69.55 + 26.16 * std::log10(f_mhz) - 13.82 * std::log10(hb) - a_hm +
         (44.9 - 6.55 * std::log10(hb)) * std::log10(d_km);
}
double cost231_db(double f_mhz, double hb, double d_km, double a_hm, double c_m) {
  return 46.3 + 33.9 * std::log10(f_mhz) - 13.82 * std::log10(hb) - a_hm +
         (44.9 - 6.55 * std::log10(hb)) * std::log10(d_km) + c_m;
}
double friis_db(double d_m, double f_hz) {
  return 20 * std::log10(4 * pi * d_m * f_hz / 299'792'458.0);
}
double p1238_db(double f_mhz, double d_m, double n) {
  return 20 * std::log10(f_mhz) + n * std::log10(d_m) - 28;
}
double slant_km(double ground_m, double hb, double hm) {
  return std::hypot(ground_m, hb - hm) / 1000.0;
}

TEST(PathLoss, GprsMatchesHataAt900MHz) {
  const auto model =
      make_gprs_model({}, environment_kind::urban, center, {site_at(rat::gprs, center)});
  for (double d : {1000.0, 3000.0, 8000.0}) {
    const double expected = hata_db(900, 30, slant_km(d, 30, 1.5), a_hm_large_city(1.5));
    EXPECT_NEAR(model->best_link(east(d), 0, {}).path_loss_db, expected, 0.1) << d;
  }
  // Golden: 900 MHz, hb 30 m, hm 1.5 m, 1 km, large city: 126.4 dB.
  EXPECT_NEAR(model->best_link(east(1000), 0, {}).path_loss_db, 126.4, 0.2);
}

TEST(PathLoss, LoraMatchesHataAt868MHzRural) {
  const auto model =
      make_lorawan_model({}, environment_kind::rural, center, {site_at(rat::lorawan, center)});
  for (double d : {2000.0, 10000.0}) {
    const double lf = std::log10(868.1);
    const double expected = hata_db(868.1, 30, slant_km(d, 30, 1.5), a_hm_medium_city(868.1, 1.5)) -
                            4.78 * lf * lf + 18.33 * lf - 40.94;
    EXPECT_NEAR(model->best_link(east(d), 0, {}).path_loss_db, expected, 0.1) << d;
  }
}

TEST(PathLoss, UmtsMatchesCost231Hata) {
  // ns-3's Cost231 model adds 10 dB and uses 1.11 log f in a(hm); the calibration restores the
  // published COST-231-Hata (metropolitan centre: large-city a(hm), Cm = 3 dB; medium city:
  // Cm = 0 with the suburban correction extrapolated).
  const auto urban =
      make_umts_model({}, environment_kind::urban, center, {site_at(rat::umts, center)});
  const auto suburban =
      make_umts_model({}, environment_kind::suburban, center, {site_at(rat::umts, center)});
  for (double d : {500.0, 1000.0, 4000.0}) {
    const double d_km = slant_km(d, 30, 1.5);
    EXPECT_NEAR(urban->best_link(east(d), 0, {}).path_loss_db,
                cost231_db(2100, 30, d_km, a_hm_large_city(1.5), 3), 0.1)
        << d;
    EXPECT_NEAR(suburban->best_link(east(d), 0, {}).path_loss_db,
                cost231_db(2100, 30, d_km, a_hm_medium_city(2100, 1.5), 0) -
                    2 * std::pow(std::log10(2100 / 28.0), 2) - 5.4,
                0.1)
        << d;
  }
  // Golden: 2100 MHz, hb 30 m, hm 1.5 m, 1 km, metropolitan: 141.5 dB.
  EXPECT_NEAR(urban->best_link(east(1000), 0, {}).path_loss_db, 141.5, 0.2);
}

TEST(PathLoss, UmtsCalibrationFollowsMastHeight) {
  // The ns-3 Cost231 model takes its heights as attributes: one model per mast height.
  cell_site tall = site_at(rat::umts, center, 1);
  tall.height_m = 50;
  cell_site short_mast = site_at(rat::umts, to_geo(center, {0, 20000}), 2);
  short_mast.height_m = 25;
  const auto model = make_umts_model({}, environment_kind::urban, center, {tall, short_mast});
  EXPECT_NEAR(model->best_link(east(2000), 0, {}).path_loss_db,
              cost231_db(2100, 50, slant_km(2000, 50, 1.5), a_hm_large_city(1.5), 3), 0.1);
  const geo_point near_short = to_geo(center, {0, 18000});
  const link_budget l = model->best_link(near_short, 0, {});
  EXPECT_EQ(l.cell_id, 2u);
  EXPECT_NEAR(l.path_loss_db,
              cost231_db(2100, 25, slant_km(2000, 25, 1.5), a_hm_large_city(1.5), 3), 0.1);
}

TEST(PathLoss, WifiMatchesItuP1238AndLogDistance) {
  const cell_site ap = site_at(rat::wifi, center);  // 2.5 m up; devices 1 m up
  const auto model = make_wifi_model({}, environment_kind::indoor, center, {ap});
  for (double d : {5.0, 20.0, 60.0}) {
    const double d3 = std::hypot(d, 1.5);
    const double loss = model->best_link(east(d), 0, {}).path_loss_db;
    EXPECT_NEAR(loss, p1238_db(2437, d3, 30), 0.01) << d;
    // The same as log-distance: L(1 m) + 10 n log10(d), n = 3.
    EXPECT_NEAR(loss, 20 * std::log10(2437) - 28 + 30 * std::log10(d3), 0.01) << d;
  }
  // Golden: 2437 MHz, N = 30, 20 m: 78.8 dB.
  EXPECT_NEAR(model->best_link(east(20), 0, {}).path_loss_db, 78.8, 0.1);
}

TEST(PathLoss, NtnIsFreeSpaceAtTheMinimumElevation) {
  constellation_spec leo;
  leo.satellites = 24;
  leo.planes = 4;
  leo.altitude_km = 600;
  leo.min_elevation_deg = 30;
  const auto model = make_ntn_model({}, environment_kind::rural, leo);
  const walker_constellation geometry(leo);
  const double slant_m = geometry.slant_range_m(30);
  // Slant range from the law of cosines: R = 6371 km, a = R + 600 km, 30 deg elevation.
  const double r = 6371e3;
  const double a = r + 600e3;
  const double e = 30 * pi / 180;
  EXPECT_NEAR(slant_m, std::sqrt(a * a - r * r * std::cos(e) * std::cos(e)) - r * std::sin(e),
              1e-6);
  EXPECT_NEAR(slant_m, 1075e3, 1e3);  // TR 38.821: ~1075 km at 30 deg for LEO-600
  EXPECT_NEAR(geometry.slant_range_m(90), 600e3, 1e-6);
  EXPECT_NEAR(model->best_link(center, 0, {}).path_loss_db, friis_db(slant_m, 2e9), 1e-6);
  EXPECT_NEAR(model->best_link(center, 0, {}).path_loss_db, 159.1, 0.1);
}

// TR 38.901 §7.4.3.1 low-loss O2I model, written out: PL_tw + 0.5 x E[d_in].
double o2i_low_loss_db(double f_ghz) {
  const double glass = 2 + 0.2 * f_ghz;
  const double concrete = 5 + 4 * f_ghz;
  return 5 - 10 * std::log10(0.3 * std::pow(10, -glass / 10) + 0.7 * std::pow(10, -concrete / 10)) +
         0.5 * 25.0 / 3.0;
}

TEST(PathLoss, IndoorAddsBuildingLoss) {
  for (rat r : {rat::lte_m, rat::nb_iot, rat::gprs, rat::umts, rat::lorawan}) {
    const cell_site s = site_at(r, center);
    const auto urban = make_radio_model(r, environment_kind::urban, center, {s});
    const auto indoor = make_radio_model(r, environment_kind::indoor, center, {s});
    const link_budget out = urban->best_link(east(2000), 0, {});
    const link_budget in = indoor->best_link(east(2000), 0, {});
    EXPECT_NEAR(in.path_loss_db, out.path_loss_db, 1e-9) << rat_name(r);  // urban propagation
    EXPECT_NEAR(in.coupling_loss_db - out.coupling_loss_db, o2i_low_loss_db(s.frequency_mhz / 1e3),
                1e-9)
        << rat_name(r);
    // The O2I spread (4.4 dB) adds to the shadowing in variance.
    EXPECT_NEAR(indoor->shadowing_sigma_db(), std::hypot(urban->shadowing_sigma_db(), 4.4), 1e-9)
        << rat_name(r);
  }
  // Golden: 14.6 dB at 800 MHz, 16.1 dB at 2.1 GHz.
  EXPECT_NEAR(o2i_low_loss_db(0.8), 14.6, 0.1);
  EXPECT_NEAR(o2i_low_loss_db(2.1), 16.1, 0.1);
}

}  // namespace
}  // namespace twelvefold::models
