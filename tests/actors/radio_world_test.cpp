// The network's view of infrastructure over time: sunsets remove sites for good, outages take
// them down and bring them back, backhaul outages leave the radio up.
#include "twelvefold/actors/radio_world.hpp"

#include <gtest/gtest.h>

namespace twelvefold::actors {
namespace {

world two_rat_world() {
  world w;
  w.operators = {"alpha", "beta"};
  region_spec r;
  r.name = "r";
  r.center = {52.0, 4.0};
  r.radius_km = 5;
  auto add = [&](std::uint32_t id, models::rat t, std::uint16_t op) {
    models::cell_site c = models::default_site(t);
    c.id = id;
    c.technology = t;
    c.operator_id = op;
    c.position = {52.0, 4.0};
    r.cells.push_back(c);
  };
  add(1, models::rat::lte_m, 0);
  add(2, models::rat::umts, 0);
  add(3, models::rat::umts, 1);
  w.regions.push_back(r);
  return w;
}

network_event event(network_event::kind k, std::int32_t rat, std::int32_t op = -1) {
  network_event e;
  e.what = k;
  e.technology = rat;
  e.operator_id = op;
  return e;
}

TEST(RadioWorld, ModelsExistOnlyForRatsWithSites) {
  const world w = two_rat_world();
  radio_world radio(w);
  EXPECT_NE(radio.model(0, models::rat::lte_m), nullptr);
  EXPECT_NE(radio.model(0, models::rat::umts), nullptr);
  EXPECT_EQ(radio.model(0, models::rat::nb_iot), nullptr);
  EXPECT_EQ(radio.model(0, models::rat::ntn), nullptr);  // no constellation
  EXPECT_EQ(radio.sites_up(0, models::rat::umts), 2u);
}

TEST(RadioWorld, SunsetOfOneOperatorLeavesTheOther) {
  const world w = two_rat_world();
  radio_world radio(w);
  const auto epoch = radio.topology_epoch();
  EXPECT_EQ(radio.apply(event(network_event::kind::sunset,
                              static_cast<std::int32_t>(models::rat::umts), 0)),
            1u);
  EXPECT_GT(radio.topology_epoch(), epoch);
  EXPECT_EQ(radio.sites_up(0, models::rat::umts), 1u);
  EXPECT_EQ(radio.sites_up(0, models::rat::lte_m), 1u);
}

TEST(RadioWorld, OutageEndsButSunsetStays) {
  const world w = two_rat_world();
  radio_world radio(w);
  const auto umts = static_cast<std::int32_t>(models::rat::umts);
  radio.apply(event(network_event::kind::outage_begin, umts));
  EXPECT_EQ(radio.sites_up(0, models::rat::umts), 0u);
  radio.apply(event(network_event::kind::sunset, umts, 1));
  radio.apply(event(network_event::kind::outage_end, umts));
  EXPECT_EQ(radio.sites_up(0, models::rat::umts), 1u);  // operator 0 back, 1 sunset
}

TEST(RadioWorld, OverlappingOutagesNeedBothToEnd) {
  const world w = two_rat_world();
  radio_world radio(w);
  network_event a = event(network_event::kind::outage_begin, -1);
  radio.apply(a);
  radio.apply(a);
  a.what = network_event::kind::outage_end;
  radio.apply(a);
  EXPECT_EQ(radio.sites_up(0, models::rat::lte_m), 0u);
  radio.apply(a);
  EXPECT_EQ(radio.sites_up(0, models::rat::lte_m), 1u);
}

TEST(RadioWorld, BackhaulOutageKeepsTheRadioUp) {
  const world w = two_rat_world();
  radio_world radio(w);
  network_event e = event(network_event::kind::outage_begin, -1);
  e.cells = {1};
  e.backhaul_only = true;
  radio.apply(e);
  EXPECT_EQ(radio.sites_up(0, models::rat::lte_m), 1u);
  EXPECT_FALSE(radio.backhaul_up(0, models::rat::lte_m, 1));
  EXPECT_TRUE(radio.backhaul_up(0, models::rat::umts, 2));
}

}  // namespace
}  // namespace twelvefold::actors
