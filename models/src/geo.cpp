// Local flat frame and great-circle distances.
#include "twelvefold/models/geo.hpp"

#include <cmath>

namespace twelvefold::models {
namespace {

// IUGG mean Earth radius R1 (Moritz, "Geodetic Reference System 1980"), metres. One radius for
// both the projection and the haversine so that short distances agree between the two.
constexpr double earth_radius_m = 6371008.8;
constexpr double pi = 3.14159265358979323846;
constexpr double deg_to_rad = pi / 180.0;
constexpr double rad_to_deg = 180.0 / pi;

// Longitude difference folded into [-180, 180) so that regions across the antimeridian work.
double wrap_lon_deg(double d) {
  d = std::fmod(d + 180.0, 360.0);
  if (d < 0) d += 360.0;
  return d - 180.0;
}

}  // namespace

local_point to_local(const geo_point& reference, const geo_point& p) {
  // Equirectangular projection with the scale of the reference parallel: exact inverse below,
  // and the east-west scale error at a distance y north is ~ y * tan(lat) / R, i.e. < 0.1% for
  // tens of km at mid latitudes.
  const double cos_ref = std::cos(reference.lat_deg * deg_to_rad);
  local_point out;
  out.east_m = wrap_lon_deg(p.lon_deg - reference.lon_deg) * deg_to_rad * earth_radius_m * cos_ref;
  out.north_m = (p.lat_deg - reference.lat_deg) * deg_to_rad * earth_radius_m;
  return out;
}

geo_point to_geo(const geo_point& reference, const local_point& p) {
  const double cos_ref = std::cos(reference.lat_deg * deg_to_rad);
  geo_point out;
  out.lat_deg = reference.lat_deg + p.north_m / earth_radius_m * rad_to_deg;
  // At the poles the east axis degenerates; keep the reference longitude rather than divide by 0.
  const double lon_offset_deg =
      cos_ref > 1e-12 ? p.east_m / (earth_radius_m * cos_ref) * rad_to_deg : 0.0;
  out.lon_deg = wrap_lon_deg(reference.lon_deg + lon_offset_deg);
  return out;
}

double distance_m(const geo_point& a, const geo_point& b) {
  // Haversine: well conditioned for small distances, unlike the spherical law of cosines.
  const double lat_a = a.lat_deg * deg_to_rad;
  const double lat_b = b.lat_deg * deg_to_rad;
  const double half_dlat = 0.5 * (lat_b - lat_a);
  const double half_dlon = 0.5 * wrap_lon_deg(b.lon_deg - a.lon_deg) * deg_to_rad;
  const double s_lat = std::sin(half_dlat);
  const double s_lon = std::sin(half_dlon);
  double h = s_lat * s_lat + std::cos(lat_a) * std::cos(lat_b) * s_lon * s_lon;
  if (h > 1.0) h = 1.0;  // rounding near antipodes
  return 2.0 * earth_radius_m * std::asin(std::sqrt(h));
}

}  // namespace twelvefold::models
