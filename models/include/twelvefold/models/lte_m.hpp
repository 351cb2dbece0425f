// LTE-M (3GPP Cat-M1) link and session model, one implementation of radio_model.
//
// Link budget: path loss from an ns-3 propagation loss model (Okumura-Hata: large-city urban,
// suburban and open-area/rural variants, calibrated against the published formula; see
// propagation.cpp), plus per-link log-normal shadowing and, indoors, building loss. From the
// coupling loss the model derives the coverage class (CE mode A up to 144 dB: coverage normal,
// level 0; CE mode B up to the 155.7 dB maximum coupling loss of 3GPP TR 36.888 / TR 45.820:
// coverage extended, level 1), the data rate (repetitions in CE mode B), and per session:
// whether it succeeds, its airtime, latency and the charge it draws from the battery.
//
// Thread: an lte_m_model is immutable after construction except for its ns-3 objects, which
// are not thread-safe; use it from the one thread that owns the ns-3 world (the network actor).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "twelvefold/models/radio.hpp"
#include "twelvefold/models/radio_model.hpp"
#include "twelvefold/models/random.hpp"

namespace twelvefold::models {

// Named parameters with their defaults and sources, in one place.
struct lte_m_params {
  double ue_tx_power_dbm = 23;      // power class 3 (3GPP TS 36.101)
  double ue_antenna_gain_dbi = -3;  // small-device antenna
  double ue_height_m = 1.5;
  double ue_noise_figure_db = 7;        // TR 36.888 UE NF
  double enb_noise_figure_db = 5;       // TR 36.888 eNB NF
  double bandwidth_hz = 1.08e6;         // 6 PRBs, Cat-M1 narrowband
  double shadowing_sigma_db = 8;        // urban macro log-normal shadowing (TR 36.888)
  double mcl_ce_mode_a_db = 144;        // coupling loss served without deep repetitions
  double mcl_max_db = 155.7;            // LTE-M maximum coupling loss (TR 36.888 Table 6-1)
  double peak_uplink_bps = 375e3;       // HD-FDD Cat-M1 uplink peak (Rel-13)
  double peak_downlink_bps = 300e3;     // HD-FDD Cat-M1 downlink peak (Rel-13)
  double attach_latency_ms = 400;       // RRC resume/connection setup + security (CE mode A)
  double ce_mode_b_latency_factor = 8;  // RACH/RRC repetitions in CE mode B
  double rtt_ms = 80;                   // core + backhaul round trip
  double session_overhead_bytes = 120;  // IP/UDP/DTLS/CoAP headers per session, both ways
  // Currents (mA at 3.6 V) of a typical Cat-M1 module (e.g. u-blox SARA-R4 / Quectel BG96
  // datasheets): transmit at 23 dBm, receive, connected idle, PSM floor.
  double tx_current_ma = 220;
  double rx_current_ma = 60;
  double idle_current_ma = 10;
  double psm_current_ua = 3.5;
  double rrc_inactivity_s = 10;  // time connected after the last packet before release
  // Session-model knobs (sources in lte_m.cpp).
  int max_retransmissions = 4;            // HARQ / RACH retries after the first attempt
  double rach_retry_ms = 100;             // cost of a failed attach attempt (RAR window + backoff)
  double no_coverage_scan_s = 30;         // cell search before the module reports no service
  double ce_mode_b_max_repetitions = 32;  // rate divisor at the MCL (1 at the CE mode A edge)
  double implementation_factor = 0.6;     // fraction of Shannon capacity a real link achieves
};

class lte_m_model final : public radio_model {
 public:
  lte_m_model(lte_m_params params, environment_kind environment, geo_point region_center,
              std::vector<cell_site> cells);
  ~lte_m_model() override;
  lte_m_model(const lte_m_model&) = delete;
  lte_m_model& operator=(const lte_m_model&) = delete;

  [[nodiscard]] rat technology() const override { return rat::lte_m; }

  // Best serving cell for a device at `where` (largest RSRP) among the cells up in `site_up`
  // (see radio_model), including the device's shadowing draw `shadowing_db` (drawn once per
  // link and cached by the caller until the device moves). coverage == none when no cell is
  // within the maximum coupling loss.
  [[nodiscard]] link_budget best_link(const geo_point& where, double shadowing_db,
                                      const std::vector<bool>& site_up) const override;
  // All cells up.
  [[nodiscard]] link_budget best_link(const geo_point& where, double shadowing_db) const;

  // One session over `link`: attach, transfer, release. Draws packet errors from `rng`; the
  // outcome is a pure function of (link, req, rng state). Does not touch ns-3 (any thread).
  [[nodiscard]] session_outcome run_session(const link_budget& link, const session_request& req,
                                            random_stream& rng) const override;

  // The cloud's reply to a session's uplink: `bytes` more on the downlink of the connection
  // run_session opened (no new attach; the RRC tail is already in run_session's charge).
  // latency_us is the extra time the reply takes on the air.
  [[nodiscard]] session_outcome run_downlink(const link_budget& link, std::uint32_t bytes,
                                             random_stream& rng) const override;

  // Charge drawn while asleep in PSM for `duration_us`.
  [[nodiscard]] double sleep_charge_mah(std::int64_t duration_us) const override;

  [[nodiscard]] const lte_m_params& params() const { return params_; }
  [[nodiscard]] double shadowing_sigma_db() const override;
  [[nodiscard]] const power_profile& power() const override;
  [[nodiscard]] std::uint32_t overhead_bytes_per_direction() const override;
  [[nodiscard]] bool packet_limited() const override { return false; }
  [[nodiscard]] std::uint32_t max_uplink_bytes(const link_budget& /*link*/) const override {
    return 0;
  }

 private:
  lte_m_params params_;
  std::unique_ptr<radio_model> engine_;  // the shared cellular engine, configured from params_
};

// Block error probability of a transfer at `sinr_db` (logistic fit to the Cat-M1 BLER curve
// around the MCS the link adapts to). Pure function, exposed for tests.
double lte_m_block_error(double sinr_db);

}  // namespace twelvefold::models
