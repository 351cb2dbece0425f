#include "twelvefold/actors/wire_codec.hpp"

#include <gtest/gtest.h>

#include <cstdio>

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
  shim::sync_uplink session;
  session.notes = notes;
  const std::string bytes = encode_uplink(f, session, 121'000'000);
  wire::v1::SessionUplink up;
  ASSERT_TRUE(up.ParseFromString(bytes));
  EXPECT_EQ(up.serial(), "S1");
  ASSERT_EQ(up.notes_size(), 2);
  EXPECT_EQ(up.notes(0).seq(), 7u);
  EXPECT_EQ(up.notes(0).age_s(), 120u);
  EXPECT_EQ(up.notes(1).age_s(), 60u);
  EXPECT_EQ(up.status().firmware(), "env-sensor@1.0.0");
}

// Bytes on the air of one session carrying `count` readings, with or without a template.
std::size_t uplink_bytes(bool templated, int count) {
  shim::module m;
  m.request(R"({"req":"hub.set","product":"p","sn":"s"})", 0);
  if (templated) {
    const auto r = m.request(R"({"req":"note.template","file":"readings.qo","format":"compact",)"
                             R"("body":{"temp":14.1,"humidity":12.1,"count":14}})",
                             0);
    EXPECT_EQ(r.find("err"), std::string::npos) << r;
  }
  for (int i = 0; i < count; ++i) {
    const auto r = m.request(
        R"({"req":"note.add","file":"readings.qo","body":{"temp":21.5,"humidity":40.25,"count":)" +
            std::to_string(i) + "}}",
        i * 1'000'000LL);
    EXPECT_EQ(r.find("err"), std::string::npos) << r;
  }
  uplink_fields f;
  f.serial = "S";
  const shim::sync_uplink session = m.begin_session(100'000'000);
  EXPECT_EQ(session.notes.size(), static_cast<std::size_t>(count));
  return encode_uplink(f, session, 100'000'000).size();
}

TEST(WireCodec, TemplatedNotesShrinkTheBytesOnTheAir) {
  const std::size_t json = uplink_bytes(false, 20);
  const std::size_t compact = uplink_bytes(true, 20);
  // 20 readings of about 44 bytes of JSON each against 10-byte records (plus the template, the
  // per-Note sequence number and stamps).
  EXPECT_LT(static_cast<double>(compact), 0.5 * static_cast<double>(json))
      << "json " << json << " templated " << compact;
  std::printf("20 readings on the air: %zu bytes as JSON, %zu templated\n", json, compact);
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
