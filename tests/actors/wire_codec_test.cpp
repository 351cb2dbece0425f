#include "twelvefold/actors/wire_codec.hpp"

#include <gtest/gtest.h>

#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {
namespace {

TEST(WireCodec, UplinkCarriesNotesWithAges) {
  uplink_fields f;
  f.serial = "S1";
  f.device_id = "D1";
  f.session_seq = 3;
  f.firmware = "env-sensor@1.0.0";
  std::vector<shim::outbound_note> notes(2);
  notes[0].seq = 7;
  notes[0].file = "sensors.qo";
  notes[0].body_json = R"({"temp":21.5})";
  notes[0].added_us = 1'000'000;
  notes[1].seq = 8;
  notes[1].file = "sensors.qo";
  notes[1].added_us = 61'000'000;
  const std::string bytes = encode_uplink(f, notes, 121'000'000);
  wire::v1::SessionUplink up;
  ASSERT_TRUE(up.ParseFromString(bytes));
  EXPECT_EQ(up.serial(), "S1");
  ASSERT_EQ(up.notes_size(), 2);
  EXPECT_EQ(up.notes(0).seq(), 7u);
  EXPECT_EQ(up.notes(0).age_s(), 120u);
  EXPECT_EQ(up.notes(1).age_s(), 60u);
  EXPECT_EQ(up.status().firmware(), "env-sensor@1.0.0");
}

TEST(WireCodec, DownlinkDecodesEnvAndAcks) {
  wire::v1::SessionDownlink down;
  down.set_utc_us(5);
  down.set_acked_through_seq(9);
  down.set_env_version(2);
  down.set_env_changed(true);
  auto* var = down.add_env();
  var->set_name("sample_mins");
  var->set_value("5");
  shim::sync_downlink out;
  std::uint64_t version = 0;
  ASSERT_TRUE(decode_downlink(down.SerializeAsString(), out, version));
  EXPECT_EQ(out.utc_us, 5);
  EXPECT_EQ(out.acked_through_seq, 9u);
  EXPECT_TRUE(out.env_changed);
  EXPECT_EQ(out.env.at("sample_mins"), "5");
  EXPECT_EQ(version, 2u);
}

TEST(WireCodec, GarbageDownlinkIsRejected) {
  shim::sync_downlink out;
  std::uint64_t version = 0;
  EXPECT_FALSE(decode_downlink(std::string("\xff\xff\xff\xff\x0f", 5), out, version));
}

}  // namespace
}  // namespace twelvefold::actors
