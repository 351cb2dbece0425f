// The shared cellular link and session engine (see cellular.hpp).
#include "cellular.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "session_math.hpp"

namespace twelvefold::models::detail {
namespace {

class cellular_model final : public radio_model {
 public:
  cellular_model(cellular_config config, environment_kind environment, geo_point region_center,
                 std::vector<cell_site> sites)
      : config_(std::move(config)),
        sites_(std::move(sites)),
        propagation_(config_.terrain, environment, region_center, sites_, config_.ue_height_m) {
    // Devices indoors: the mean building loss of each site's band, and its spread added to the
    // shadowing (independent log-normal terms add in variance).
    building_loss_db_.assign(sites_.size(), 0.0);
    shadowing_sigma_db_ = config_.shadowing_sigma_db;
    if (environment == environment_kind::indoor) {
      for (std::size_t i = 0; i < sites_.size(); ++i) {
        building_loss_db_[i] = o2i_building_loss_db(sites_[i].frequency_mhz * 1e6);
      }
      shadowing_sigma_db_ = std::hypot(config_.shadowing_sigma_db, o2i_sigma_db);
    }
    mcl_db_ = config_.steps.empty() ? 0.0 : config_.steps.back().max_coupling_loss_db;
  }

  [[nodiscard]] rat technology() const override { return config_.technology; }

  [[nodiscard]] link_budget best_link(const geo_point& where, double shadowing_db,
                                      const std::vector<bool>& site_up) const override {
    constexpr double inf = std::numeric_limits<double>::infinity();
    link_budget link;
    link.technology = config_.technology;
    link.position = where;
    link.path_loss_db = inf;
    link.coupling_loss_db = inf;
    link.rsrp_dbm = -inf;
    link.sinr_db = -inf;
    site_choice choice;
    if (!best_site(propagation_, sites_, building_loss_db_, config_.technology, site_up, where,
                   choice)) {
      return link;
    }
    const cell_site& site = sites_[choice.index];
    const double gains_db = site.antenna_gain_dbi + config_.ue_antenna_gain_dbi;
    link.cell_id = site.id;
    link.path_loss_db = choice.path_loss_db;
    link.coupling_loss_db =
        choice.path_loss_db + shadowing_db + building_loss_db_[choice.index] - gains_db;
    link.rsrp_dbm = site.tx_power_dbm - config_.rsrp_offset_db - link.coupling_loss_db;
    link.sinr_db = config_.ue_tx_power_dbm - link.coupling_loss_db -
                   noise_floor_dbm(config_.ul_bandwidth_hz, config_.bs_noise_figure_db);
    const coverage_step* step = step_for(link.coupling_loss_db);
    if (step == nullptr) return link;  // coverage none: no rates
    link.coverage = step->coverage;
    link.level = step->level;
    apply_rates(link);
    return link;
  }

