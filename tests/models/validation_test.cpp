// Validation of the radio models against analytical results and published figures. Each test
// here is a row of docs/validation.md (reference, tolerance, figure obtained): keep them in step.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "twelvefold/models/battery.hpp"
#include "twelvefold/models/contention.hpp"
#include "twelvefold/models/lorawan.hpp"
#include "twelvefold/models/nb_iot.hpp"
#include "twelvefold/models/ntn.hpp"
#include "twelvefold/models/radio_model.hpp"

namespace twelvefold::models {
namespace {

constexpr geo_point center{48.8566, 2.3522};
constexpr double pi = 3.14159265358979323846;
// 2024-01-01T00:00:00Z, microseconds since the Unix epoch.
constexpr std::int64_t epoch_2024_us = 1'704'067'200LL * 1'000'000;

constellation_spec leo_spec() {
  constellation_spec c;
  c.satellites = 66;
  c.planes = 6;
  c.altitude_km = 600;
  c.inclination_deg = 53;
  c.min_elevation_deg = 25;
  return c;
}

std::unique_ptr<radio_model> single_site_model(rat r) {
  cell_site s = default_site(r);
  s.id = 1;
  s.position = center;
  return make_radio_model(r, environment_kind::urban, center, {s}, leo_spec());
}

// The link of a device 300 m from the site with its coupling loss set to `cl_db` through the
// shadowing argument (coupling loss moves 1:1 with shadowing).
link_budget link_at(const radio_model& model, double cl_db) {
  const geo_point at = to_geo(center, {300, 0});
  const double cl0 = model.best_link(at, 0, {}).coupling_loss_db;
  return model.best_link(at, cl_db - cl0, {});
}

// ---- Maximum coupling loss per RAT ----

struct mcl_case {
  rat technology;
  double mcl_db;
  const char* reference;
};

// NTN: the coupling loss excludes the satellite antenna (it is in its EIRP and G/T). The
// downlink limits: 34 dBW/MHz over 180 kHz (56.6 dBm) - CL - (-174 + 10 log10(180 kHz) + 7 dB)
// = -12.6 dB at CL = 183.6 dB (the uplink would allow 192.7 dB).
const mcl_case mcl_cases[] = {
    {rat::lte_m, 155.7, "TR 36.888 Table 6-1"},
    {rat::nb_iot, 164.0, "TR 45.820"},
    {rat::gprs, 144.0, "TR 45.820 GPRS reference"},
    {rat::umts, 141.0, "WCDMA 64 kbit/s bearer budget"},
    {rat::wifi, 97.0, "15 dBm - (-82 dBm MCS 0 sensitivity, IEEE 802.11)"},
    {rat::lorawan, 151.0, "14 dBm - (-137 dBm SF12, SX1276)"},
    {rat::ntn, 34 + 10 * std::log10(0.18) + 30 + 174 - 10 * std::log10(180e3) - 7 + 12.6,
     "TR 38.821 Set-1 LEO-600 S-band"},
};

TEST(Validation, MaximumCouplingLossPerRat) {
  // A session time with a satellite in view over the device, for NTN.
  const walker_constellation constellation(leo_spec());
  satellite_pass pass;
  ASSERT_TRUE(constellation.next_pass(to_geo(center, {300, 0}), epoch_2024_us,
                                      24LL * 3600 * 1'000'000, pass));
  const std::int64_t in_view_us = pass.start_utc_us + (pass.end_utc_us - pass.start_utc_us) / 2;
  for (const mcl_case& c : mcl_cases) {
    const auto model = single_site_model(c.technology);
    const link_budget under = link_at(*model, c.mcl_db - 0.5);
    const link_budget over = link_at(*model, c.mcl_db + 0.5);
    EXPECT_NE(under.coverage, coverage_class::none) << rat_name(c.technology) << " " << c.reference;
    EXPECT_EQ(over.coverage, coverage_class::none) << rat_name(c.technology) << " " << c.reference;
    random_stream rng(11, static_cast<std::uint64_t>(c.technology), stream_purpose::session);
    int ok = 0;
    constexpr int sessions = 300;
    for (int i = 0; i < sessions; ++i) {
      const session_outcome o = model->run_session(under, {40, 0, in_view_us}, rng);
      ok += o.success;
      const session_outcome x = model->run_session(over, {40, 0, in_view_us}, rng);
      ASSERT_FALSE(x.success);
      ASSERT_EQ(x.failure, session_failure::no_coverage) << rat_name(c.technology);
    }
    std::printf("[ mcl      ] %-8s MCL %.1f dB: %.1f%% of sessions succeed 0.5 dB under\n",
                std::string(rat_name(c.technology)).c_str(), c.mcl_db, 100.0 * ok / sessions);
    EXPECT_GE(ok, sessions * 0.9) << rat_name(c.technology);
  }
}

TEST(Validation, LteMClassesAtTheirPublishedThresholds) {
  const auto lte = single_site_model(rat::lte_m);
  EXPECT_EQ(link_at(*lte, 143.9).level, 0);  // CE mode A
  EXPECT_EQ(link_at(*lte, 144.1).level, 1);  // CE mode B
  const auto nb = single_site_model(rat::nb_iot);
  EXPECT_EQ(link_at(*nb, 143.9).coverage, coverage_class::normal);
  EXPECT_EQ(link_at(*nb, 153.9).coverage, coverage_class::extended);
  EXPECT_EQ(link_at(*nb, 163.9).coverage, coverage_class::extreme);
  EXPECT_EQ(link_at(*nb, 153.9).level, 1);
  EXPECT_EQ(link_at(*nb, 163.9).level, 2);
}

// ---- LoRa: single-gateway delivery against the pure-ALOHA curve ----

TEST(Validation, LoraSingleGatewayFollowsPureAloha) {
  // Poisson uplinks of equal power (no capture) at one gateway, one channel, one SF: a frame
  // survives if no other starts within one airtime either side, probability e^{-2G}.
  const std::int64_t airtime_us = lora_airtime_us(23, 7);  // 10-byte payload at SF7: 61.7 ms
  for (double g : {0.1, 0.25, 0.5, 1.0}) {
    random_stream rng(42, static_cast<std::uint64_t>(g * 100), stream_purpose::session);
    const int frames = 40000;
    const double rate_per_us = g / static_cast<double>(airtime_us);
    std::vector<lora_tx> txs;
    txs.reserve(frames);
    double t_us = 0;
    for (int i = 0; i < frames; ++i) {
      t_us += -std::log(1.0 - rng.uniform()) / rate_per_us;  // exponential gaps
      lora_tx tx;
      tx.twin = static_cast<std::uint32_t>(i);
      tx.start_us = static_cast<std::int64_t>(t_us);
      tx.airtime_us = airtime_us;
      tx.rssi_dbm = -110;
      txs.push_back(tx);
    }
    const std::vector<bool> ok = resolve_lora(txs);
    int delivered = 0;
    for (bool b : ok) delivered += b;
    const double simulated = static_cast<double>(delivered) / frames;
    std::printf("[ aloha    ] G = %.2f: delivered %.4f, e^-2G = %.4f, S = %.4f (G e^-2G %.4f)\n", g,
                simulated, aloha_success_probability(g), g * simulated, aloha_throughput(g));
    EXPECT_NEAR(simulated, aloha_success_probability(g), 0.01) << "G = " << g;
  }
  EXPECT_NEAR(aloha_throughput(0.5), 1.0 / (2.0 * std::exp(1.0)), 1e-12);  // the 18.4% peak
}

TEST(Validation, LoraCaptureRaisesDeliveryAboveAloha) {
  const std::int64_t airtime_us = lora_airtime_us(23, 7);
  const double g = 0.5;
  random_stream rng(43);
  std::vector<lora_tx> txs;
  double t_us = 0;
  for (int i = 0; i < 20000; ++i) {
    t_us += -std::log(1.0 - rng.uniform()) * static_cast<double>(airtime_us) / g;
    lora_tx tx;
    tx.twin = static_cast<std::uint32_t>(i);
    tx.start_us = static_cast<std::int64_t>(t_us);
    tx.airtime_us = airtime_us;
    tx.rssi_dbm = rng.uniform(-130, -90);  // devices at all distances
    txs.push_back(tx);
  }
  const std::vector<bool> ok = resolve_lora(txs);
  int delivered = 0;
  for (bool b : ok) delivered += b;
  EXPECT_GT(static_cast<double>(delivered) / 20000, aloha_success_probability(g) + 0.1);
}

// ---- Random access: one opportunity against (1 - 1/M)^(N-1) ----

TEST(Validation, RachSingleOpportunityMatchesAnalysis) {
  rach_params p;
  p.max_attempts = 1;
  for (int devices : {5, 20, 54, 100}) {
    int successes = 0;
    int total = 0;
    for (int trial = 0; trial < 400; ++trial) {
      std::vector<rach_attempt> attempts;
      std::vector<random_stream> streams;
      streams.reserve(static_cast<std::size_t>(devices));
      for (int d = 0; d < devices; ++d) {
        attempts.push_back({static_cast<std::uint32_t>(d), 1, 5'000});
        streams.emplace_back(7, static_cast<std::uint64_t>(trial * 1000 + d),
                             stream_purpose::session);
      }
      std::vector<random_stream*> rngs;
      for (auto& s : streams) rngs.push_back(&s);
      for (const rach_result& r : resolve_rach(attempts, rngs, p)) {
        successes += r.success;
        ++total;
      }
    }
    const double simulated = static_cast<double>(successes) / total;
    const double expected = rach_single_opportunity_success(devices, p.preambles);
    std::printf("[ rach     ] N = %3d, M = 54: success %.4f, (1-1/M)^(N-1) = %.4f\n", devices,
                simulated, expected);
    EXPECT_NEAR(simulated, expected, 0.015) << devices;
  }
}

// ---- Battery life: TR 45.820 reference traffic profile on NB-IoT ----

// Years of a 5 Wh battery (TR 45.820 §5.4: no leakage) for one `uplink_bytes` report a day at
// coupling loss `cl_db`: the mean charge of a session plus PSM for the rest of the day.
double nb_iot_battery_years(double cl_db, std::uint32_t uplink_bytes) {
  const auto model = single_site_model(rat::nb_iot);
  const link_budget link = link_at(*model, cl_db);
  EXPECT_NE(link.coverage, coverage_class::none);
  random_stream rng(5, 5, stream_purpose::session);
  double charge_mah = 0;
  double latency_s = 0;
  constexpr int sessions = 500;
  for (int i = 0; i < sessions; ++i) {
    const session_outcome o = model->run_session(link, {uplink_bytes, 0, 0}, rng);
    charge_mah += o.charge_mah;
    latency_s += static_cast<double>(o.latency_us) / 1e6;
  }
  charge_mah /= sessions;
  latency_s /= sessions;
  constexpr std::int64_t day_us = 86'400LL * 1'000'000;
  const double daily_mah =
      charge_mah + model->sleep_charge_mah(day_us - static_cast<std::int64_t>(latency_s * 1e6));
  const double capacity_mah = 5000.0 / 3.6;  // 5 Wh at the 3.6 V the currents are given at
  return capacity_mah / (daily_mah * 365.25);
}

TEST(Validation, NbIotBatteryLifeTr45820) {
  const double at_164 = nb_iot_battery_years(163.99, 200);
  const double at_154 = nb_iot_battery_years(154.0, 200);
  const double at_144 = nb_iot_battery_years(144.0, 200);
  std::printf(
      "[ battery  ] NB-IoT 200 B/day, 5 Wh: %.1f y at 144 dB, %.1f y at 154 dB, %.1f y at "
      "164 dB\n",
      at_144, at_154, at_164);
  // TR 45.820: the 10-year objective at 164 dB MCL for 200 bytes a day; tolerance [10, 15] y.
  EXPECT_GE(at_164, 10.0);
  EXPECT_LE(at_164, 15.0);
  // The PSM floor bounds every life: 5 Wh / 15 uW = 38.05 years; good coverage comes close.
  const double floor_years = 5.0 / 15e-6 / (24 * 365.25);
  EXPECT_LT(at_144, floor_years);
  EXPECT_GT(at_144, 0.8 * floor_years);
  EXPECT_GT(at_154, at_164);
  EXPECT_GT(at_144, at_154);
}

TEST(Validation, ProjectedLifeMatchesArithmetic) {
  // 1000 mAh drained 1 mAh a day: 1000 / (365.25 + 10) = 2.665 years with 1%/y self-discharge.
  constexpr std::int64_t day_us = 86'400LL * 1'000'000;
  EXPECT_NEAR(projected_life_years(battery_kind::li_socl2, 1000, 1, day_us),
              1000.0 / (365.25 + 10.0), 1e-9);
}

// ---- NTN: pass timing against circular-orbit geometry ----

TEST(Validation, NtnPassesMatchOrbitalGeometry) {
  // One satellite in an equatorial orbit seen from the equator: it passes overhead once per
  // synodic period 2 pi / (n - w_E), and stays above the minimum elevation e for
  // 2 psi / (n - w_E), psi = arccos(R cos e / a) - e (the footprint's Earth central angle).
  constellation_spec spec;
  spec.satellites = 1;
  spec.planes = 1;
  spec.altitude_km = 550;
  spec.inclination_deg = 0;
  spec.min_elevation_deg = 25;
  const walker_constellation c(spec);
  const double r = 6371e3;
  const double a = r + 550e3;
  const double n = std::sqrt(3.986004418e14 / (a * a * a));
  const double earth_rate = 7.2921150e-5;  // sidereal rotation, rad/s
  EXPECT_NEAR(c.period_s(), 2 * pi / n, 1e-6);
  EXPECT_NEAR(c.period_s() / 60, 95.6, 0.1);  // the familiar ~95.6 min at 550 km
  const double e = 25 * pi / 180;
  const double psi = std::acos(r * std::cos(e) / a) - e;
  const double duration_s = 2 * psi / (n - earth_rate);
  const double synodic_s = 2 * pi / (n - earth_rate);

  const geo_point equator{0, 10};
  satellite_pass first;
  satellite_pass second;
  ASSERT_TRUE(c.next_pass(equator, epoch_2024_us, 4LL * 3600 * 1'000'000, first));
  ASSERT_TRUE(c.next_pass(equator, first.end_utc_us + 1'000'000, 4LL * 3600 * 1'000'000, second));
  const double measured_duration_s =
      static_cast<double>(first.end_utc_us - first.start_utc_us) / 1e6;
  const double measured_synodic_s =
      static_cast<double>(second.start_utc_us - first.start_utc_us) / 1e6;
  std::printf(
      "[ ntn      ] 550 km equatorial: pass %.1f s (analytic %.1f), revisit %.1f s "
      "(analytic %.1f), peak %.1f deg\n",
      measured_duration_s, duration_s, measured_synodic_s, synodic_s, first.max_elevation_deg);
  EXPECT_NEAR(measured_duration_s, duration_s, 1.0);
  EXPECT_NEAR(measured_synodic_s, synodic_s, 1.0);
  EXPECT_NEAR(first.max_elevation_deg, 90, 0.5);
  // Above the reach of the orbit, never a pass.
  satellite_pass none;
  EXPECT_FALSE(c.next_pass({40, 10}, epoch_2024_us, 4LL * 3600 * 1'000'000, none));
}

}  // namespace
}  // namespace twelvefold::models
