#include "twelvefold/models/radio.hpp"

#include <gtest/gtest.h>

#include "twelvefold/models/radio_model.hpp"

namespace twelvefold::models {
namespace {

TEST(Radio, RatNamesRoundTrip) {
  for (int i = 0; i < rat_count; ++i) {
    const auto r = static_cast<rat>(i);
    rat parsed{};
    ASSERT_TRUE(parse_rat(rat_name(r), parsed)) << rat_name(r);
    EXPECT_EQ(parsed, r);
  }
  EXPECT_EQ(rat_name(rat::lte_m), "lte-m");
  EXPECT_EQ(rat_name(rat::nb_iot), "nb-iot");
  EXPECT_EQ(rat_name(rat::gprs), "gprs");
  EXPECT_EQ(rat_name(rat::umts), "umts");
  EXPECT_EQ(rat_name(rat::wifi), "wifi");
  EXPECT_EQ(rat_name(rat::lorawan), "lorawan");
  EXPECT_EQ(rat_name(rat::ntn), "ntn");
  rat r{};
  ASSERT_TRUE(parse_rat("2g", r));
  EXPECT_EQ(r, rat::gprs);
  ASSERT_TRUE(parse_rat("3g", r));
  EXPECT_EQ(r, rat::umts);
  EXPECT_FALSE(parse_rat("LTE-M", r));
  EXPECT_FALSE(parse_rat("5g", r));
  EXPECT_FALSE(parse_rat("", r));
}

TEST(Radio, EnvironmentNamesRoundTrip) {
  for (auto e : {environment_kind::urban, environment_kind::suburban, environment_kind::rural,
                 environment_kind::indoor}) {
    environment_kind parsed{};
    ASSERT_TRUE(parse_environment(environment_name(e), parsed));
    EXPECT_EQ(parsed, e);
  }
  EXPECT_EQ(environment_name(environment_kind::urban), "urban");
  EXPECT_EQ(environment_name(environment_kind::suburban), "suburban");
  EXPECT_EQ(environment_name(environment_kind::rural), "rural");
  EXPECT_EQ(environment_name(environment_kind::indoor), "indoor");
  environment_kind e{};
  EXPECT_FALSE(parse_environment("desert", e));
}

TEST(Radio, FactoryBuildsEveryRat) {
  const geo_point center{48.8566, 2.3522};
  constellation_spec leo;
  leo.satellites = 24;
  leo.planes = 4;
  for (int i = 0; i < rat_count; ++i) {
    const auto r = static_cast<rat>(i);
    cell_site site = default_site(r);
    EXPECT_EQ(site.technology, r);
    site.id = 7;
    site.position = center;
    const auto model = make_radio_model(r, environment_kind::urban, center, {site}, leo);
    ASSERT_NE(model, nullptr) << rat_name(r);
    EXPECT_EQ(model->technology(), r);
    const link_budget l = model->best_link(to_geo(center, {50, 30}), 0, {});
    EXPECT_EQ(l.technology, r);
    EXPECT_NE(l.coverage, coverage_class::none) << rat_name(r);
    EXPECT_GT(model->power().tx_ma, model->power().rx_ma) << rat_name(r);
    EXPECT_GT(model->shadowing_sigma_db(), 0) << rat_name(r);
  }
}

TEST(Radio, SiteMaskTakesSitesDown) {
  const geo_point center{48.8566, 2.3522};
  cell_site near = default_site(rat::nb_iot);
  near.id = 1;
  near.position = center;
  cell_site far = near;
  far.id = 2;
  far.position = to_geo(center, {6000, 0});
  const auto model = make_radio_model(rat::nb_iot, environment_kind::urban, center, {near, far});
  const geo_point at = to_geo(center, {500, 0});
  EXPECT_EQ(model->best_link(at, 0, {}).cell_id, 1u);
  EXPECT_EQ(model->best_link(at, 0, {true, true}).cell_id, 1u);
  EXPECT_EQ(model->best_link(at, 0, {false, true}).cell_id, 2u);
  EXPECT_EQ(model->best_link(at, 0, {false}).cell_id, 2u);  // past the mask's end: up
  const link_budget none = model->best_link(at, 0, {false, false});
  EXPECT_EQ(none.cell_id, 0u);
  EXPECT_EQ(none.coverage, coverage_class::none);
}

TEST(Radio, SitesOfOtherRatsAreIgnored) {
  const geo_point center{48.8566, 2.3522};
  cell_site lte = default_site(rat::lte_m);
  lte.id = 1;
  lte.position = center;
  const auto model = make_radio_model(rat::gprs, environment_kind::urban, center, {lte});
  EXPECT_EQ(model->best_link(center, 0, {}).coverage, coverage_class::none);
}

}  // namespace
}  // namespace twelvefold::models
