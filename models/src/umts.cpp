// UMTS on the shared cellular engine (cellular.cpp); parameters and sources in umts.hpp.
//
// The 141 dB MCL is a WCDMA uplink data-bearer budget (e.g. Holma & Toskala, "WCDMA for UMTS",
// link budget chapter): UE 24 dBm, NodeB noise figure 3 dB plus a 3 dB load margin, a 64 kbit/s
// bearer (processing gain 10 log10(3.84e6 / 64e3) = 17.8 dB) at Eb/N0 ~ 2 dB with the body loss
// and fast-fading margins such budgets carry. At that coupling loss the uplink chip-level SINR of
// this model is 24 - 141 - (-174 + 65.8 + 6) = -8.8 dB: the block error curve is anchored there
// (10% at the MCL) and faster bearers need the margins of umts_params::bearer_margin_db.
#include "twelvefold/models/umts.hpp"

#include <utility>

#include "cellular.hpp"

namespace twelvefold::models {
namespace {

// NodeB power the downlink anchor is computed for (default_site).
constexpr double reference_nodeb_power_dbm = 43.0;

}  // namespace

std::unique_ptr<radio_model> make_umts_model(const umts_params& p, environment_kind environment,
                                             geo_point region_center,
                                             std::vector<cell_site> cells) {
  detail::cellular_config c;
  c.technology = rat::umts;
  c.terrain = detail::terrain_model::cost231;
  c.ue_tx_power_dbm = p.ue_tx_power_dbm;
  c.ue_antenna_gain_dbi = p.ue_antenna_gain_dbi;
  c.ue_height_m = p.ue_height_m;
  c.ue_noise_figure_db = p.ue_noise_figure_db;
  c.bs_noise_figure_db = p.nodeb_noise_figure_db + p.uplink_load_margin_db;
  c.ul_bandwidth_hz = p.chip_bandwidth_hz;
  c.dl_bandwidth_hz = p.chip_bandwidth_hz;
  c.dl_power_offset_db = 0;
  c.rsrp_offset_db = p.cpich_offset_db;
  c.dl_rate_bandwidth_hz = p.chip_bandwidth_hz;
  detail::copy_session_timing(p, c);
  c.steps = {{p.mcl_db, coverage_class::normal, 0, 1.0}};
  for (std::size_t b = 0; b < p.bearer_margin_db.size(); ++b) {
    c.rates.push_back({p.bearer_margin_db[b], static_cast<std::uint8_t>(b), p.bearer_uplink_bps[b],
                       p.bearer_downlink_bps[b]});
  }
  c.ul_bler_at_10pct_sinr_db = p.ue_tx_power_dbm - p.mcl_db -
                               detail::noise_floor_dbm(p.chip_bandwidth_hz, c.bs_noise_figure_db);
  c.dl_bler_at_10pct_sinr_db = reference_nodeb_power_dbm - p.mcl_db -
                               detail::noise_floor_dbm(p.chip_bandwidth_hz, p.ue_noise_figure_db);
  c.bler_width_db = 1.0;
  c.transport_block_bits = p.rlc_pdu_bits;
  c.power = {p.tx_current_ma, p.rx_current_ma, p.idle_current_ma, p.off_current_ua};
  return detail::make_cellular_model(std::move(c), environment, region_center, std::move(cells));
}

}  // namespace twelvefold::models
