// Positions on the Earth and the local flat frame the radio models work in.
#pragma once

namespace twelvefold::models {

struct geo_point {
  double lat_deg = 0;
  double lon_deg = 0;
};

// East/north metres from a reference point (equirectangular projection: accurate to well under
// 0.1% over the tens of kilometres a scenario region spans, which is far below shadowing).
struct local_point {
  double east_m = 0;
  double north_m = 0;
};

local_point to_local(const geo_point& reference, const geo_point& p);
geo_point to_geo(const geo_point& reference, const local_point& p);
// Great-circle distance (haversine), metres.
double distance_m(const geo_point& a, const geo_point& b);

}  // namespace twelvefold::models
