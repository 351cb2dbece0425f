// Sensor models: what a twin's sensors read at a given time and place.
#pragma once

#include <cstdint>

#include "twelvefold/models/geo.hpp"
#include "twelvefold/models/random.hpp"

namespace twelvefold::models {

struct temperature_params {
  double mean_c = 15;  // yearly mean
  double diurnal_amplitude_c = 5;
  double site_sd_c = 2;     // spread of site means across twins
  double noise_sd_c = 0.2;  // sensor noise per reading
};

// Ambient temperature: site offset + diurnal sinusoid peaking at 15:00 local solar time
// (longitude-corrected) + sensor noise. Deterministic given the twin's site offset and `rng`.
// `utc_us`: microseconds since the Unix epoch, UTC (the hour of day matters, so add the
// scenario's epoch to virtual time). Draws one normal from `rng`.
double read_temperature_c(const temperature_params& p, double site_offset_c, const geo_point& at,
                          std::int64_t utc_us, random_stream& rng);

// A twin's site offset (mean 0, sd p.site_sd_c), drawn once per twin. Draws one normal.
double draw_site_offset_c(const temperature_params& p, random_stream& rng);

// Voltage of a battery at state of charge `soc` (0..1): the Li-SOCl2 primary cell's curve of
// battery.hpp (flat ~3.6 V, knee below 10%); battery_voltage_v(kind, soc) for other kinds.
double battery_voltage_v(double soc);

}  // namespace twelvefold::models
