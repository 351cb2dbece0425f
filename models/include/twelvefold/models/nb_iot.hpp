// NB-IoT (3GPP Cat-NB1/NB2) link and session model, one implementation of radio_model.
//
// Coverage enhancement levels by coupling loss (3GPP TR 45.820 §7.3 / TR 36.888 MCL targets):
// CE level 0 up to 144 dB (coverage normal), CE level 1 up to 154 dB (extended), CE level 2 up
// to the 164 dB maximum coupling loss (extreme). Rates follow the SINR (single-tone 15 kHz
// uplink, one 180 kHz PRB downlink) with repetitions in CE levels 1-2. Propagation: ns-3
// Okumura-Hata (band 20, 800 MHz) like LTE-M. Power states are the TR 45.820 §5.4 battery-life
// evaluation assumptions, so the model reproduces its reference figures (docs/validation.md).
#pragma once

#include <memory>
#include <vector>

#include "twelvefold/models/radio_model.hpp"

namespace twelvefold::models {

// Named parameters with their defaults and sources, in one place (details in nb_iot.cpp).
struct nb_iot_params {
  double ue_tx_power_dbm = 23;      // power class 3 (TS 36.101 §6.2.2F)
  double ue_antenna_gain_dbi = -3;  // small-device antenna (as LTE-M)
  double ue_height_m = 1.5;
  double ue_noise_figure_db = 5;   // TR 45.820 NB-IoT link budget, UE NF
  double enb_noise_figure_db = 3;  // TR 45.820 NB-IoT link budget, eNB NF
  double ul_bandwidth_hz = 15e3;   // single-tone NPUSCH, the coverage-limiting allocation
  double dl_bandwidth_hz = 180e3;  // one PRB
  // In-band deployment: 35 dBm in the NB-IoT PRB of a 46 dBm carrier (TR 45.820: in-band /
  // guard-band NB-IoT downlink power; standalone would use 43 dBm).
  double dl_power_offset_db = 11;
  double shadowing_sigma_db = 8;      // macro log-normal shadowing (TR 36.888, as LTE-M)
  double mcl_ce0_db = 144;            // CE level 0 upper bound (GPRS-like coverage)
  double mcl_ce1_db = 154;            // CE level 1 upper bound (+10 dB)
  double mcl_max_db = 164;            // NB-IoT maximum coupling loss (TR 45.820, +20 dB on GPRS)
  double peak_uplink_bps = 62.5e3;    // Cat-NB1 multi-tone uplink peak (TS 36.306, Rel-13)
  double peak_downlink_bps = 27.2e3;  // Cat-NB1 downlink peak (TS 36.306, Rel-13)
  double implementation_factor = 0.6;
  double max_repetitions = 2;  // rate divisor at the MCL beyond the Shannon gap (nb_iot.cpp)
  double transport_block_bits = 1000;  // Cat-NB1 max UL TBS (TS 36.306)
  int max_retransmissions = 4;
  double attach_latency_ms = 500;  // RRC resume/setup at CE level 0
  double ce1_latency_factor = 4;   // NPRACH / NPDCCH repetitions at CE level 1
  double ce2_latency_factor = 10;  // and at CE level 2: ~5 s of signalling at the MCL
  double rach_retry_ms = 200;
  double rtt_ms = 200;
  double no_coverage_scan_s = 60;       // deep-coverage cell search is slow
  double rrc_inactivity_s = 5;          // release assistance (RAI) ends the connection early
  double session_overhead_bytes = 120;  // IP/UDP/DTLS/CoAP headers per session, both ways
  // TR 45.820 §5.4 power assumptions, as currents at 3.6 V: transmit 500 mW, receive 80 mW,
  // light sleep (connected DRX) 3 mW, deep sleep (PSM) 15 uW.
  double tx_current_ma = 500.0 / 3.6;
  double rx_current_ma = 80.0 / 3.6;
  double idle_current_ma = 3.0 / 3.6;
  double psm_current_ua = 15.0 / 3.6;
};

std::unique_ptr<radio_model> make_nb_iot_model(const nb_iot_params& params,
                                               environment_kind environment,
                                               geo_point region_center,
                                               std::vector<cell_site> cells);

}  // namespace twelvefold::models
