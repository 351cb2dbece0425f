#include "twelvefold/models/gnss.hpp"

#include <cmath>

namespace twelvefold::models {
namespace {

// For a circular bivariate normal with sigma per axis, CEP = sigma * sqrt(2 ln 2).
constexpr double cep_per_sigma = 1.1774100225154747;

double availability(const gnss_params& p, environment_kind environment) {
  switch (environment) {
    case environment_kind::rural:
      return p.availability_rural;
    case environment_kind::suburban:
      return p.availability_suburban;
    case environment_kind::urban:
      return p.availability_urban;
    case environment_kind::indoor:
      return 0;
  }
  return 0;
}

}  // namespace

double gnss_cep_m(const gnss_params& p, environment_kind environment) {
  switch (environment) {
    case environment_kind::rural:
      return p.cep_rural_m;
    case environment_kind::suburban:
      return p.cep_suburban_m;
    case environment_kind::urban:
      return p.cep_urban_m;
    case environment_kind::indoor:
      return 0;
  }
  return 0;
}

gnss_fix attempt_gnss_fix(const gnss_params& p, environment_kind environment,
                          const geo_point& truth, double since_last_fix_s, random_stream& rng) {
  gnss_fix fix;
  const bool hot = since_last_fix_s >= 0 && since_last_fix_s <= p.hot_validity_s;
  // The availability draw comes first and always, so a twin's stream does not depend on the
  // outcome of earlier attempts.
  const double u = rng.uniform();
  const double sigma_m = gnss_cep_m(p, environment) / cep_per_sigma;
  const double east_m = rng.normal(0, sigma_m);
  const double north_m = rng.normal(0, sigma_m);
  if (u >= availability(p, environment)) {
    fix.time_to_fix_s = p.timeout_s;
    fix.charge_mah = p.acquisition_ma * p.timeout_s / 3600.0;
    return fix;
  }
  fix.available = true;
  fix.position = to_geo(truth, {east_m, north_m});
  fix.accuracy_m = sigma_m * std::sqrt(2.0);  // DRMS: ~63% of fixes fall within
  fix.time_to_fix_s = hot ? p.hot_ttff_s : p.cold_ttff_s;
  fix.charge_mah = p.acquisition_ma * fix.time_to_fix_s / 3600.0;
  return fix;
}

}  // namespace twelvefold::models
