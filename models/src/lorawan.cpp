// LoRaWAN EU868 link and session model; parameters and sources in lorawan.hpp.
//
// Link: uplink SNR at the best gateway = 14 dBm - coupling loss - (-174 + 10 log10(125 kHz) +
// 6 dB) -> ADR spreading factor. The maximum coupling loss is 14 dBm - (-117 dBm - 20 dB) =
// 151 dB at SF12 (gateway sensitivity -137 dBm, the SX1276 datasheet's SF12 figure).
// What ADR converges to is modelled, not its convergence: a device that just joined, or whose
// link changed, would spend its first uplinks at a slower SF.
//
// Frames: each frame of a session carries at most the SF's maximum FRMPayload plus 13 bytes of
// MAC framing (lora_airtime_us counts the PHY payload). Frame errors: logistic in the SNR margin
// over the SF's demodulation limit, 10% at zero margin, 1 dB wide; uplinks are unconfirmed and
// sent once (NbTrans = 1, the LoRaWAN default), so a session fails if any frame is lost. Between
// frames the device waits the duty cycle's off-time (airtime x (1/duty - 1)); a session needing
// more airtime than the regulatory budget of one observation period (1% of an hour = 36 s)
// cannot be sent at all and fails with session_failure::duty_cycle before transmitting.
// After every uplink a class A device opens RX1 (RECEIVE_DELAY1, same SF) and RX2
// (RECEIVE_DELAY2, SF12 on 869.525 MHz, RP002's default DR0); a closed window listens for
// rx_window_symbols. A downlink rides RX1 of an uplink; downlinks longer than one frame need
// more (empty) uplinks to open windows, each after the duty-cycle off-time.
#include "twelvefold/models/lorawan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "cellular.hpp"
#include "propagation.hpp"
#include "session_math.hpp"
#include "twelvefold/models/contention.hpp"

namespace twelvefold::models {
namespace {

constexpr int min_sf = 7;
constexpr int max_sf = 12;
constexpr double frame_error_width_db = 1.0;

double symbol_s(int sf, double bandwidth_hz) { return std::ldexp(1.0, sf) / bandwidth_hz; }

class lorawan_model final : public radio_model {
 public:
  lorawan_model(const lorawan_params& params, environment_kind environment, geo_point region_center,
                std::vector<cell_site> sites)
      : p_(params),
        sites_(std::move(sites)),
        propagation_(detail::terrain_model::hata, environment, region_center, sites_,
                     params.device_height_m),
        power_{params.tx_current_ma, params.rx_current_ma, params.idle_current_ma,
               params.sleep_current_ua} {
    building_loss_db_.assign(sites_.size(), 0.0);
    shadowing_sigma_db_ = p_.shadowing_sigma_db;
    if (environment == environment_kind::indoor) {
      for (std::size_t i = 0; i < sites_.size(); ++i) {
        building_loss_db_[i] = detail::o2i_building_loss_db(sites_[i].frequency_mhz * 1e6);
      }
      shadowing_sigma_db_ = std::hypot(p_.shadowing_sigma_db, detail::o2i_sigma_db);
    }
  }

  [[nodiscard]] rat technology() const override { return rat::lorawan; }

  [[nodiscard]] link_budget best_link(const geo_point& where, double shadowing_db,
                                      const std::vector<bool>& site_up) const override {
    constexpr double inf = std::numeric_limits<double>::infinity();
    link_budget link;
    link.technology = rat::lorawan;
    link.position = where;
    link.path_loss_db = inf;
    link.coupling_loss_db = inf;
    link.rsrp_dbm = -inf;
    link.sinr_db = -inf;
    link.level = max_sf;
    detail::site_choice choice;
    if (!detail::best_site(propagation_, sites_, building_loss_db_, rat::lorawan, site_up, where,
                           choice)) {
      return link;
    }
    const cell_site& gateway = sites_[choice.index];
    link.cell_id = gateway.id;
    link.path_loss_db = choice.path_loss_db;
    link.coupling_loss_db = choice.path_loss_db + shadowing_db + building_loss_db_[choice.index] -
                            gateway.antenna_gain_dbi - p_.device_antenna_gain_dbi;
    link.rsrp_dbm = p_.device_tx_power_dbm - link.coupling_loss_db;  // RSSI at the gateway
    link.sinr_db =
        link.rsrp_dbm - detail::noise_floor_dbm(p_.bandwidth_hz, p_.gateway_noise_figure_db);
    int sf = 0;
    for (int s = min_sf; s <= max_sf; ++s) {
      if (link.sinr_db >= lora_snr_limit_db(p_, s) + p_.adr_margin_db) {
        sf = s;
        break;
      }
    }
    if (sf == 0 && link.sinr_db >= lora_snr_limit_db(p_, max_sf)) sf = max_sf;
    if (sf == 0) return link;
    link.level = static_cast<std::uint8_t>(sf);
    link.coverage = sf <= 9 ? coverage_class::normal
                            : (sf <= 11 ? coverage_class::extended : coverage_class::extreme);
    link.uplink_bps = lora_bit_rate_bps(sf, p_.bandwidth_hz);
    link.downlink_bps = link.uplink_bps;  // RX1 answers at the uplink's data rate
    return link;
  }