  [[nodiscard]] session_outcome run_session(const link_budget& link, const session_request& req,
                                            random_stream& rng) const override {
    const cellular_config& p = config_;
    session_outcome out;
    const coverage_step* step =
        link.coverage == coverage_class::none ? nullptr : step_for(link.coupling_loss_db);
    if (step == nullptr) {
      // The module scans its bands, finds no suitable cell and gives up: receive current all
      // along. No random draws, so a twin's stream is untouched by sessions without service.
      out.failure = session_failure::no_coverage;
      out.latency_us = seconds_to_us(p.no_coverage_scan_s);
      out.charge_mah = p.power.rx_ma * p.no_coverage_scan_s / seconds_per_hour;
      return out;
    }
    const int attempts = 1 + std::max(0, p.max_retransmissions);

    // Attach (random access + RRC setup or resume): the uplink is the weak direction, so each
    // attempt fails with the uplink block error probability; a failed attempt costs a retry.
    const double ul_bler = uplink_block_error(link);
    double attach_s = 0;
    bool attached = false;
    for (int i = 0; i < attempts; ++i) {
      if (!rng.bernoulli(ul_bler)) {
        attach_s += p.attach_latency_ms / 1e3 * step->latency_factor;
        attached = true;
        break;
      }
      attach_s += p.rach_retry_ms / 1e3 * step->latency_factor;
    }
    if (!attached) {
      out.failure = session_failure::attach_failed;
      out.latency_us = seconds_to_us(attach_s);
      out.charge_mah = p.power.rx_ma * attach_s / seconds_per_hour;
      return out;
    }

    const double dl_bler = downlink_block_error(link);
    // Protocol overhead is split evenly between the two directions (request and response).
    const double ul_bits = (req.uplink_bytes + 0.5 * p.session_overhead_bytes) * 8.0;
    const double dl_bits = (req.downlink_bytes + 0.5 * p.session_overhead_bytes) * 8.0;
    const double ul_s = link.uplink_bps > 0
                            ? ul_bits / link.uplink_bps * expected_transmissions(ul_bler, attempts)
                            : 0;
    const double dl_s = link.downlink_bps > 0 ? dl_bits / link.downlink_bps *
                                                    expected_transmissions(dl_bler, attempts)
                                              : 0;
    // The transfer fails if any transport block is still in error after all HARQ attempts.
    const double ul_blocks = std::ceil(ul_bits / p.transport_block_bits);
    const double dl_blocks = std::ceil(dl_bits / p.transport_block_bits);
    const double p_delivered = std::pow(1.0 - std::pow(ul_bler, attempts), ul_blocks) *
                               std::pow(1.0 - std::pow(dl_bler, attempts), dl_blocks);
    const bool delivered = !rng.bernoulli(1.0 - p_delivered);

    const double rtt_s = p.rtt_ms / 1e3;
    out.airtime_us = seconds_to_us(ul_s + dl_s);
    // A failed transfer is noticed when its last attempt times out: same time, same charge.
    out.latency_us = seconds_to_us(attach_s + ul_s + dl_s + rtt_s);
    // Attach signalling is mostly reception (control-channel monitoring, random access response,
    // RRC messages); the RTT wait and the inactivity tail are spent connected but idle.
    const double charge_ma_s = p.power.tx_ma * ul_s + p.power.rx_ma * (dl_s + attach_s) +
                               p.power.idle_ma * (rtt_s + p.rrc_inactivity_s);
    out.charge_mah = charge_ma_s / seconds_per_hour;
    out.success = delivered;
    out.failure = delivered ? session_failure::none : session_failure::transfer_failed;
    return out;
  }

  [[nodiscard]] session_outcome run_downlink(const link_budget& link, std::uint32_t bytes,
                                             random_stream& rng) const override {
    const cellular_config& p = config_;
    session_outcome out;
    if (link.coverage == coverage_class::none) {
      out.failure = session_failure::no_coverage;
      return out;
    }
    const int attempts = 1 + std::max(0, p.max_retransmissions);
    const double dl_bler = downlink_block_error(link);
    const double dl_bits = bytes * 8.0;
    const double dl_s = link.downlink_bps > 0 ? dl_bits / link.downlink_bps *
                                                    expected_transmissions(dl_bler, attempts)
                                              : 0;
    const double dl_blocks = std::ceil(dl_bits / p.transport_block_bits);
    const double p_delivered = std::pow(1.0 - std::pow(dl_bler, attempts), dl_blocks);
    out.success = !rng.bernoulli(1.0 - p_delivered);
    out.failure = out.success ? session_failure::none : session_failure::transfer_failed;
    out.airtime_us = seconds_to_us(dl_s);
    out.latency_us = out.airtime_us;
    out.charge_mah = p.power.rx_ma * dl_s / seconds_per_hour;
    return out;
  }

  [[nodiscard]] double sleep_charge_mah(std::int64_t duration_us) const override {
    return sleep_charge(config_.power, duration_us);
  }
  [[nodiscard]] double shadowing_sigma_db() const override { return shadowing_sigma_db_; }
  [[nodiscard]] const power_profile& power() const override { return config_.power; }
  [[nodiscard]] std::uint32_t overhead_bytes_per_direction() const override {
    return static_cast<std::uint32_t>(config_.session_overhead_bytes / 2);
  }
  [[nodiscard]] bool packet_limited() const override { return false; }
  [[nodiscard]] std::uint32_t max_uplink_bytes(const link_budget& /*link*/) const override {
    return 0;
  }

