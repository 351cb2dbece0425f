// LTE-M link budget (ns-3 Okumura-Hata, see propagation.cpp) and session model, on the shared
// cellular engine (cellular.cpp). This file maps lte_m_params onto the engine; the sources of the
// numbers are next to them here and in lte_m.hpp.
#include "twelvefold/models/lte_m.hpp"

#include <cmath>
#include <utility>

#include "cellular.hpp"

namespace twelvefold::models {
namespace {

// LTE subcarrier spacing (3GPP TS 36.211 Table 6.2.3-1): RSRP is power per 15 kHz resource
// element (TS 36.214 §5.1.1).
constexpr double subcarrier_spacing_hz = 15e3;
// Resource elements across which the eNB spreads its total power: 50 PRB x 12 subcarriers for
// a 10 MHz carrier (TS 36.101 Table 5.6-1), the usual LTE band 20 deployment.
constexpr double full_band_resource_elements = 50.0 * 12.0;
// Largest transport block of a Cat-M1 UE per TTI, uplink and downlink: 1000 bits
// (TS 36.306, UE category M1). Errors and HARQ are counted per such block.
constexpr double transport_block_bits = 1000.0;

// Block error curve (see lte_m_block_error): logistic in SINR, slope set by bler_width_db. It
// represents the most robust configuration the link adapts to (lowest MCS, maximum
// repetitions), so it is anchored at the edge of coverage: 10% BLER, the data-channel target
// behind the MCL figures of TR 36.888, falls at -24.0 dB, the narrowband (1.08 MHz) uplink SINR
// of the default link budget at the 155.7 dB MCL:
// 23 dBm + 174 - 10 log10(1.08e6) - 5 dB NF - 155.7 dB = -24.0 dB. A width of 1 dB takes BLER
// from 10% to 1% over 2.4 dB, a fading-channel slope (turbo-code curves in AWGN are steeper);
// better links see essentially no block errors, as link adaptation intends. The downlink uses
// the same curve (the downlink is the stronger direction at the MCL, -12 dB per RE).
constexpr double bler_width_db = 1.0;
constexpr double bler_at_mcl_sinr_db = -24.0;

detail::cellular_config make_config(const lte_m_params& p) {
  detail::cellular_config c;
  c.technology = rat::lte_m;
  c.terrain = detail::terrain_model::hata;
  c.ue_tx_power_dbm = p.ue_tx_power_dbm;
  c.ue_antenna_gain_dbi = p.ue_antenna_gain_dbi;
  c.ue_height_m = p.ue_height_m;
  c.ue_noise_figure_db = p.ue_noise_figure_db;
  c.bs_noise_figure_db = p.enb_noise_figure_db;
  c.ul_bandwidth_hz = p.bandwidth_hz;
  // Downlink SNR per resource element: RSRP over the noise in one 15 kHz subcarrier at the UE.
  // The eNB's power spectral density is flat, so this is also the narrowband SNR.
  const double rsrp_spread_db = 10.0 * std::log10(full_band_resource_elements);
  c.dl_bandwidth_hz = subcarrier_spacing_hz;
  c.dl_power_offset_db = rsrp_spread_db;
  c.rsrp_offset_db = rsrp_spread_db;
  c.dl_rate_bandwidth_hz = p.bandwidth_hz;
  detail::copy_session_timing(p, c);
  // CE mode A: no deep repetitions; CE mode B: RACH/RRC repetitions slow signalling down.
  c.steps = {{p.mcl_ce_mode_a_db, coverage_class::normal, 0, 1.0},
             {p.mcl_max_db, coverage_class::extended, 1, p.ce_mode_b_latency_factor}};
  c.peak_uplink_bps = p.peak_uplink_bps;
  c.peak_downlink_bps = p.peak_downlink_bps;
  c.implementation_factor = p.implementation_factor;
  // Repetitions in CE mode B: 1 at the CE mode A edge, up to ce_mode_b_max_repetitions at the
  // MCL. Deep in coverage the link repeats a fixed low-rate code rather than approaching
  // Shannon; the divisor models that gap. The default 32 is the largest CE mode A PUSCH
  // repetition level (TS 36.331 pusch-maxNumRepetitionCEmodeA), used here as the extra factor at
  // the MCL: it puts a 250-byte session at the MCL at ~20 s of airtime.
  c.repetition_start_db = p.mcl_ce_mode_a_db;
  c.max_repetitions = p.ce_mode_b_max_repetitions;
  c.ul_bler_at_10pct_sinr_db = bler_at_mcl_sinr_db;
  c.dl_bler_at_10pct_sinr_db = bler_at_mcl_sinr_db;
  c.bler_width_db = bler_width_db;
  c.transport_block_bits = transport_block_bits;
  c.power = {p.tx_current_ma, p.rx_current_ma, p.idle_current_ma, p.psm_current_ua};
  return c;
}

}  // namespace

double lte_m_block_error(double sinr_db) {
  return detail::logistic_block_error(sinr_db, bler_at_mcl_sinr_db, bler_width_db);
}

lte_m_model::lte_m_model(lte_m_params params, environment_kind environment, geo_point region_center,
                         std::vector<cell_site> cells)
    : params_(params),
      engine_(detail::make_cellular_model(make_config(params_), environment, region_center,
                                          std::move(cells))) {}

lte_m_model::~lte_m_model() = default;

link_budget lte_m_model::best_link(const geo_point& where, double shadowing_db,
                                   const std::vector<bool>& site_up) const {
  return engine_->best_link(where, shadowing_db, site_up);
}

link_budget lte_m_model::best_link(const geo_point& where, double shadowing_db) const {
  static const std::vector<bool> all_up;
  return engine_->best_link(where, shadowing_db, all_up);
}

session_outcome lte_m_model::run_session(const link_budget& link, const session_request& req,
                                         random_stream& rng) const {
  return engine_->run_session(link, req, rng);
}

session_outcome lte_m_model::run_downlink(const link_budget& link, std::uint32_t bytes,
                                          random_stream& rng) const {
  return engine_->run_downlink(link, bytes, rng);
}

double lte_m_model::sleep_charge_mah(std::int64_t duration_us) const {
  return engine_->sleep_charge_mah(duration_us);
}

double lte_m_model::shadowing_sigma_db() const { return engine_->shadowing_sigma_db(); }

const power_profile& lte_m_model::power() const { return engine_->power(); }

std::uint32_t lte_m_model::overhead_bytes_per_direction() const {
  return engine_->overhead_bytes_per_direction();
}

}  // namespace twelvefold::models
