#include "twelvefold/actors/world.hpp"

#include <gtest/gtest.h>

#include <set>

namespace twelvefold::actors {
namespace {

TEST(World, SerialsAndDeviceIdsAreStableAndDistinct) {
  world w;
  w.seed = 3;
  w.fleets.push_back({"a", "ENV-", 0, 0, {}});
  for (std::uint32_t i = 0; i < 1000; ++i) w.twins.push_back({0, i, {}, 0, 0});
  EXPECT_EQ(w.serial_of(0), "ENV-0000001");
  EXPECT_EQ(w.serial_of(999), "ENV-0001000");
  std::set<std::string> ids;
  for (twin_index t = 0; t < 1000; ++t) {
    const std::string id = w.device_id_of(t);
    EXPECT_EQ(id.size(), 15u);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(w.device_id_of(5), w.device_id_of(5));
}

}  // namespace
}  // namespace twelvefold::actors
