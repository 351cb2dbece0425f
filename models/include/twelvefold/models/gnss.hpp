// A GNSS receiver's fix: available with a sky view, a few metres off, and it costs time and
// charge (factor 6, docs/cloud-location-time.md). Pure functions.
#pragma once

#include <cstdint>

#include "twelvefold/models/geo.hpp"
#include "twelvefold/models/radio.hpp"
#include "twelvefold/models/random.hpp"

namespace twelvefold::models {

struct gnss_params {
  // Horizontal CEP (50% of fixes within) of a single-frequency L1 receiver with an open sky,
  // by environment: u-blox M8/M10 datasheets give 2.0-2.5 m CEP in open sky; suburban trees and
  // urban canyons add multipath (4-6 m CEP is typical of measured urban drives). Indoors there
  // is no fix.
  double cep_rural_m = 2.5;
  double cep_suburban_m = 3.5;
  double cep_urban_m = 5.0;
  // Share of attempts that get a fix within the timeout (urban canyons block satellites).
  double availability_rural = 1.0;
  double availability_suburban = 0.99;
  double availability_urban = 0.95;
  // Time to fix: hot start (valid ephemeris, within hot_validity_s of the last fix) and cold
  // start; the receiver draws acquisition_ma meanwhile (u-blox M10: 1 s hot, 23-29 s cold,
  // ~25 mA acquisition at 3 V in full-power mode). A failed attempt runs to the timeout.
  double hot_ttff_s = 2;
  double cold_ttff_s = 30;
  double timeout_s = 60;
  double hot_validity_s = 4 * 3600;  // GPS ephemeris is valid for ~4 h
  double acquisition_ma = 25;
};

struct gnss_fix {
  bool available = false;
  geo_point position;     // the fix (not the truth)
  double accuracy_m = 0;  // the receiver's horizontal error estimate (DRMS, metres)
  double time_to_fix_s = 0;
  double charge_mah = 0;  // drawn by the receiver for this attempt
};

// One fix attempt at `truth` in `environment`; `since_last_fix_s` < 0 means never (cold start).
gnss_fix attempt_gnss_fix(const gnss_params& params, environment_kind environment,
                          const geo_point& truth, double since_last_fix_s, random_stream& rng);

// The CEP of `environment`, metres (0 indoors: no fix).
double gnss_cep_m(const gnss_params& params, environment_kind environment);

}  // namespace twelvefold::models
