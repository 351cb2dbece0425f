// Wi-Fi 2.4 GHz indoor link and session model; parameters and sources in wifi.hpp.
//
// Both ends are indoors, so no building loss is added whatever the region's environment, and
// the device sits 1 m up (propagation.cpp) under access points at their own height. The uplink
// (device 15 dBm against an AP's 20 dBm) limits coverage: the maximum coupling loss is
// 15 dBm + 82 dB = 97 dB with the defaults: 99 dB of path loss with the AP's 2 dBi, ~95 m
// through an office at P.1238's N = 30 (less with shadowing).
//
// Frame errors: logistic in the margin of the received power over the MCS's sensitivity, 10% at
// zero margin (the standard's sensitivity definition), 1 dB wide; each frame is retried up to
// the retry limit. Contention with other stations on the AP's channel is not modelled (IoT
// devices send a few frames per session; the channel is assumed lightly loaded).
#include "twelvefold/models/wifi.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "cellular.hpp"
#include "propagation.hpp"
#include "session_math.hpp"

namespace twelvefold::models {
namespace {

constexpr double frame_error_width_db = 1.0;
constexpr int mcs_count = 8;

class wifi_model final : public radio_model {
 public:
  wifi_model(const wifi_params& params, geo_point region_center, std::vector<cell_site> sites)
      : p_(params),
        sites_(std::move(sites)),
        propagation_(detail::terrain_model::indoor, environment_kind::indoor, region_center, sites_,
                     0, detail::indoor_params{params.distance_power_loss_coefficient}),
        power_{params.tx_current_ma, params.rx_current_ma, params.idle_current_ma,
               params.deep_sleep_current_ua} {}

  [[nodiscard]] rat technology() const override { return rat::wifi; }

  [[nodiscard]] link_budget best_link(const geo_point& where, double shadowing_db,
                                      const std::vector<bool>& site_up) const override {
    constexpr double inf = std::numeric_limits<double>::infinity();
    link_budget link;
    link.technology = rat::wifi;
    link.position = where;
    link.path_loss_db = inf;
    link.coupling_loss_db = inf;
    link.rsrp_dbm = -inf;
    link.sinr_db = -inf;
    detail::site_choice choice;
    if (!detail::best_site(propagation_, sites_, {}, rat::wifi, site_up, where, choice)) {
      return link;
    }
    const cell_site& ap = sites_[choice.index];
    link.cell_id = ap.id;
    link.path_loss_db = choice.path_loss_db;
    link.coupling_loss_db =
        choice.path_loss_db + shadowing_db - ap.antenna_gain_dbi - p_.device_antenna_gain_dbi;
    link.rsrp_dbm = ap.tx_power_dbm - link.coupling_loss_db;  // RSSI at the device
    const double uplink_rx_dbm = p_.device_tx_power_dbm - link.coupling_loss_db;
    link.sinr_db =
        uplink_rx_dbm - detail::noise_floor_dbm(p_.channel_bandwidth_hz, p_.noise_figure_db);
    const int ul_mcs = mcs_for(uplink_rx_dbm);
    if (ul_mcs < 0) return link;
    const int dl_mcs = std::max(ul_mcs, mcs_for(link.rsrp_dbm));
    link.coverage = coverage_class::normal;
    link.level = static_cast<std::uint8_t>(ul_mcs);
    link.uplink_bps = p_.phy_rate_bps[ul_mcs];
    link.downlink_bps = p_.phy_rate_bps[dl_mcs];
    return link;
  }

  [[nodiscard]] session_outcome run_session(const link_budget& link, const session_request& req,
                                            random_stream& rng) const override {
    session_outcome out;
    if (link.coverage == coverage_class::none) {
      out.failure = session_failure::no_coverage;
      out.latency_us = detail::seconds_to_us(p_.no_coverage_scan_s);
      out.charge_mah = p_.rx_current_ma * p_.no_coverage_scan_s / detail::seconds_per_hour;
      return out;
    }
    // Association runs at the robust management rate (MCS 0 equivalent margin).
    const double assoc_error = frame_error(uplink_rx_dbm(link), 0);
    double connect_s = 0;
    bool associated = false;
    for (int i = 0; i < std::max(1, p_.association_attempts); ++i) {
      connect_s += p_.association_ms / 1e3;
      if (!rng.bernoulli(assoc_error)) {
        associated = true;
        break;
      }
    }
    if (!associated) {
      out.failure = session_failure::attach_failed;
      out.latency_us = detail::seconds_to_us(connect_s);
      out.charge_mah = p_.rx_current_ma * connect_s / detail::seconds_per_hour;
      return out;
    }
    connect_s += (p_.dhcp_ms + p_.tls_handshake_ms) / 1e3;

    const transfer up = frames(link, req.uplink_bytes + 0.5 * p_.session_overhead_bytes, true);
    const transfer down = frames(link, req.downlink_bytes + 0.5 * p_.session_overhead_bytes, false);
    const bool delivered = !rng.bernoulli(1.0 - up.p_delivered * down.p_delivered);
    const double rtt_s = p_.rtt_ms / 1e3;
    out.airtime_us = detail::seconds_to_us(up.seconds + down.seconds);
    out.latency_us = detail::seconds_to_us(connect_s + up.seconds + down.seconds + rtt_s);
    // Connection set-up is mostly listening (beacons, handshakes, DHCP and TLS round trips).
    const double charge_ma_s = p_.tx_current_ma * up.seconds +
                               p_.rx_current_ma * (connect_s + down.seconds) +
                               p_.idle_current_ma * (rtt_s + p_.disconnect_tail_s);
    out.charge_mah = charge_ma_s / detail::seconds_per_hour;
    out.success = delivered;
    out.failure = delivered ? session_failure::none : session_failure::transfer_failed;
    return out;
  }

