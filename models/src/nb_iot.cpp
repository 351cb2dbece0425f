// NB-IoT on the shared cellular engine (cellular.cpp); parameters and sources in nb_iot.hpp.
//
// Link budget at the MCL (TR 45.820 §7.3 NB-IoT link budgets, in-band deployment):
//   uplink:   23 dBm - 164 dB - (-174 + 10 log10(15 kHz) + 3 dB NF) = -11.8 dB on NPUSCH
//   downlink: 35 dBm - 164 dB - (-174 + 10 log10(180 kHz) + 5 dB NF) = -12.6 dB on NPDSCH
// which are the required SINRs of the TR's link budget tables: the block error curves are
// anchored there (10% BLER at the MCL), so the 164 dB figure and the SINR model agree.
//
// Rate: 0.6 of Shannon over the allocation (15 kHz up, 180 kHz down), capped at the Cat-NB1
// peaks, divided by repetitions growing geometrically from 1 at 144 dB to max_repetitions (2)
// at 164 dB. At the MCL that gives ~0.4 kbit/s up and ~4 kbit/s down, above the 160 bit/s the
// CIoT study set as the minimum at the MCL (TR 45.820 §4) and in line with its NB-IoT results;
// a 200-byte report then takes ~5 s of transmission, which is what drives battery life at
// 164 dB.
//
// Signalling time (RACH + RRC) is 0.5 s at CE level 0 and stretched by the NPRACH / NPDCCH
// repetition levels (TS 36.331 numRepetitionsPerPreambleAttempt up to 128) at CE levels 1-2:
// x4 and x10 (5 s at the MCL), an assumption within the few seconds field measurements of deep
// coverage report.
#include "twelvefold/models/nb_iot.hpp"

#include <cmath>
#include <utility>

#include "cellular.hpp"

namespace twelvefold::models {
namespace {

// Reference eNB power the downlink anchor is computed for (TR 45.820: 46 dBm carrier).
constexpr double reference_enb_power_dbm = 46.0;
// NRSRP is the power of one 15 kHz resource element: the PRB power spread over 12 subcarriers.
constexpr double subcarriers_per_prb = 12.0;

}  // namespace

std::unique_ptr<radio_model> make_nb_iot_model(const nb_iot_params& p, environment_kind environment,
                                               geo_point region_center,
                                               std::vector<cell_site> cells) {
  detail::cellular_config c;
  c.technology = rat::nb_iot;
  c.terrain = detail::terrain_model::hata;
  c.ue_tx_power_dbm = p.ue_tx_power_dbm;
  c.ue_antenna_gain_dbi = p.ue_antenna_gain_dbi;
  c.ue_height_m = p.ue_height_m;
  c.ue_noise_figure_db = p.ue_noise_figure_db;
  c.bs_noise_figure_db = p.enb_noise_figure_db;
  c.ul_bandwidth_hz = p.ul_bandwidth_hz;
  c.dl_bandwidth_hz = p.dl_bandwidth_hz;
  c.dl_power_offset_db = p.dl_power_offset_db;
  c.rsrp_offset_db = p.dl_power_offset_db + 10.0 * std::log10(subcarriers_per_prb);
  c.dl_rate_bandwidth_hz = p.dl_bandwidth_hz;
  detail::copy_session_timing(p, c);
  c.steps = {{p.mcl_ce0_db, coverage_class::normal, 0, 1.0},
             {p.mcl_ce1_db, coverage_class::extended, 1, p.ce1_latency_factor},
             {p.mcl_max_db, coverage_class::extreme, 2, p.ce2_latency_factor}};
  c.peak_uplink_bps = p.peak_uplink_bps;
  c.peak_downlink_bps = p.peak_downlink_bps;
  c.implementation_factor = p.implementation_factor;
  c.repetition_start_db = p.mcl_ce0_db;
  c.max_repetitions = p.max_repetitions;
  c.ul_bler_at_10pct_sinr_db = p.ue_tx_power_dbm - p.mcl_max_db -
                               detail::noise_floor_dbm(p.ul_bandwidth_hz, p.enb_noise_figure_db);
  c.dl_bler_at_10pct_sinr_db = reference_enb_power_dbm - p.dl_power_offset_db - p.mcl_max_db -
                               detail::noise_floor_dbm(p.dl_bandwidth_hz, p.ue_noise_figure_db);
  c.bler_width_db = 1.0;  // as LTE-M: a fading-channel slope
  c.transport_block_bits = p.transport_block_bits;
  c.power = {p.tx_current_ma, p.rx_current_ma, p.idle_current_ma, p.psm_current_ua};
  return detail::make_cellular_model(std::move(c), environment, region_center, std::move(cells));
}

}  // namespace twelvefold::models
