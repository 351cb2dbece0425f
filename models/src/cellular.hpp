// Private to models/: one link and session engine for the 3GPP cellular RATs (LTE-M, NB-IoT,
// GPRS, UMTS). They differ in numbers, not in structure: a coupling-loss ladder of coverage
// classes (CE modes / levels), a rate that follows the SINR (Shannon-fraction or a table of
// coding schemes / bearers), block errors around the SINR at the maximum coupling loss, and a
// session of attach (random access + RRC), transfer with HARQ/ARQ, and a connected tail. Each
// RAT's file fills a cellular_config from its named, sourced parameters.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "propagation.hpp"
#include "twelvefold/models/radio_model.hpp"

namespace twelvefold::models::detail {

// One rung of the coverage ladder: links up to `max_coupling_loss_db` get this class.
struct coverage_step {
  double max_coupling_loss_db = 0;
  coverage_class coverage = coverage_class::normal;
  std::uint8_t level = 0;
  // Multiplier on attach / signalling time: control channels repeat in deep coverage.
  double latency_factor = 1;
};

// One rung of a rate table (GPRS coding schemes, UMTS bearers): used when the uplink SINR is at
// least `min_sinr_margin_db` above the SINR at the maximum coupling loss.
struct rate_step {
  double min_sinr_margin_db = 0;
  std::uint8_t level = 0;
  double uplink_bps = 0;
  double downlink_bps = 0;
};

struct cellular_config {
  rat technology = rat::lte_m;
  terrain_model terrain = terrain_model::hata;
  // Device radio.
  double ue_tx_power_dbm = 23;
  double ue_antenna_gain_dbi = -3;
  double ue_height_m = 1.5;
  double ue_noise_figure_db = 7;
  double bs_noise_figure_db = 5;
  // Uplink noise bandwidth (the allocation that limits coverage) and downlink bandwidth over
  // which the site's power, less dl_power_offset_db, is spread.
  double ul_bandwidth_hz = 1.08e6;
  double dl_bandwidth_hz = 15e3;
  double dl_power_offset_db = 0;         // site total power minus the power in dl_bandwidth_hz
  double dl_rate_bandwidth_hz = 1.08e6;  // the device's downlink allocation (for the rate)
  double rsrp_offset_db = 0;             // site total power minus the reported reference power
  double shadowing_sigma_db = 8;
  // Coverage ladder, ascending; past the last rung there is no coverage.
  std::vector<coverage_step> steps;
  // Rates: a table when non-empty, else a Shannon fraction capped at the peaks and divided by
  // repetitions that grow geometrically from 1 at repetition_start_db to max_repetitions at
  // the maximum coupling loss.
  std::vector<rate_step> rates;
  double peak_uplink_bps = 0;
  double peak_downlink_bps = 0;
  double implementation_factor = 0.6;
  double repetition_start_db = 0;
  double max_repetitions = 1;
  // Block errors: logistic in SINR, 10% at the given SINR, `bler_width_db` wide.
  double ul_bler_at_10pct_sinr_db = 0;
  double dl_bler_at_10pct_sinr_db = 0;
  double bler_width_db = 1;
  double transport_block_bits = 1000;
  int max_retransmissions = 4;
  // Session timing.
  double attach_latency_ms = 400;
  double rach_retry_ms = 100;
  double rtt_ms = 80;
  double no_coverage_scan_s = 30;
  double rrc_inactivity_s = 10;
  double session_overhead_bytes = 120;  // both directions, split evenly
  power_profile power;
};

// Copies the session timing and retransmission fields, which every cellular RAT's parameter
// struct names alike, into the engine's config (the RAT-specific fields stay with each RAT).
template <class Params>
void copy_session_timing(const Params& p, cellular_config& c) {
  c.shadowing_sigma_db = p.shadowing_sigma_db;
  c.max_retransmissions = p.max_retransmissions;
  c.attach_latency_ms = p.attach_latency_ms;
  c.rach_retry_ms = p.rach_retry_ms;
  c.rtt_ms = p.rtt_ms;
  c.no_coverage_scan_s = p.no_coverage_scan_s;
  c.rrc_inactivity_s = p.rrc_inactivity_s;
  c.session_overhead_bytes = p.session_overhead_bytes;
}

// Logistic block error curve: 10% at `at_10pct_sinr_db`; NaN SINR counts as certain error.
double logistic_block_error(double sinr_db, double at_10pct_sinr_db, double width_db);

std::unique_ptr<radio_model> make_cellular_model(cellular_config config,
                                                 environment_kind environment,
                                                 geo_point region_center,
                                                 std::vector<cell_site> sites);

}  // namespace twelvefold::models::detail
