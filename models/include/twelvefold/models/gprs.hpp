// Legacy 2G GPRS link and session model, one implementation of radio_model.
//
// Propagation: ns-3 Okumura-Hata at 900 MHz (GSM 900). Coverage up to the 144 dB maximum
// coupling loss that 3GPP TR 45.820 takes as the GPRS reference; the coding scheme (CS-1..4,
// link_budget::level 1..4) follows the uplink SINR margin over the MCL, and the rate is the
// scheme's RLC rate per timeslot times the multislot class's slots. The modem is powered off
// between sessions (GSM has no PSM; this is how Notecard-like modules run a 2G modem), so every
// session pays a full network registration, GPRS attach and PDP context activation.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "twelvefold/models/radio_model.hpp"

namespace twelvefold::models {

// Named parameters with their defaults and sources, in one place (details in gprs.cpp).
struct gprs_params {
  double ms_tx_power_dbm = 33;  // GSM 900 power class 4, 2 W (3GPP TS 45.005 §4.1.1)
  double ms_antenna_gain_dbi = -3;
  double ms_height_m = 1.5;
  double ms_noise_figure_db = 5;        // TR 45.820 GSM/GPRS reference link budget
  double bts_noise_figure_db = 3;       // TR 45.820
  double channel_bandwidth_hz = 200e3;  // GSM carrier spacing
  double shadowing_sigma_db = 8;
  double mcl_db = 144;  // GPRS maximum coupling loss, TR 45.820 reference
  // RLC data rate per timeslot of CS-1..CS-4 (3GPP TS 45.003 coding; the classic 9.05 / 13.4 /
  // 15.6 / 21.4 kbit/s) and the uplink SINR margin over the MCL each scheme needs (gprs.cpp).
  std::array<double, 4> cs_rate_per_slot_bps = {9.05e3, 13.4e3, 15.6e3, 21.4e3};
  std::array<double, 4> cs_margin_db = {0, 3, 5, 9};
  int uplink_slots = 2;  // multislot class 10 (3GPP TS 45.002 Annex B): 4 down + 2 up
  int downlink_slots = 4;
  double rlc_block_bits = 400;      // errors counted per RLC/MAC radio block (~20 ms)
  int max_retransmissions = 8;      // RLC acknowledged-mode ARQ
  double attach_latency_ms = 4000;  // registration + GPRS attach + PDP activation from power-on
  double rach_retry_ms = 500;
  double rtt_ms = 600;  // GPRS round trip, typically 500-1000 ms
  double no_coverage_scan_s = 30;
  double rrc_inactivity_s = 5;  // TBF release and modem power-down after the last packet
  double session_overhead_bytes = 120;
  // Currents (mA): the transmitter bursts ~1.6 A at 33 dBm in 2 of the 8 TDMA slots, ~400 mA
  // on average; receive ~60 mA; packet idle ~15 mA; powered off ~50 uA (order of magnitude
  // from GSM/GPRS module datasheets, e.g. SIMCom SIM800 / Quectel M95 families).
  double tx_current_ma = 400;
  double rx_current_ma = 60;
  double idle_current_ma = 15;
  double off_current_ua = 50;
};

std::unique_ptr<radio_model> make_gprs_model(const gprs_params& params,
                                             environment_kind environment, geo_point region_center,
                                             std::vector<cell_site> cells);

}  // namespace twelvefold::models
