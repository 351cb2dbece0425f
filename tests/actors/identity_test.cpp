// Identity (factor 11): serials, bindings to hardware and transport ids, and re-binding when
// hardware is replaced (the twin's history and session counter continue).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>

#include "cloud/auth.hpp"
#include "cloud/identity.hpp"
#include "secure_element.hpp"
#include "twelvefold/scenario/v1/scenario.pb.h"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {
namespace {

constexpr std::int64_t hour_us = 3600LL * 1'000'000;

// Two fleets: cellular meters (LTE-M) and LoRaWAN + Wi-Fi trackers.
std::shared_ptr<world> two_fleets(std::uint32_t meters = 50, std::uint32_t trackers = 30) {
  auto w = std::make_shared<world>();
  w->seed = 11;
  w->device_models.resize(2);
  w->device_models[0].rats = {models::rat::lte_m};
  w->device_models[1].rats = {models::rat::lorawan, models::rat::wifi};
  w->fleets.push_back({"meters", "MTR-", 0, 0, {}});
  w->fleets.push_back({"trackers", "TRK-", 1, 0, {}});
  for (std::uint32_t i = 0; i < meters; ++i) w->twins.push_back({0, i, {}, 0, 0});
  for (std::uint32_t i = 0; i < trackers; ++i) w->twins.push_back({1, i, {}, 0, 0});
  return w;
}

void add_replacement(world& w, const std::string& serial, std::int64_t at_us) {
  scenario::v1::TimelineEvent e;
  e.mutable_hardware_replacement()->set_serial(serial);
  w.cloud_timeline.push_back(
      {at_us, static_cast<std::uint32_t>(w.cloud_timeline.size()), e.SerializeAsString()});
}

bool luhn_ok(const std::string& digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

TEST(Identity, EverySerialFindsItsTwinAndNothingElseDoes) {
  const auto w = two_fleets();
  for (twin_index t = 0; t < w->twins.size(); ++t) {
    EXPECT_EQ(twin_of_serial(*w, w->serial_of(t)), t) << w->serial_of(t);
  }
  for (const char* bad : {"MTR-0000000", "MTR-0000051", "TRK-0000031", "MTR-000001", "MTR-00000001",
                          "XYZ-0000001", "MTR-00000x1", ""}) {
    EXPECT_FALSE(twin_of_serial(*w, bad)) << bad;
  }
}

TEST(Identity, DeviceIdsAreDistinctAcrossTwinsAndGenerations) {
  const auto w = two_fleets();
  std::set<std::string> ids;
  for (twin_index t = 0; t < w->twins.size(); ++t) {
    EXPECT_EQ(device_id_for(*w, t, 0), w->device_id_of(t));
    for (std::uint32_t g = 0; g < 4; ++g) {
      const std::string id = device_id_for(*w, t, g);
      EXPECT_EQ(id.size(), 15u);
      ids.insert(id);
    }
  }
  EXPECT_EQ(ids.size(), w->twins.size() * 4);
}

TEST(Identity, TransportIdsFollowTheModelsRadios) {
  const auto w = two_fleets();
  const binding_row meter = binding_for(*w, 3, 0, 0, -1);
  EXPECT_EQ(meter.serial, "MTR-0000004");
  EXPECT_EQ(meter.imsi.size(), 15u);
  EXPECT_TRUE(meter.imsi.starts_with("00101"));
  EXPECT_EQ(meter.iccid.size(), 19u);
  EXPECT_TRUE(meter.iccid.starts_with("89"));
  EXPECT_TRUE(luhn_ok(meter.iccid)) << meter.iccid;
  EXPECT_TRUE(meter.dev_eui.empty());
  EXPECT_TRUE(meter.mac.empty());
  const binding_row tracker = binding_for(*w, 55, 0, 0, -1);
  EXPECT_TRUE(tracker.imsi.empty());
  EXPECT_EQ(tracker.dev_eui.size(), 16u);
  EXPECT_TRUE(std::all_of(tracker.dev_eui.begin(), tracker.dev_eui.end(),
                          [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }));
  EXPECT_EQ(tracker.mac.size(), 17u);
  EXPECT_TRUE(tracker.mac.starts_with("02:"));
  // A replacement changes every hardware id; the same generation always gives the same ids.
  const binding_row replaced = binding_for(*w, 3, 1, hour_us, -1);
  EXPECT_NE(replaced.device_id, meter.device_id);
  EXPECT_NE(replaced.imsi, meter.imsi);
  EXPECT_NE(replaced.iccid, meter.iccid);
  EXPECT_EQ(binding_for(*w, 3, 1, 0, -1).imsi, replaced.imsi);
}

TEST(Identity, ReplacementScheduleCountsGenerations) {
  auto w = two_fleets();
  add_replacement(*w, "MTR-0000002", 5 * hour_us);
  add_replacement(*w, "MTR-0000002", 9 * hour_us);
  add_replacement(*w, "TRK-0000001", 2 * hour_us);
  add_replacement(*w, "MTR-0009999", 2 * hour_us);  // not in this (scaled) world: skipped
  const replacement_schedule schedule(*w);
  EXPECT_EQ(schedule.all().size(), 3u);
  EXPECT_EQ(schedule.generation_at(1, 0), 0u);
  EXPECT_EQ(schedule.generation_at(1, 5 * hour_us - 1), 0u);
  EXPECT_EQ(schedule.generation_at(1, 5 * hour_us), 1u);
  EXPECT_EQ(schedule.generation_at(1, 10 * hour_us), 2u);
  EXPECT_EQ(schedule.generation_at(50, 3 * hour_us), 1u);
  EXPECT_EQ(schedule.generation_at(0, 10 * hour_us), 0u);
  EXPECT_EQ(schedule.bound_from_us(1, 2), 9 * hour_us);
  EXPECT_EQ(schedule.bound_from_us(1, 3), -1);
}

// The device side of one twin, across a hardware replacement.
struct unit {
  const world& w;
  secure_element_bank& bank;
  twin_index twin;
  se_slot slot;
  std::uint64_t seq = 0;

  std::string uplink(std::int64_t at_us, std::uint32_t generation) {
    ++seq;
    wire::v1::SessionUplink up;
    up.set_serial(w.serial_of(twin));
    up.set_device_id(device_id_for(w, twin, generation));
    up.set_session_seq(seq);
    up.mutable_status()->set_rat("lte-m");
    std::string bytes = up.SerializeAsString();
    se_session s;
    s.serial = up.serial();
    s.device_id = up.device_id();
    s.session_seq = seq;
    s.at_us = at_us;
    s.generation = generation;
    s.rat = static_cast<std::uint8_t>(models::rat::lte_m);
    s.rat_name = "lte-m";
    bank.seal_uplink(slot, s, bytes);
    return bytes;
  }
};

auth_reject check(auth_service& cloud, twin_index twin, std::int64_t at_us,
                  const std::string& bytes) {
  wire::v1::SessionUplink up;
  EXPECT_TRUE(up.ParseFromString(bytes));
  auth_grant grant;
  return cloud.verify(twin, at_us, bytes, up, grant);
}

TEST(Identity, HardwareReplacementRebindsTheSerialAndHistoryContinues) {
  auto w = two_fleets();
  add_replacement(*w, "MTR-0000002", 5 * hour_us);
  auth_service cloud(w);
  secure_element_bank bank(w->seed);
  unit old_unit{*w, bank, 1, {}};
  ASSERT_EQ(check(cloud, 1, hour_us, old_unit.uplink(hour_us, 0)), auth_reject::none);
  ASSERT_EQ(check(cloud, 1, 2 * hour_us, old_unit.uplink(2 * hour_us, 0)), auth_reject::none);
  auto first = cloud.take_bindings();
  ASSERT_EQ(first.size(), 1u);  // bound at first sight
  EXPECT_EQ(first[0].generation, 0u);
  EXPECT_EQ(first[0].bound_until_us, -1);

  cloud.replace_hardware(1, 5 * hour_us);
  EXPECT_EQ(cloud.generation(1), 1u);
  auto rebind = cloud.take_bindings();
  ASSERT_EQ(rebind.size(), 2u);
  EXPECT_EQ(rebind[0].generation, 0u);
  EXPECT_EQ(rebind[0].bound_until_us, 5 * hour_us);
  EXPECT_EQ(rebind[1].generation, 1u);
  EXPECT_EQ(rebind[1].bound_from_us, 5 * hour_us);
  EXPECT_EQ(rebind[1].device_id, device_id_for(*w, 1, 1));

  // The retired unit (old key, old device id) is now an unknown device.
  EXPECT_EQ(check(cloud, 1, 6 * hour_us, old_unit.uplink(6 * hour_us, 0)), auth_reject::spoofed);
  // The new unit continues the serial's session counter with its own key.
  unit new_unit{*w, bank, 1, {}};
  new_unit.seq = old_unit.seq;
  EXPECT_EQ(check(cloud, 1, 6 * hour_us, new_unit.uplink(6 * hour_us, 1)), auth_reject::none);
  EXPECT_EQ(cloud.last_counter(1), new_unit.seq);
  // A counter from before the replacement is still a fork.
  new_unit.seq = 1;
  EXPECT_EQ(check(cloud, 1, 7 * hour_us, new_unit.uplink(7 * hour_us, 1)), auth_reject::cloned);
  EXPECT_EQ(cloud.final_totals().hardware_replacements, 1u);
}

}  // namespace
}  // namespace twelvefold::actors
