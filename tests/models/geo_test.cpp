#include "twelvefold/models/geo.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace twelvefold::models {
namespace {

constexpr double pi = 3.14159265358979323846;
constexpr geo_point paris{48.8566, 2.3522};
constexpr geo_point london{51.5074, -0.1278};

TEST(Geo, RoundTripIsExact) {
  for (double east_m : {-40e3, -1.0, 0.0, 250.0, 35e3}) {
    for (double north_m : {-30e3, 0.0, 12.5, 45e3}) {
      const geo_point p = to_geo(paris, {east_m, north_m});
      const local_point back = to_local(paris, p);
      EXPECT_NEAR(back.east_m, east_m, 1e-6);
      EXPECT_NEAR(back.north_m, north_m, 1e-6);
    }
  }
}

TEST(Geo, ReferenceIsOrigin) {
  const local_point o = to_local(paris, paris);
  EXPECT_DOUBLE_EQ(o.east_m, 0.0);
  EXPECT_DOUBLE_EQ(o.north_m, 0.0);
}

TEST(Geo, AxesPointEastAndNorth) {
  const local_point p = to_local(paris, {paris.lat_deg + 0.01, paris.lon_deg + 0.01});
  EXPECT_GT(p.east_m, 0);
  EXPECT_GT(p.north_m, 0);
  // 0.01 degree of latitude is ~1112 m everywhere on a sphere of radius 6371 km.
  EXPECT_NEAR(p.north_m, 1111.95, 0.1);
  EXPECT_NEAR(p.east_m, 1111.95 * std::cos(paris.lat_deg * pi / 180), 0.1);
}

TEST(Geo, HaversineParisLondon) {
  // Great-circle distance between the two city centres on the mean-radius sphere: 343.5 km.
  EXPECT_NEAR(distance_m(paris, london), 343.5e3, 1e3);
  EXPECT_DOUBLE_EQ(distance_m(paris, london), distance_m(london, paris));
  EXPECT_DOUBLE_EQ(distance_m(paris, paris), 0.0);
}

TEST(Geo, HaversineQuarterMeridian) {
  // Equator to pole along a meridian: pi/2 * R.
  EXPECT_NEAR(distance_m({0, 10}, {90, 10}), pi / 2 * 6371008.8, 1e-3);
}

TEST(Geo, LocalFrameAgreesWithHaversineAtScenarioScale) {
  // Within a region of tens of km the flat frame's Euclidean distance matches the great circle
  // to well under 0.1%.
  for (const local_point lp :
       {local_point{20e3, 0}, local_point{0, 20e3}, local_point{15e3, -15e3}}) {
    const geo_point g = to_geo(paris, lp);
    const double flat_m = std::hypot(lp.east_m, lp.north_m);
    EXPECT_NEAR(distance_m(paris, g) / flat_m, 1.0, 1e-3);
  }
}

TEST(Geo, AntimeridianWraps) {
  const geo_point ref{-17.7, 179.95};  // Fiji
  const geo_point east{-17.7, -179.95};
  const local_point p = to_local(ref, east);
  EXPECT_GT(p.east_m, 0);
  EXPECT_LT(p.east_m, 11e3);
  const geo_point back = to_geo(ref, p);
  EXPECT_NEAR(back.lon_deg, -179.95, 1e-9);
  EXPECT_NEAR(distance_m(ref, east), p.east_m, 1.0);
}

}  // namespace
}  // namespace twelvefold::models