 private:
  const coverage_step* step_for(double coupling_loss_db) const {
    for (const coverage_step& s : config_.steps) {
      if (coupling_loss_db <= s.max_coupling_loss_db) return &s;
    }
    return nullptr;  // also for NaN
  }

  double downlink_sinr_db(const link_budget& link) const {
    // rsrp + rsrp_offset is the site's total power less the coupling loss.
    return link.rsrp_dbm + config_.rsrp_offset_db - config_.dl_power_offset_db -
           noise_floor_dbm(config_.dl_bandwidth_hz, config_.ue_noise_figure_db);
  }
  double uplink_block_error(const link_budget& link) const {
    return logistic_block_error(link.sinr_db, config_.ul_bler_at_10pct_sinr_db,
                                config_.bler_width_db);
  }
  double downlink_block_error(const link_budget& link) const {
    return logistic_block_error(downlink_sinr_db(link), config_.dl_bler_at_10pct_sinr_db,
                                config_.bler_width_db);
  }

  // Repetitions on top of the SINR-limited rate: 1 up to repetition_start_db, rising
  // geometrically (repetition levels come in roughly geometric steps, e.g. TS 36.331
  // pusch-maxNumRepetitionCEmodeB, npusch-NumRepetitions) to max_repetitions at the MCL.
  double repetitions(double coupling_loss_db) const {
    const double span_db = mcl_db_ - config_.repetition_start_db;
    if (!(coupling_loss_db > config_.repetition_start_db)) return 1.0;
    const double max_reps = std::max(1.0, config_.max_repetitions);
    if (!(span_db > 0)) return max_reps;
    const double depth =
        std::clamp((coupling_loss_db - config_.repetition_start_db) / span_db, 0.0, 1.0);
    return std::pow(max_reps, depth);
  }

  void apply_rates(link_budget& link) const {
    if (!config_.rates.empty()) {
      const double margin_db = link.sinr_db - config_.ul_bler_at_10pct_sinr_db;
      const rate_step* chosen = &config_.rates.front();
      for (const rate_step& r : config_.rates) {
        if (margin_db >= r.min_sinr_margin_db) chosen = &r;
      }
      link.level = chosen->level;
      link.uplink_bps = chosen->uplink_bps;
      link.downlink_bps = chosen->downlink_bps;
      return;
    }
    const double reps = repetitions(link.coupling_loss_db);
    link.uplink_bps = shannon_rate_bps(config_.ul_bandwidth_hz, link.sinr_db,
                                       config_.implementation_factor, config_.peak_uplink_bps) /
                      reps;
    link.downlink_bps = shannon_rate_bps(config_.dl_rate_bandwidth_hz, downlink_sinr_db(link),
                                         config_.implementation_factor, config_.peak_downlink_bps) /
                        reps;
  }

  cellular_config config_;
  std::vector<cell_site> sites_;
  site_propagation propagation_;
  std::vector<double> building_loss_db_;  // parallel to sites_
  double shadowing_sigma_db_ = 0;
  double mcl_db_ = 0;
};

}  // namespace

double logistic_block_error(double sinr_db, double at_10pct_sinr_db, double width_db) {
  if (std::isnan(sinr_db)) return 1.0;
  constexpr double ln_9 = 2.1972245773362196;  // logistic: 1 / (1 + e^x) = 0.1 at x = ln 9
  const double mid_db = at_10pct_sinr_db - width_db * ln_9;
  // Written with exp of the negated argument for large SINR so neither branch overflows.
  const double x = (sinr_db - mid_db) / width_db;
  if (x >= 0) {
    const double e = std::exp(-x);
    return e / (1.0 + e);
  }
  return 1.0 / (1.0 + std::exp(x));
}

std::unique_ptr<radio_model> make_cellular_model(cellular_config config,
                                                 environment_kind environment,
                                                 geo_point region_center,
                                                 std::vector<cell_site> sites) {
  return std::make_unique<cellular_model>(std::move(config), environment, region_center,
                                          std::move(sites));
}

}  // namespace twelvefold::models::detail
