// Satellite NTN (IoT over a LEO constellation, 3GPP Rel-17 NB-IoT NTN) link and session model,
// one implementation of radio_model, and the constellation geometry behind it.
//
// The constellation is a Walker delta pattern of circular orbits (constellation_spec: total
// satellites T, planes P, phasing F = 1, altitude, inclination) around a spherical Earth that
// rotates at the sidereal rate; positions are closed-form in time (no J2 precession, drag or
// station keeping: passes are right in kind, timing and duration, not an ephemeris). A device
// is served when a satellite is above the minimum elevation. best_link has no time: it returns
// the budget at the minimum elevation (the worst geometry inside a pass) and coverage none only
// where no pass can ever reach (latitude beyond the inclination plus the footprint). Each
// session looks up the satellites at session_request::utc_us: none in view fails with
// no_coverage; otherwise the budget at the actual elevation, free-space loss (ns-3 Friis) plus
// the atmospheric, scintillation and polarisation losses and shadow margin of 3GPP TR 38.811 /
// TR 38.821, and the session must end before the satellite sets.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "twelvefold/models/radio_model.hpp"

namespace twelvefold::models {

// Named parameters with their defaults and sources, in one place (details in ntn.cpp).
struct ntn_params {
  double frequency_mhz = 2000;  // S-band MSS (NR-NTN band n256 uplink 1980-2010 MHz)
  double ue_tx_power_dbm = 23;  // power class 3
  double ue_antenna_gain_dbi = 0;
  double ue_noise_figure_db = 7;  // TR 38.821 handheld / IoT UE
  // Satellite payload, TR 38.821 Table 6.1.1.1-1 (Set-1, LEO-600, S-band).
  double satellite_g_over_t_db_per_k = 1.1;
  double satellite_eirp_density_dbw_per_mhz = 34;
  double ul_bandwidth_hz = 15e3;   // single-tone NPUSCH
  double dl_bandwidth_hz = 180e3;  // one PRB
  // Link losses (TR 38.811 §6.6, TR 38.821 §6.1.3 link budgets, S-band).
  double atmospheric_loss_db = 0.1;
  double scintillation_loss_db = 2.2;
  double polarization_loss_db = 3;
  double shadow_margin_db = 3;
  double shadowing_sigma_db = 3;  // LOS shadow fading: a few dB (TR 38.811 §6.6.2)
  // The NB-IoT physical layer carries over: the NPUSCH and NPDSCH SINRs at its MCL
  // (TR 45.820: -11.8 dB and -12.6 dB) are the lowest usable SNRs. With these payload figures
  // the downlink limits (the maximum coupling loss is 183.6 dB against the uplink's 192.7 dB).
  double min_uplink_snr_db = -11.8;
  double min_downlink_snr_db = -12.6;
  // Per-device share of the beam (small capacity per pass): a few kbit/s.
  double peak_uplink_bps = 2400;
  double peak_downlink_bps = 4800;
  double implementation_factor = 0.6;
  double transport_block_bits = 1000;
  int max_retransmissions = 4;
  // Long latency: random access with large timing advance, K_offset-delayed scheduling and
  // RRC over a moving cell take seconds; the core/ground segment adds more.
  double attach_latency_ms = 6000;
  double rach_retry_ms = 1000;
  double ground_latency_ms = 1500;
  double no_satellite_scan_s = 5;  // the modem knows the ephemeris: it gives up quickly
  double rrc_inactivity_s = 5;
  double session_overhead_bytes = 40;  // compressed headers / non-IP data delivery
  std::uint32_t max_message_bytes = 256;
  // Currents (mA) of an NB-IoT NTN module (order of magnitude): TX 23 dBm, RX, idle, PSM.
  double tx_current_ma = 250;
  double rx_current_ma = 40;
  double idle_current_ma = 5;
  double psm_current_ua = 5;
};

// One satellite pass over a ground point.
struct satellite_pass {
  int satellite = -1;
  std::int64_t start_utc_us = 0;
  std::int64_t end_utc_us = 0;
  double max_elevation_deg = 0;
};

// Walker delta constellation geometry (see the top of this file). Times are microseconds since
// the Unix epoch, UTC. Pure computation; any thread.
class walker_constellation {
 public:
  explicit walker_constellation(const constellation_spec& spec);

  [[nodiscard]] int satellites() const { return spec_.satellites; }
  [[nodiscard]] const constellation_spec& spec() const { return spec_; }
  // Orbital period of the circular orbit, seconds: 2 pi sqrt(a^3 / mu).
  [[nodiscard]] double period_s() const;
  // Elevation of satellite `index` seen from `where` at `utc_us`, degrees (negative below the
  // horizon).
  [[nodiscard]] double elevation_deg(int index, const geo_point& where, std::int64_t utc_us) const;
  // The highest satellite at or above the minimum elevation, or -1.
  [[nodiscard]] int best_visible(const geo_point& where, std::int64_t utc_us,
                                 double* elevation_deg = nullptr) const;
  // When satellite `index`, visible at `utc_us`, drops below the minimum elevation.
  [[nodiscard]] std::int64_t set_time_us(int index, const geo_point& where,
                                         std::int64_t utc_us) const;
  // The next pass of any satellite starting at or after `from_utc_us` (or in progress then),
  // within `horizon_us`; false if none. Found by 10 s steps then bisection (grazing passes
  // shorter than a step can be missed).
  bool next_pass(const geo_point& where, std::int64_t from_utc_us, std::int64_t horizon_us,
                 satellite_pass& out) const;
  // Slant range at elevation `elevation_deg`, metres.
  [[nodiscard]] double slant_range_m(double elevation_deg) const;
  // Largest |latitude| any pass reaches, degrees.
  [[nodiscard]] double reach_latitude_deg() const;

 private:
  struct orbit {
    double u0_rad = 0;  // argument of latitude at the Unix epoch
    double cos_raan = 1;
    double sin_raan = 0;
  };
  // Sine of the elevation of satellite `index` over the ground unit vector (inertial frame).
  [[nodiscard]] double sin_elevation(const orbit& o, const double (&ground)[3], double t_s) const;
  void ground_unit_vector(const geo_point& where, std::int64_t utc_us, double (&out)[3]) const;

  constellation_spec spec_;
  double semi_major_m_ = 0;
  double mean_motion_rad_s_ = 0;
  double cos_inclination_ = 1;
  double sin_inclination_ = 0;
  std::vector<orbit> orbits_;
};

std::unique_ptr<radio_model> make_ntn_model(const ntn_params& params, environment_kind environment,
                                            const constellation_spec& constellation);

}  // namespace twelvefold::models
