// GPRS on the shared cellular engine (cellular.cpp); parameters and sources in gprs.hpp.
//
// The coupling-loss ladder has one rung (no coverage enhancement in GSM): up to the 144 dB MCL.
// At the MCL the uplink SINR is 33 dBm - 144 dB - (-174 + 10 log10(200 kHz) + 3 dB) = 7 dB, the
// 10% BLER point of CS-1; the downlink is stronger (43 dBm BTS). Faster coding schemes need
// more margin: the spacing used (CS-2 +3 dB, CS-3 +5 dB, CS-4 +9 dB) is representative of GPRS
// link-level results (CS-4 has no error protection and needs by far the most), an
// approximation: GPRS link adaptation in real networks is also interference-limited.
#include "twelvefold/models/gprs.hpp"

#include <utility>

#include "cellular.hpp"

namespace twelvefold::models {
namespace {

// BTS transmit power of the BCCH carrier the downlink anchor is computed for (default_site).
constexpr double reference_bts_power_dbm = 43.0;

}  // namespace

std::unique_ptr<radio_model> make_gprs_model(const gprs_params& p, environment_kind environment,
                                             geo_point region_center,
                                             std::vector<cell_site> cells) {
  detail::cellular_config c;
  c.technology = rat::gprs;
  c.terrain = detail::terrain_model::hata;
  c.ue_tx_power_dbm = p.ms_tx_power_dbm;
  c.ue_antenna_gain_dbi = p.ms_antenna_gain_dbi;
  c.ue_height_m = p.ms_height_m;
  c.ue_noise_figure_db = p.ms_noise_figure_db;
  c.bs_noise_figure_db = p.bts_noise_figure_db;
  c.ul_bandwidth_hz = p.channel_bandwidth_hz;
  c.dl_bandwidth_hz = p.channel_bandwidth_hz;
  c.dl_power_offset_db = 0;  // the whole carrier power is in the channel
  c.rsrp_offset_db = 0;      // reported as RSSI of the carrier
  c.dl_rate_bandwidth_hz = p.channel_bandwidth_hz;
  detail::copy_session_timing(p, c);
  c.steps = {{p.mcl_db, coverage_class::normal, 1, 1.0}};
  for (int cs = 0; cs < 4; ++cs) {
    c.rates.push_back({p.cs_margin_db[cs], static_cast<std::uint8_t>(cs + 1),
                       p.cs_rate_per_slot_bps[cs] * p.uplink_slots,
                       p.cs_rate_per_slot_bps[cs] * p.downlink_slots});
  }
  c.ul_bler_at_10pct_sinr_db =
      p.ms_tx_power_dbm - p.mcl_db -
      detail::noise_floor_dbm(p.channel_bandwidth_hz, p.bts_noise_figure_db);
  c.dl_bler_at_10pct_sinr_db =
      reference_bts_power_dbm - p.mcl_db -
      detail::noise_floor_dbm(p.channel_bandwidth_hz, p.ms_noise_figure_db);
  c.bler_width_db = 1.0;
  c.transport_block_bits = p.rlc_block_bits;
  c.power = {p.tx_current_ma, p.rx_current_ma, p.idle_current_ma, p.off_current_ua};
  return detail::make_cellular_model(std::move(c), environment, region_center, std::move(cells));
}

}  // namespace twelvefold::models
