// Sensor models: ambient temperature and primary-cell battery voltage.
#include "twelvefold/models/sensors.hpp"

#include <cmath>

#include "twelvefold/models/battery.hpp"

namespace twelvefold::models {
namespace {

constexpr double two_pi = 6.283185307179586476925286766559;
constexpr double us_per_hour = 3.6e9;
// Near-surface air temperature peaks mid-afternoon, ~2-3 h after solar noon, as the ground
// keeps heating the air while net radiation stays positive (e.g. Oke, "Boundary Layer
// Climates", 2nd ed., ch. 2).
constexpr double peak_solar_hour = 15.0;

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

double battery_voltage_v(double soc) { return battery_voltage_v(battery_kind::li_socl2, soc); }

}  // namespace twelvefold::models