  [[nodiscard]] session_outcome run_session(const link_budget& link, const session_request& req,
                                            random_stream& rng) const override {
    session_outcome out;
    const bool covered = link.coverage != coverage_class::none;
    // Without coverage the device still transmits (it cannot know nobody hears it): at SF12,
    // where ADR's back-off ends.
    const int sf = covered ? sf_of(link) : max_sf;
    const std::uint32_t max_payload = lora_max_payload_bytes(sf);
    const std::uint32_t n_frames =
        std::max<std::uint32_t>(1, (req.uplink_bytes + max_payload - 1) / max_payload);
    // Full frames, then the remainder: two airtimes at most (no per-session allocation).
    const std::uint32_t last_payload = req.uplink_bytes - (n_frames - 1) * max_payload;
    const double full_air_s =
        static_cast<double>(lora_airtime_us(max_payload + p_.mac_overhead_bytes, sf)) / 1e6;
    const double last_air_s =
        static_cast<double>(lora_airtime_us(last_payload + p_.mac_overhead_bytes, sf)) / 1e6;
    auto air_s = [&](std::uint32_t i) { return i + 1 < n_frames ? full_air_s : last_air_s; };
    const double total_air_s = full_air_s * (n_frames - 1) + last_air_s;
    if (total_air_s > p_.duty_cycle * p_.duty_cycle_window_s) {
      out.failure = session_failure::duty_cycle;
      return out;
    }
    const double frame_error = covered ? uplink_frame_error(link, sf) : 1.0;
    const double windows_s = rx_windows_s(sf);
    const double off_factor = 1.0 / p_.duty_cycle - 1.0;
    double elapsed_s = 0;
    double tx_s = 0;
    double rx_s = 0;
    double idle_s = 0;
    bool delivered = true;
    for (std::uint32_t i = 0; i < n_frames; ++i) {
      if (i > 0) elapsed_s += air_s(i - 1) * off_factor;  // asleep: counted by sleep_charge
      elapsed_s += air_s(i);
      tx_s += air_s(i);
      // Each frame is drawn (covered links only) so the stream advances the same way whatever
      // the outcome of earlier frames.
      if (covered && rng.bernoulli(frame_error)) delivered = false;
    }
    // Empty RX1 + RX2 after every frame; they fall inside the off-time except after the last
    // frame, whose windows the session waits for, unless a downlink answers in its RX1.
    double downlink_s = 0;
    std::uint32_t empty_windows = n_frames;
    if (req.downlink_bytes > 0 && covered) {
      const session_outcome down = downlink(link, sf, req.downlink_bytes, last_air_s, rng);
      delivered = delivered && down.success;
      downlink_s = static_cast<double>(down.latency_us) / 1e6;
      out.charge_mah += down.charge_mah;
      --empty_windows;
    } else {
      elapsed_s += p_.receive_delay2_s + p_.rx_window_symbols * symbol_s(max_sf, p_.bandwidth_hz);
    }
    rx_s += windows_s * empty_windows;
    idle_s += p_.receive_delay2_s * empty_windows;
    out.airtime_us = detail::seconds_to_us(tx_s);
    out.latency_us = detail::seconds_to_us(elapsed_s + downlink_s);
    out.charge_mah +=
        (p_.tx_current_ma * tx_s + p_.rx_current_ma * rx_s + p_.idle_current_ma * idle_s) /
        detail::seconds_per_hour;
    if (!covered) {
      out.failure = session_failure::no_coverage;
      return out;
    }
    out.success = delivered;
    out.failure = delivered ? session_failure::none : session_failure::transfer_failed;
    return out;
  }

  [[nodiscard]] session_outcome run_downlink(const link_budget& link, std::uint32_t bytes,
                                             random_stream& rng) const override {
    if (link.coverage == coverage_class::none) {
      session_outcome out;
      out.failure = session_failure::no_coverage;
      return out;
    }
    const int sf = sf_of(link);
    // The uplink that opened the first RX1 window was the session's last frame; its airtime
    // sets the off-time before any further (empty) uplink.
    const double last_uplink_s =
        static_cast<double>(lora_airtime_us(p_.mac_overhead_bytes, sf)) / 1e6;
    return downlink(link, sf, bytes, last_uplink_s, rng);
  }

