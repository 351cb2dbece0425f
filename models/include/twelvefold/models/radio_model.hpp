// One interface over every RAT's link and session model, so the network actor treats LTE-M,
// NB-IoT, 2G, 3G, Wi-Fi, LoRaWAN and satellite alike. Each implementation keeps its named
// parameters (with the standard or datasheet they come from) in one place.
//
// Thread: immutable after construction. best_link uses ns-3 objects, which are not thread-safe:
// call it from the one thread that owns the ns-3 world (the network actor). run_session,
// run_downlink, sleep_charge_mah and the accessors never touch ns-3 and only read the model:
// they may run concurrently on any thread (e.g. to spread a window's sessions over workers).
//
// Per-RAT parameters and their sources: lte_m.hpp, nb_iot.hpp, gprs.hpp, umts.hpp, wifi.hpp,
// lorawan.hpp, ntn.hpp; docs/radio.md describes each model, docs/validation.md its checks.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "twelvefold/models/radio.hpp"
#include "twelvefold/models/random.hpp"

namespace twelvefold::models {

// Coverage class, generic across RATs; `link_budget::level` carries the RAT's own notion:
// LTE-M CE mode (0 = A, 1 = B), NB-IoT CE level 0..2, LoRa spreading factor 7..12, Wi-Fi MCS.
enum class coverage_class : std::uint8_t { none, normal, extended, extreme };

// The link of one device to its best site. With no site at all, best_link returns cell_id 0,
// coverage none, infinite losses and -infinity RSRP/SINR. `level` per RAT: LTE-M CE mode
// (0 = A, 1 = B); NB-IoT CE level 0..2; GPRS coding scheme 1..4; UMTS bearer 0..3; Wi-Fi
// 802.11n MCS 0..7; LoRaWAN spreading factor 7..12; NTN 0.
struct link_budget {
  std::uint32_t cell_id = 0;  // serving site; 0 when none (and for NTN: satellites change)
  rat technology = rat::lte_m;
  coverage_class coverage = coverage_class::none;
  std::uint8_t level = 0;
  double path_loss_db = 0;
  double coupling_loss_db = 0;  // path loss + shadowing + penetration - antenna gains
  double rsrp_dbm = 0;          // RSRP (LTE), RSCP (3G), RSSI (2G, Wi-Fi, LoRa, NTN)
  double sinr_db = 0;           // uplink SINR at the site (NTN: at the satellite)
  double uplink_bps = 0;        // achievable rate at this link (after repetitions)
  double downlink_bps = 0;
  geo_point position;  // where the device was (NTN visibility at session time)
};

struct session_request {
  std::uint32_t uplink_bytes = 0;
  std::uint32_t downlink_bytes = 0;
  // When the session starts, microseconds since the Unix epoch, UTC (scenario epoch + virtual
  // time): satellite visibility depends on it.
  std::int64_t utc_us = 0;
};

enum class session_failure : std::uint8_t {
  none,
  no_coverage,      // no site within reach (or no satellite in view)
  attach_failed,    // random access / registration failed
  transfer_failed,  // a block was lost after every retransmission
  duty_cycle,       // LoRaWAN: the regulatory duty cycle forbids sending now
};

struct session_outcome {
  bool success = false;
  session_failure failure = session_failure::none;
  std::int64_t airtime_us = 0;  // data time transmitting + receiving (incl. retransmissions)
  std::int64_t latency_us = 0;  // session start to end (completion or failure detected)
  double charge_mah = 0;        // battery charge drawn by the radio for the session
};

// Currents of a RAT's radio in its power states (mA unless noted), for energy accounting.
struct power_profile {
  double tx_ma = 0;
  double rx_ma = 0;
  double idle_ma = 0;   // connected, neither sending nor receiving
  double sleep_ua = 0;  // PSM / deep sleep floor
};

class radio_model {
 public:
  virtual ~radio_model() = default;
  [[nodiscard]] virtual rat technology() const = 0;
  // Best serving site for a device at `where`, among the sites whose `site_up[i]` is true
  // (indexes as in the `sites` given at construction; an empty mask means all up), including
  // the device's shadowing draw (drawn once per twin and RAT by the caller).
  [[nodiscard]] virtual link_budget best_link(const geo_point& where, double shadowing_db,
                                              const std::vector<bool>& site_up) const = 0;
  // One session: attach, uplink, the RRC/connection tail. Draws errors from `rng`.
  [[nodiscard]] virtual session_outcome run_session(const link_budget& link,
                                                    const session_request& req,
                                                    random_stream& rng) const = 0;
  // The cloud's reply on the downlink of the connection run_session opened.
  [[nodiscard]] virtual session_outcome run_downlink(const link_budget& link, std::uint32_t bytes,
                                                     random_stream& rng) const = 0;
  // Charge drawn by the radio asleep for `duration_us`.
  [[nodiscard]] virtual double sleep_charge_mah(std::int64_t duration_us) const = 0;
  [[nodiscard]] virtual double shadowing_sigma_db() const = 0;
  [[nodiscard]] virtual const power_profile& power() const = 0;
  // Transport headers added per direction of a session, bytes.
  [[nodiscard]] virtual std::uint32_t overhead_bytes_per_direction() const = 0;
  // True for RATs where firmware should send compact/templated data (LoRaWAN, NTN).
  [[nodiscard]] virtual bool packet_limited() const = 0;
  // Largest uplink payload one session may carry (LoRaWAN: per SF; others: unlimited = 0).
  [[nodiscard]] virtual std::uint32_t max_uplink_bytes(const link_budget& link) const = 0;
};

// The model of `technology` for one region. `sites` are the region's sites of that RAT
// (ignored for NTN, whose constellation comes from `constellation`).
struct constellation_spec {
  int satellites = 0;
  double altitude_km = 550;
  double inclination_deg = 53;
  int planes = 1;
  double min_elevation_deg = 25;
};
std::unique_ptr<radio_model> make_radio_model(rat technology, environment_kind environment,
                                              geo_point region_center, std::vector<cell_site> sites,
                                              const constellation_spec& constellation = {});

// Site defaults per RAT (height, power, frequency, antenna gain), for scenario fields left out.
cell_site default_site(rat technology);

}  // namespace twelvefold::models
