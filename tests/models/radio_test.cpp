#include "twelvefold/models/radio.hpp"

#include <gtest/gtest.h>

namespace twelvefold::models {
namespace {

TEST(Radio, RatNamesRoundTrip) {
  EXPECT_EQ(rat_name(rat::lte_m), "lte-m");
  rat r{};
  ASSERT_TRUE(parse_rat("lte-m", r));
  EXPECT_EQ(r, rat::lte_m);
  EXPECT_FALSE(parse_rat("LTE-M", r));
  EXPECT_FALSE(parse_rat("nb-iot", r));
  EXPECT_FALSE(parse_rat("", r));
}

TEST(Radio, EnvironmentNamesRoundTrip) {
  for (auto e : {environment_kind::urban, environment_kind::suburban, environment_kind::rural}) {
    environment_kind parsed{};
    ASSERT_TRUE(parse_environment(environment_name(e), parsed));
    EXPECT_EQ(parsed, e);
  }
  EXPECT_EQ(environment_name(environment_kind::urban), "urban");
  EXPECT_EQ(environment_name(environment_kind::suburban), "suburban");
  EXPECT_EQ(environment_name(environment_kind::rural), "rural");
  environment_kind e{};
  EXPECT_FALSE(parse_environment("desert", e));
}

}  // namespace
}  // namespace twelvefold::models
