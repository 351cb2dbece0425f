// Behaviour of the NB-IoT, GPRS, UMTS, Wi-Fi, LoRaWAN and NTN models (LTE-M: lte_m_test.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "twelvefold/models/contention.hpp"
#include "twelvefold/models/gprs.hpp"
#include "twelvefold/models/lorawan.hpp"
#include "twelvefold/models/nb_iot.hpp"
#include "twelvefold/models/ntn.hpp"
#include "twelvefold/models/radio_model.hpp"
#include "twelvefold/models/umts.hpp"
#include "twelvefold/models/wifi.hpp"

namespace twelvefold::models {
namespace {

constexpr geo_point center{48.8566, 2.3522};
constexpr std::int64_t epoch_2024_us = 1'704'067'200LL * 1'000'000;

std::unique_ptr<radio_model> single(rat r, environment_kind env = environment_kind::urban,
                                    const constellation_spec& leo = {}) {
  cell_site s = default_site(r);
  s.id = 1;
  s.position = center;
  return make_radio_model(r, env, center, {s}, leo);
}

link_budget link_at(const radio_model& model, double cl_db, double east_m = 300) {
  const geo_point at = to_geo(center, {east_m, 0});
  const double cl0 = model.best_link(at, 0, {}).coupling_loss_db;
  return model.best_link(at, cl_db - cl0, {});
}

// ---- NB-IoT ----

TEST(NbIot, SinrAtTheMclMatchesTr45820) {
  const auto model = single(rat::nb_iot);
  const link_budget l = link_at(*model, 164.0);
  // Uplink single-tone: 23 - 164 + 174 - 10 log10(15e3) - 3 = -11.8 dB (TR 45.820 NPUSCH).
  EXPECT_NEAR(l.sinr_db, -11.76, 0.01);
  // NRSRP: 35 dBm per PRB less 10 log10(12) per RE, minus the coupling loss.
  EXPECT_NEAR(l.rsrp_dbm, 35 - 10 * std::log10(12.0) - 164.0, 1e-9);
}

TEST(NbIot, RateFallsAndSessionsLengthenWithCeLevel) {
  const auto model = single(rat::nb_iot);
  const link_budget ce0 = link_at(*model, 140);
  const link_budget ce1 = link_at(*model, 150);
  const link_budget ce2 = link_at(*model, 163);
  EXPECT_GT(ce0.uplink_bps, ce1.uplink_bps);
  EXPECT_GT(ce1.uplink_bps, ce2.uplink_bps);
  EXPECT_LE(ce0.uplink_bps, 62.5e3);
  EXPECT_LE(ce0.downlink_bps, 27.2e3);
  // At the MCL, a few hundred bit/s up, above TR 45.820's 160 bit/s floor.
  const link_budget edge = link_at(*model, 164.0);
  EXPECT_GT(edge.uplink_bps, 160);
  EXPECT_LT(edge.uplink_bps, 1000);
  random_stream rng(1);
  const session_outcome a = model->run_session(ce0, {200, 0, 0}, rng);
  const session_outcome c = model->run_session(ce2, {200, 0, 0}, rng);
  EXPECT_TRUE(a.success);
  EXPECT_GT(c.latency_us, a.latency_us + 3'000'000);  // CE level 2 signalling alone: 5 s
  EXPECT_GT(c.charge_mah, 5 * a.charge_mah);
}

// ---- GPRS ----

TEST(Gprs, CodingSchemeFollowsMargin) {
  const auto model = single(rat::gprs);
  EXPECT_EQ(link_at(*model, 143.5).level, 1);  // CS-1 at the edge
  EXPECT_EQ(link_at(*model, 140.5).level, 2);
  EXPECT_EQ(link_at(*model, 138.5).level, 3);
  EXPECT_EQ(link_at(*model, 130.0).level, 4);
  const link_budget best = link_at(*model, 120.0);
  EXPECT_NEAR(best.uplink_bps, 2 * 21.4e3, 1e-6);    // CS-4, 2 uplink slots
  EXPECT_NEAR(best.downlink_bps, 4 * 21.4e3, 1e-6);  // CS-4, 4 downlink slots
}

TEST(Gprs, EverySessionPaysARegistrationAndSleepIsNotPsm) {
  const auto gprs = single(rat::gprs);
  const auto lte = single(rat::lte_m);
  random_stream rng(2);
  const session_outcome o = gprs->run_session(link_at(*gprs, 120), {200, 50, 0}, rng);
  EXPECT_TRUE(o.success);
  EXPECT_GT(o.latency_us, 4'000'000);
  constexpr std::int64_t day_us = 86'400LL * 1'000'000;
  EXPECT_GT(gprs->sleep_charge_mah(day_us), 10 * lte->sleep_charge_mah(day_us));
}

// ---- UMTS ----

TEST(Umts, BearersAndTail) {
  const auto model = single(rat::umts);
  EXPECT_EQ(link_at(*model, 140.5).level, 0);
  EXPECT_NEAR(link_at(*model, 140.5).uplink_bps, 64e3, 1e-6);
  EXPECT_EQ(link_at(*model, 120).level, 3);
  // RSCP is the CPICH, 10 dB under the NodeB's 43 dBm.
  const link_budget l = link_at(*model, 130);
  EXPECT_NEAR(l.rsrp_dbm, 43 - 10 - 130, 1e-9);
  // The DCH/FACH tail dominates a small session's charge: 12 s at 60 mA = 0.2 mAh.
  random_stream rng(4);
  const session_outcome o = model->run_session(l, {100, 20, 0}, rng);
  EXPECT_TRUE(o.success);
  EXPECT_GT(o.charge_mah, 0.2);
}

// ---- Wi-Fi ----

TEST(Wifi, McsBySensitivityAndIndoorRange) {
  const auto model = single(rat::wifi, environment_kind::indoor);
  // Uplink received power 15 dBm - CL against the 802.11n sensitivities.
  EXPECT_EQ(link_at(*model, 15 + 82 - 0.1).level, 0);
  EXPECT_EQ(link_at(*model, 15 + 74 - 0.1).level, 3);
  EXPECT_EQ(link_at(*model, 15 + 64 - 0.1).level, 7);
  EXPECT_EQ(link_at(*model, 15 + 82 + 0.1).coverage, coverage_class::none);
  // Range: no shadowing, ~95 m through offices (P.1238 N = 30).
  const geo_point ap = center;
  auto covered_at = [&](double metres) {
    return model->best_link(to_geo(ap, {metres, 0}), 0, {}).coverage != coverage_class::none;
  };
  EXPECT_TRUE(covered_at(60));
  EXPECT_FALSE(covered_at(120));
}

TEST(Wifi, SessionsCostConnectionSetUp) {
  const auto wifi = single(rat::wifi, environment_kind::indoor);
  const auto lte = single(rat::lte_m);
  random_stream rng(5);
  const session_outcome w = wifi->run_session(link_at(*wifi, 60), {200, 50, 0}, rng);
  const session_outcome l = lte->run_session(link_at(*lte, 120), {200, 50, 0}, rng);
  EXPECT_TRUE(w.success);
  EXPECT_LT(w.airtime_us, l.airtime_us);  // 65 Mbit/s against 375 kbit/s
  EXPECT_GT(w.latency_us, 1'400'000);     // association + DHCP + TLS
  EXPECT_GT(w.charge_mah, l.charge_mah);  // high currents through the set-up
  constexpr std::int64_t day_us = 86'400LL * 1'000'000;
  EXPECT_NEAR(wifi->sleep_charge_mah(day_us), 0.24, 1e-9);  // 10 uA deep sleep
}

// ---- LoRaWAN ----

TEST(Lorawan, AdrPicksTheLowestSpreadingFactorWithMargin) {
  const auto model = single(rat::lorawan);
  // SNR = 14 dBm - CL + 117 dBm (noise in 125 kHz, NF 6 dB) = 131 - CL.
  const lorawan_params p;
  for (int sf = 7; sf <= 11; ++sf) {
    const double cl = 131 - (lora_snr_limit_db(p, sf) + p.adr_margin_db) - 0.1;
    const link_budget l = link_at(*model, cl);
    EXPECT_EQ(l.level, sf) << sf;
    EXPECT_NEAR(l.uplink_bps, lora_bit_rate_bps(sf), 1e-9);
  }
  EXPECT_EQ(link_at(*model, 145).level, 12);  // inside SF12's margin: still served
  EXPECT_EQ(link_at(*model, 145).coverage, coverage_class::extreme);
  EXPECT_EQ(link_at(*model, 110).coverage, coverage_class::normal);
  EXPECT_EQ(link_at(*model, 151.5).coverage, coverage_class::none);
  EXPECT_NEAR(lora_bit_rate_bps(7), 5468.75, 1e-9);
  EXPECT_NEAR(lora_bit_rate_bps(12), 292.97, 0.01);
  EXPECT_TRUE(model->packet_limited());
  EXPECT_EQ(model->max_uplink_bytes(link_at(*model, 110)), 222u);
  EXPECT_EQ(model->max_uplink_bytes(link_at(*model, 145)), 51u);
  EXPECT_EQ(model->overhead_bytes_per_direction(), 13u);
}

TEST(Lorawan, PayloadLimitsPerSpreadingFactor) {
  EXPECT_EQ(lora_max_payload_bytes(7), 222u);
  EXPECT_EQ(lora_max_payload_bytes(8), 222u);
  EXPECT_EQ(lora_max_payload_bytes(9), 115u);
  EXPECT_EQ(lora_max_payload_bytes(10), 51u);
  EXPECT_EQ(lora_max_payload_bytes(11), 51u);
  EXPECT_EQ(lora_max_payload_bytes(12), 51u);
  EXPECT_EQ(lora_max_payload_bytes(6), 0u);
}

TEST(Lorawan, SessionsAreFramedAndDutyCycled) {
  const auto model = single(rat::lorawan);
  const link_budget sf12 = link_at(*model, 145);
  ASSERT_EQ(sf12.level, 12);
  random_stream rng(6);
  // 40 bytes: one frame of 53 bytes at SF12 (2.3 s on air), then RX2 closes ~2.2 s later.
  const session_outcome one = model->run_session(sf12, {40, 0, 0}, rng);
  EXPECT_EQ(one.airtime_us, lora_airtime_us(53, 12));
  EXPECT_GT(one.latency_us, one.airtime_us + 2'000'000);
  // 120 bytes: three frames with 99x off-times between them (~8 minutes).
  const session_outcome three = model->run_session(sf12, {120, 0, 0}, rng);
  EXPECT_EQ(three.airtime_us, 2 * lora_airtime_us(51 + 13, 12) + lora_airtime_us(18 + 13, 12));
  EXPECT_GT(three.latency_us, 2 * 99 * lora_airtime_us(51 + 13, 12));
  // 1000 bytes at SF12: 20 frames, ~55 s on air, over the 36 s an hour the duty cycle allows.
  const session_outcome big = model->run_session(sf12, {1000, 0, 0}, rng);
  EXPECT_FALSE(big.success);
  EXPECT_EQ(big.failure, session_failure::duty_cycle);
  EXPECT_EQ(big.charge_mah, 0.0);
  // At SF7 the same 1000 bytes fit: 5 frames.
  const session_outcome fast = model->run_session(link_at(*model, 100), {1000, 0, 0}, rng);
  EXPECT_TRUE(fast.success);
}

TEST(Lorawan, DownlinkRidesReceiveWindows) {
  const auto model = single(rat::lorawan);
  const link_budget l = link_at(*model, 110);
  random_stream rng(7);
  const session_outcome one = model->run_downlink(l, 20, rng);
  EXPECT_TRUE(one.success);
  EXPECT_GE(one.latency_us, 1'000'000);                           // RECEIVE_DELAY1
  const session_outcome many = model->run_downlink(l, 600, rng);  // 3 frames at SF7
  EXPECT_GT(many.latency_us, 3'000'000);
}

TEST(Lorawan, NoGatewayStillTransmits) {
  const auto model = single(rat::lorawan);
  const link_budget none = link_at(*model, 160);
  ASSERT_EQ(none.coverage, coverage_class::none);
  random_stream rng(8);
  const session_outcome o = model->run_session(none, {20, 0, 0}, rng);
  EXPECT_EQ(o.failure, session_failure::no_coverage);
  EXPECT_GT(o.charge_mah, 0);  // sent at SF12 into the void
}

// ---- NTN ----

constellation_spec leo() {
  constellation_spec c;
  c.satellites = 12;
  c.planes = 3;
  c.altitude_km = 550;
  c.inclination_deg = 53;
  c.min_elevation_deg = 25;
  return c;
}

TEST(Ntn, SessionsNeedASatelliteInView) {
  const auto model = make_ntn_model({}, environment_kind::rural, leo());
  const walker_constellation c(leo());
  const geo_point where = center;
  const link_budget link = model->best_link(where, 0, {});
  ASSERT_EQ(link.coverage, coverage_class::normal);
  // The first pass of the day long enough for a session (grazing passes last seconds).
  satellite_pass pass;
  std::int64_t from_us = epoch_2024_us;
  do {
    ASSERT_TRUE(c.next_pass(where, from_us, 24LL * 3600 * 1'000'000, pass));
    from_us = pass.end_utc_us + 1'000'000;
  } while (pass.end_utc_us - pass.start_utc_us < 120'000'000);
  random_stream rng(9);
  // In view, early in the pass: delivered, with seconds of latency.
  const session_outcome in_view =
      model->run_session(link, {100, 0, pass.start_utc_us + 5'000'000}, rng);
  EXPECT_TRUE(in_view.success);
  EXPECT_GT(in_view.latency_us, 5'000'000);
  // Just before the pass: nobody up there (a sparse constellation has long gaps).
  std::int64_t gap_us = pass.start_utc_us - 1'000'000;
  ASSERT_LT(c.best_visible(where, gap_us), 0);
  const session_outcome dark = model->run_session(link, {100, 0, gap_us}, rng);
  EXPECT_EQ(dark.failure, session_failure::no_coverage);
  // Too late in the pass for the attach and transfer: the satellite sets first.
  const session_outcome late =
      model->run_session(link, {2000, 0, pass.end_utc_us - 3'000'000}, rng);
  EXPECT_FALSE(late.success);
  EXPECT_LE(late.latency_us, 3'200'000);  // the set time is found to 0.1 s
}

TEST(Ntn, CoverageEndsPastTheInclination) {
  const auto model = make_ntn_model({}, environment_kind::rural, leo());
  const walker_constellation c(leo());
  // Footprint at 25 deg from 550 km: arccos(6371 cos 25 / 6921) - 25 = 8.45 deg of arc.
  EXPECT_NEAR(c.reach_latitude_deg(), 53 + 8.45, 0.05);
  EXPECT_EQ(model->best_link({75, 20}, 0, {}).coverage, coverage_class::none);
  EXPECT_EQ(model->best_link({60, 20}, 0, {}).coverage, coverage_class::normal);
  EXPECT_EQ(make_ntn_model({}, environment_kind::rural, {})->best_link(center, 0, {}).coverage,
            coverage_class::none);  // no satellites at all
}

TEST(Ntn, IndoorAddsBuildingLoss) {
  const auto out = make_ntn_model({}, environment_kind::rural, leo());
  const auto in = make_ntn_model({}, environment_kind::indoor, leo());
  EXPECT_GT(in->best_link(center, 0, {}).coupling_loss_db,
            out->best_link(center, 0, {}).coupling_loss_db + 15);
}

}  // namespace
}  // namespace twelvefold::models
