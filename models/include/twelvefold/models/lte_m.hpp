// LTE-M (3GPP Cat-M1) link and session model.
//
// Link budget: path loss from an ns-3 propagation loss model (Okumura-Hata: large-city urban,
// suburban and open-area/rural variants; see lte_m.cpp for the parameters and the sources they
// come from), plus per-link log-normal shadowing. From the coupling loss the model derives the
// coverage class (CE mode A up to 144 dB, CE mode B up to the 155.7 dB maximum coupling loss of
// 3GPP TR 36.888 / TR 45.820), the data rate (repetitions in CE mode B), and per session:
// whether it succeeds, its airtime, latency and the charge it draws from the battery.
//
// Thread: an lte_m_model is immutable after construction except for its ns-3 objects, which
// are not thread-safe; use it from the one thread that owns the ns-3 world (the network actor).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "twelvefold/models/radio.hpp"
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

enum class coverage_class : std::uint8_t { none, ce_mode_a, ce_mode_b };

// With no LTE-M cell at all, best_link returns cell_id 0, coverage none, infinite losses and
// -infinity RSRP/SINR.
struct link_budget {
  std::uint32_t cell_id = 0;
  double path_loss_db = 0;
  double coupling_loss_db = 0;  // path loss + shadowing - antenna gains
  double rsrp_dbm = 0;          // reference-signal received power at the device
  double sinr_db = 0;           // uplink SNR at the eNB over the narrowband (no interference)
  coverage_class coverage = coverage_class::none;
};

struct session_request {
  std::uint32_t uplink_bytes = 0;
  std::uint32_t downlink_bytes = 0;
};

enum class session_failure : std::uint8_t { none, no_coverage, attach_failed, transfer_failed };

struct session_outcome {
  bool success = false;
  session_failure failure = session_failure::none;
  std::int64_t airtime_us = 0;  // data time transmitting + receiving (incl. HARQ and
                                // repetitions; attach signalling is in latency, not here)
  std::int64_t latency_us = 0;  // session start to end (completion or failure detected)
  double charge_mah = 0;        // battery charge drawn by the radio for the session
};

class lte_m_model {
 public:
  lte_m_model(lte_m_params params, environment_kind environment, geo_point region_center,
              std::vector<cell_site> cells);
  ~lte_m_model();
  lte_m_model(const lte_m_model&) = delete;
  lte_m_model& operator=(const lte_m_model&) = delete;

  // Best serving cell for a device at `where` (largest RSRP), including the device's
  // shadowing draw `shadowing_db` (drawn once per link and cached by the caller until the
  // device moves). coverage == none when no cell is within the maximum coupling loss.
  [[nodiscard]] link_budget best_link(const geo_point& where, double shadowing_db) const;

  // One session over `link`: attach, transfer, release. Draws packet errors from `rng`; the
  // outcome is a pure function of (link, req, rng state). Does not touch ns-3 (any thread).
  [[nodiscard]] session_outcome run_session(const link_budget& link, const session_request& req,
                                            random_stream& rng) const;

  // The cloud's reply to a session's uplink: `bytes` more on the downlink of the connection
  // run_session opened (no new attach; the RRC tail is already in run_session's charge).
  // latency_us is the extra time the reply takes on the air.
  [[nodiscard]] session_outcome run_downlink(const link_budget& link, std::uint32_t bytes,
                                             random_stream& rng) const;

  // Charge drawn while asleep in PSM for `duration_us`.
  [[nodiscard]] double sleep_charge_mah(std::int64_t duration_us) const;

  [[nodiscard]] const lte_m_params& params() const { return params_; }
  [[nodiscard]] double shadowing_sigma_db() const { return params_.shadowing_sigma_db; }

 private:
  struct ns3_world;  // ns-3 objects stay behind this pointer (C++17, never in a public header)
  lte_m_params params_;
  std::vector<cell_site> cells_;
  std::unique_ptr<ns3_world> world_;
};

// Block error probability of a transfer at `sinr_db` (logistic fit to the Cat-M1 BLER curve
// around the MCS the link adapts to). Pure function, exposed for tests.
double lte_m_block_error(double sinr_db);

}  // namespace twelvefold::models
