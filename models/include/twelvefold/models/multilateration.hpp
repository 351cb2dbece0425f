// Cloud-side positioning from cell and Wi-Fi scans (factor 6, docs/cloud-location-time.md).
// Pure functions.
//
// Ranging: a scan reports the received power of each site. The forward model is a log-distance
// fit of the propagation model the radio models use (Okumura-Hata / COST-231-Hata for cells,
// which is exactly linear in log distance; ITU-R P.1238 for Wi-Fi), so
//   rx_dbm = eirp_dbm - (a_db + b_db * log10(d_m)) + shadowing
// and the inverse gives a range whose log has sigma = shadowing_sigma_db * ln 10 / b_db.
//
// Solver: weighted least squares on log ranges (the maximum-likelihood form for log-normal
// shadowing), Gauss-Newton with Levenberg damping from the weighted centroid; the error estimate
// is the DRMS of the solution's covariance (JtWJ)^-1 inflated by the normalised residual when
// there is redundancy. With fewer than 3 sites: weighted centroid, error = the weighted range.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "twelvefold/models/geo.hpp"
#include "twelvefold/models/radio.hpp"
#include "twelvefold/models/random.hpp"

namespace twelvefold::models {

// Received power vs distance for one site.
struct ranging_site {
  std::uint32_t id = 0;
  geo_point position;
  double eirp_dbm = 0;  // transmit power + gains - fixed losses, as seen in the reported quantity
  double a_db = 0;      // path loss at 1 m (of the fit)
  double b_db = 35;     // path loss per decade of distance
  double shadowing_sigma_db = 8;
};

struct ranging_params {
  double ue_height_m = 1.5;
  double ue_antenna_gain_dbi = -3;  // small-device antenna (lte_m_params)
  // Cells report RSRP: the power of one resource element, 10 log10(600) = 27.8 dB below the
  // total of a 10 MHz carrier (TS 36.214 §5.1.1), as the LTE-M model does.
  double rsrp_offset_db = 27.78;
  double cell_shadowing_sigma_db = 8;   // urban macro (TR 36.888), as the radio models
  double wifi_shadowing_sigma_db = 10;  // ITU-R P.1238 office
  double wifi_distance_power_loss_coefficient = 30;
  double min_range_m = 10;  // ranges are clamped here: the fits are not valid closer
};

// The ranging model of a cell (LTE-M/NB-IoT/2G/3G) or Wi-Fi access point in `environment`
// (indoor adds the mean outdoor-to-indoor building loss of TR 38.901 and its spread).
ranging_site ranging_site_for(const cell_site& site, environment_kind environment,
                              const ranging_params& params = {});

// Mean received power at `where` (no shadowing).
double predicted_rx_dbm(const ranging_site& site, const geo_point& where);
// Distance at which the mean received power is `rx_dbm`, metres (clamped at min_range_m).
double range_from_rx_m(const ranging_site& site, double rx_dbm, double min_range_m = 10);

struct range_measurement {
  geo_point site;
  double range_m = 0;
  double log_sigma = 0.5;  // sigma of ln(range)
};

struct position_estimate {
  bool ok = false;
  geo_point position;
  double error_m = 0;  // estimated horizontal error (DRMS), metres
  std::uint32_t sites = 0;
  bool centroid = false;  // fewer than 3 sites: weighted centroid
  std::uint32_t iterations = 0;
};

position_estimate multilaterate(const std::vector<range_measurement>& ranges);
// Weighted centroid (weights 1 / range^2), used below three sites.
position_estimate weighted_centroid(const std::vector<range_measurement>& ranges);

// A measurement from a scan entry: the range and its log sigma from the site's model.
range_measurement measure(const ranging_site& site, double rx_dbm, double min_range_m = 10);

// ---- The measuring side: what a device's scan reports ----

struct scan_params {
  // Weakest cell a modem measures and reports (RSRP; LTE-M CE mode B measures to ~-140 dBm,
  // neighbour reports below ~-130 dBm are rare), and how many it lists (serving + 6 neighbours).
  double cell_sensitivity_dbm = -130;
  std::size_t max_cells = 7;
  // Weakest access point a Wi-Fi scan lists, and how many.
  double wifi_sensitivity_dbm = -90;
  std::size_t max_aps = 8;
  // Measurement noise on top of the static shadowing (RSRP accuracy, TS 36.133 §9.1: +/-6 dB
  // absolute, much less relative; fast fading averaged over the measurement period).
  double measurement_sigma_db = 2;
};

struct scan_entry {
  std::uint32_t site_id = 0;
  std::int32_t rx_dbm = 0;  // integer dBm, as reported
};

// A scan at `where`: mean received power + shadowing (static per twin and site, drawn once
// from (seed, twin, site)) + measurement noise (per scan), strongest first, at most
// `max_entries` at or above `sensitivity_dbm`.
std::vector<scan_entry> simulate_scan(const std::vector<ranging_site>& sites,
                                      const geo_point& where, double sensitivity_dbm,
                                      std::size_t max_entries, double measurement_sigma_db,
                                      std::uint64_t seed, std::uint32_t twin,
                                      std::uint32_t scan_index);

}  // namespace twelvefold::models
