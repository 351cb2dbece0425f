// Sensor models: ambient temperature and primary-cell battery voltage.
#include "twelvefold/models/sensors.hpp"

#include <cmath>
#include <cstddef>
#include <iterator>

namespace twelvefold::models {
namespace {

constexpr double two_pi = 6.283185307179586476925286766559;
constexpr double us_per_hour = 3.6e9;
// Near-surface air temperature peaks mid-afternoon, ~2-3 h after solar noon, as the ground
// keeps heating the air while net radiation stays positive (e.g. Oke, "Boundary Layer
// Climates", 2nd ed., ch. 2).
constexpr double peak_solar_hour = 15.0;

struct voltage_knot {
  double soc;
  double volts;
};

// Li-SOCl2 bobbin cell (e.g. Saft LS14500 / Tadiran TL-5903 datasheets): ~3.65 V fresh, a long
// plateau near 3.6 V, then a knee below ~10-20% and a steep fall at end of life. Knots in
// increasing state of charge; linear between them.
constexpr voltage_knot li_socl2_curve[] = {
    {0.00, 2.00}, {0.05, 3.30}, {0.10, 3.50}, {0.20, 3.60}, {0.90, 3.62}, {1.00, 3.65},
};

}  // namespace

double read_temperature_c(const temperature_params& p, double site_offset_c, const geo_point& at,
                          std::int64_t utc_us, random_stream& rng) {
  // Local mean solar time: UTC shifted by 1 h per 15 degrees of longitude east.
  const double utc_hours = static_cast<double>(utc_us) / us_per_hour;
  double solar_hour = std::fmod(utc_hours + at.lon_deg / 15.0, 24.0);
  if (solar_hour < 0) solar_hour += 24.0;
  const double diurnal_c =
      p.diurnal_amplitude_c * std::cos(two_pi * (solar_hour - peak_solar_hour) / 24.0);
  return p.mean_c + site_offset_c + diurnal_c + p.noise_sd_c * rng.normal();
}

double draw_site_offset_c(const temperature_params& p, random_stream& rng) {
  return p.site_sd_c * rng.normal();
}

double battery_voltage_v(double soc) {
  if (!(soc > 0)) soc = 0;  // also maps NaN to empty
  if (soc > 1) soc = 1;
  const std::size_t n = std::size(li_socl2_curve);
  for (std::size_t i = 1; i < n; ++i) {
    const voltage_knot& lo = li_socl2_curve[i - 1];
    const voltage_knot& hi = li_socl2_curve[i];
    if (soc <= hi.soc) {
      const double t = (soc - lo.soc) / (hi.soc - lo.soc);
      return lo.volts + t * (hi.volts - lo.volts);
    }
  }
  return li_socl2_curve[n - 1].volts;
}

}  // namespace twelvefold::models
