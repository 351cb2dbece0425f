#include "twelvefold/models/battery.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "twelvefold/models/sensors.hpp"

namespace twelvefold::models {
namespace {

TEST(Battery, NamesRoundTrip) {
  for (auto k : {battery_kind::li_socl2, battery_kind::alkaline, battery_kind::lipo}) {
    battery_kind parsed{};
    ASSERT_TRUE(parse_battery_kind(battery_kind_name(k), parsed));
    EXPECT_EQ(parsed, k);
  }
  battery_kind k{};
  EXPECT_FALSE(parse_battery_kind("nimh", k));
}

TEST(Battery, CurvesAreMonotoneAndBounded) {
  for (auto k : {battery_kind::li_socl2, battery_kind::alkaline, battery_kind::lipo}) {
    double previous = battery_voltage_v(k, 0);
    for (int i = 1; i <= 1000; ++i) {
      const double v = battery_voltage_v(k, i / 1000.0);
      ASSERT_GE(v, previous) << battery_kind_name(k) << " " << i;
      previous = v;
    }
    EXPECT_EQ(battery_voltage_v(k, -1), battery_voltage_v(k, 0));
    EXPECT_EQ(battery_voltage_v(k, 2), battery_voltage_v(k, 1));
    EXPECT_EQ(battery_voltage_v(k, std::nan("")), battery_voltage_v(k, 0));
  }
  EXPECT_NEAR(battery_voltage_v(battery_kind::alkaline, 1), 1.55, 1e-9);
  EXPECT_NEAR(battery_voltage_v(battery_kind::alkaline, 0), 0.9, 1e-9);
  EXPECT_NEAR(battery_voltage_v(battery_kind::lipo, 1), 4.2, 1e-9);
  EXPECT_NEAR(battery_voltage_v(battery_kind::lipo, 0), 3.0, 1e-9);
}

TEST(Battery, SensorsCurveIsTheLiSocl2One) {
  for (int i = 0; i <= 100; ++i) {
    EXPECT_EQ(battery_voltage_v(i / 100.0), battery_voltage_v(battery_kind::li_socl2, i / 100.0));
  }
}

TEST(Battery, ProjectedLife) {
  constexpr std::int64_t year_us = static_cast<std::int64_t>(365.25 * 24 * 3600 * 1e6);
  // 2600 mAh LS 14500-class cell, 100 mAh a year of drain, 1%/y self-discharge: 2600 / 126.
  EXPECT_NEAR(projected_life_years(battery_kind::li_socl2, 2600, 100, year_us), 2600.0 / 126.0,
              1e-9);
  // Self-discharge alone bounds a LiPo's life to ~4 years.
  EXPECT_NEAR(projected_life_years(battery_kind::lipo, 1000, 0, year_us), 1.0 / 0.24, 1e-9);
  EXPECT_EQ(projected_life_years(battery_kind::li_socl2, 0, 10, year_us), 0.0);
  // Observed over half a year: the drain is doubled to a yearly rate.
  EXPECT_NEAR(projected_life_years(battery_kind::alkaline, 2500, 50, year_us / 2),
              2500.0 / (100.0 + 50.0), 1e-6);
}

}  // namespace
}  // namespace twelvefold::models