  [[nodiscard]] session_outcome run_downlink(const link_budget& link, std::uint32_t bytes,
                                             random_stream& rng) const override {
    session_outcome out;
    if (link.coverage == coverage_class::none) {
      out.failure = session_failure::no_coverage;
      return out;
    }
    const transfer down = frames(link, bytes, false);
    out.success = !rng.bernoulli(1.0 - down.p_delivered);
    out.failure = out.success ? session_failure::none : session_failure::transfer_failed;
    out.airtime_us = detail::seconds_to_us(down.seconds);
    out.latency_us = out.airtime_us;
    out.charge_mah = p_.rx_current_ma * down.seconds / detail::seconds_per_hour;
    return out;
  }

  [[nodiscard]] double sleep_charge_mah(std::int64_t duration_us) const override {
    return detail::sleep_charge(power_, duration_us);
  }
  [[nodiscard]] double shadowing_sigma_db() const override { return p_.shadowing_sigma_db; }
  [[nodiscard]] const power_profile& power() const override { return power_; }
  [[nodiscard]] std::uint32_t overhead_bytes_per_direction() const override {
    return static_cast<std::uint32_t>(p_.session_overhead_bytes / 2);
  }
  [[nodiscard]] bool packet_limited() const override { return false; }
  [[nodiscard]] std::uint32_t max_uplink_bytes(const link_budget& /*link*/) const override {
    return 0;
  }

 private:
  struct transfer {
    double seconds = 0;
    double p_delivered = 1;
  };

  // Fastest MCS whose sensitivity `rx_dbm` meets, or -1.
  int mcs_for(double rx_dbm) const {
    int mcs = -1;
    for (int m = 0; m < mcs_count; ++m) {
      if (rx_dbm >= p_.sensitivity_dbm[m]) mcs = m;
    }
    return mcs;
  }
  double uplink_rx_dbm(const link_budget& link) const {
    return p_.device_tx_power_dbm - link.coupling_loss_db;
  }
  double frame_error(double rx_dbm, int mcs) const {
    return detail::logistic_block_error(rx_dbm - p_.sensitivity_dbm[mcs], 0.0,
                                        frame_error_width_db);
  }

  // `bytes` in frames of at most max_frame_payload_bytes at the link's MCS for the direction.
  transfer frames(const link_budget& link, double bytes, bool uplink) const {
    transfer t;
    if (!(bytes > 0)) return t;
    const double rx_dbm = uplink ? uplink_rx_dbm(link) : link.rsrp_dbm;
    const int mcs = std::max(0, mcs_for(rx_dbm));
    const double rate_bps = p_.phy_rate_bps[mcs];
    const double frame_error_p = frame_error(rx_dbm, mcs);
    const int attempts = 1 + std::max(0, p_.retry_limit);
    const double n_frames = std::ceil(bytes / p_.max_frame_payload_bytes);
    const double one_try_s = n_frames * p_.frame_overhead_us / 1e6 + bytes * 8.0 / rate_bps;
    t.seconds = one_try_s * detail::expected_transmissions(frame_error_p, attempts);
    t.p_delivered = std::pow(1.0 - std::pow(frame_error_p, attempts), n_frames);
    return t;
  }

  wifi_params p_;
  std::vector<cell_site> sites_;
  detail::site_propagation propagation_;
  power_profile power_;
};

}  // namespace

std::unique_ptr<radio_model> make_wifi_model(const wifi_params& params,
                                             environment_kind /*environment*/,
                                             geo_point region_center,
                                             std::vector<cell_site> access_points) {
  return std::make_unique<wifi_model>(params, region_center, std::move(access_points));
}

}  // namespace twelvefold::models