  [[nodiscard]] double sleep_charge_mah(std::int64_t duration_us) const override {
    return detail::sleep_charge(power_, duration_us);
  }
  [[nodiscard]] double shadowing_sigma_db() const override { return shadowing_sigma_db_; }
  [[nodiscard]] const power_profile& power() const override { return power_; }
  [[nodiscard]] std::uint32_t overhead_bytes_per_direction() const override {
    return p_.mac_overhead_bytes;
  }
  [[nodiscard]] bool packet_limited() const override { return true; }
  [[nodiscard]] std::uint32_t max_uplink_bytes(const link_budget& link) const override {
    return lora_max_payload_bytes(link.coverage == coverage_class::none ? max_sf : sf_of(link));
  }

 private:
  static int sf_of(const link_budget& link) {
    return std::clamp(static_cast<int>(link.level), min_sf, max_sf);
  }
  double uplink_frame_error(const link_budget& link, int sf) const {
    return detail::logistic_block_error(link.sinr_db - lora_snr_limit_db(p_, sf), 0.0,
                                        frame_error_width_db);
  }
  // Listening time of an empty RX1 (at `sf`) plus an empty RX2 (at SF12).
  double rx_windows_s(int sf) const {
    return p_.rx_window_symbols *
           (symbol_s(sf, p_.bandwidth_hz) + symbol_s(max_sf, p_.bandwidth_hz));
  }

  // `bytes` down in RX1 windows; the first window follows the uplink that took
  // `last_uplink_air_s`, every further frame needs an empty uplink after the off-time.
  session_outcome downlink(const link_budget& link, int sf, std::uint32_t bytes,
                           double last_uplink_air_s, random_stream& rng) const {
    session_outcome out;
    const std::uint32_t max_payload = lora_max_payload_bytes(sf);
    const std::uint32_t n_frames =
        std::max<std::uint32_t>(1, (bytes + max_payload - 1) / max_payload);
    const double empty_uplink_s =
        static_cast<double>(lora_airtime_us(p_.mac_overhead_bytes, sf)) / 1e6;
    const double off_factor = 1.0 / p_.duty_cycle - 1.0;
    // The downlink budget: the gateway's RX1 power equals the device's (14 dBm ERP in g1), and
    // the device's noise figure matches the gateway's by default: same SNR margin.
    const double snr_db = link.sinr_db + p_.gateway_noise_figure_db - p_.device_noise_figure_db;
    const double frame_error =
        detail::logistic_block_error(snr_db - lora_snr_limit_db(p_, sf), 0.0, frame_error_width_db);
    double elapsed_s = 0;
    double tx_s = 0;
    double rx_s = 0;
    double idle_s = 0;
    std::uint32_t remaining = bytes;
    bool delivered = true;
    double previous_uplink_s = last_uplink_air_s;
    for (std::uint32_t i = 0; i < n_frames; ++i) {
      if (i > 0) {
        elapsed_s += previous_uplink_s * off_factor + empty_uplink_s;
        tx_s += empty_uplink_s;
        previous_uplink_s = empty_uplink_s;
      }
      const std::uint32_t payload = std::min(remaining, max_payload);
      remaining -= payload;
      const double down_s =
          static_cast<double>(lora_airtime_us(payload + p_.mac_overhead_bytes, sf)) / 1e6;
      elapsed_s += p_.receive_delay1_s + down_s;
      idle_s += p_.receive_delay1_s;
      rx_s += down_s;
      if (rng.bernoulli(frame_error)) delivered = false;
    }
    out.success = delivered;
    out.failure = delivered ? session_failure::none : session_failure::transfer_failed;
    out.airtime_us = detail::seconds_to_us(rx_s + tx_s);
    out.latency_us = detail::seconds_to_us(elapsed_s);
    out.charge_mah =
        (p_.tx_current_ma * tx_s + p_.rx_current_ma * rx_s + p_.idle_current_ma * idle_s) /
        detail::seconds_per_hour;
    return out;
  }

  lorawan_params p_;
  std::vector<cell_site> sites_;
  detail::site_propagation propagation_;
  power_profile power_;
  std::vector<double> building_loss_db_;
  double shadowing_sigma_db_ = 0;
};

}  // namespace

double lora_snr_limit_db(const lorawan_params& params, int sf) {
  if (sf < min_sf || sf > max_sf) return std::numeric_limits<double>::quiet_NaN();
  return params.snr_limit_db[static_cast<std::size_t>(sf - min_sf)];
}

std::uint32_t lora_max_payload_bytes(int sf) {
  if (sf < min_sf || sf > max_sf) return 0;
  if (sf >= 10) return 51;
  if (sf == 9) return 115;
  return 222;
}

double lora_bit_rate_bps(int sf, double bandwidth_hz) {
  return sf * bandwidth_hz * (4.0 / 5.0) / std::ldexp(1.0, sf);
}

std::unique_ptr<radio_model> make_lorawan_model(const lorawan_params& params,
                                                environment_kind environment,
                                                geo_point region_center,
                                                std::vector<cell_site> gateways) {
  return std::make_unique<lorawan_model>(params, environment, region_center, std::move(gateways));
}

}  // namespace twelvefold::models
