// Legacy 3G UMTS (WCDMA/HSPA) link and session model, one implementation of radio_model.
//
// Propagation: ns-3 Cost231PropagationLossModel (COST-231-Hata) at 2100 MHz (band I),
// calibrated against the published formula (propagation.cpp). Coverage up to a ~141 dB maximum
// coupling loss (a WCDMA data-bearer link budget, umts.cpp); the bearer (link_budget::level
// 0..3: R99 64 kbit/s up to HSPA) follows the uplink SINR margin over the MCL. The modem is
// powered off between sessions (no PSM in UMTS Rel-99 modules as used by IoT devices) and,
// once connected, stays in CELL_DCH / CELL_FACH for the inactivity timers: the 3G "tail".
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "twelvefold/models/radio_model.hpp"

namespace twelvefold::models {

// Named parameters with their defaults and sources, in one place (details in umts.cpp).
struct umts_params {
  double ue_tx_power_dbm = 24;  // power class 3 (3GPP TS 25.101 §6.2.1)
  double ue_antenna_gain_dbi = -3;
  double ue_height_m = 1.5;
  double ue_noise_figure_db = 7;
  double nodeb_noise_figure_db = 3;
  double uplink_load_margin_db = 3;   // noise rise at 50% uplink load
  double chip_bandwidth_hz = 3.84e6;  // WCDMA chip rate (TS 25.201)
  double cpich_offset_db = 10;        // CPICH at 10% of the NodeB power: RSCP = total - 10 dB
  double shadowing_sigma_db = 8;
  double mcl_db = 141;
  // Bearer ladder by uplink SINR margin over the MCL: R99 64k/384k, R99 384k / HSDPA 1.8M,
  // HSUPA 1.46M / HSDPA 3.6M, HSUPA 5.76M / HSDPA 7.2M (Cat 6 / Cat 8, TS 25.306).
  std::array<double, 4> bearer_margin_db = {0, 4, 8, 12};
  std::array<double, 4> bearer_uplink_bps = {64e3, 384e3, 1.46e6, 5.76e6};
  std::array<double, 4> bearer_downlink_bps = {384e3, 1.8e6, 3.6e6, 7.2e6};
  double rlc_pdu_bits = 336;  // R99 RLC PDU
  int max_retransmissions = 4;
  double attach_latency_ms = 3000;  // registration + PS attach + PDP activation from power-on
  double rach_retry_ms = 200;
  double rtt_ms = 150;  // HSPA round trip
  double no_coverage_scan_s = 30;
  // CELL_DCH -> CELL_FACH -> idle inactivity timers, ~12 s in total (Balasubramanian et al.,
  // "Energy consumption in mobile phones", IMC 2009: the 3G tail).
  double rrc_inactivity_s = 12;
  double session_overhead_bytes = 120;
  // Currents (mA) of a UMTS/HSPA module (order of magnitude, e.g. u-blox SARA-U2 / Quectel
  // UC20 families): transmit at 24 dBm, receive in DCH, FACH/DCH tail, powered off.
  double tx_current_ma = 450;
  double rx_current_ma = 150;
  double idle_current_ma = 60;
  double off_current_ua = 50;
};

std::unique_ptr<radio_model> make_umts_model(const umts_params& params,
                                             environment_kind environment, geo_point region_center,
                                             std::vector<cell_site> cells);

}  // namespace twelvefold::models
