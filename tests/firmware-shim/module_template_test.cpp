// module: note.template — type hints, the binary records templated Notes become, and how many
// bytes that saves on the air (measured against the same Note as JSON).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {
namespace {

using nlohmann::json;

json ask(module& m, std::string_view request, std::int64_t now_us = 0) {
  return json::parse(m.request(request, now_us));
}

std::vector<outbound_note> take_notes(module& m) {
  m.request(R"({"req":"hub.sync"})", 0);
  auto up = m.begin_session(0);
  sync_downlink down;
  down.utc_us = 1'700'000'000'000'000;
  down.acked_through_seq = up.notes.empty() ? 0 : up.notes.back().seq;
  m.end_sync(0, &down);
  return up.notes;
}

TEST(ModuleTemplate, TypeHintsSetTheRecordLayout) {
  module m;
  const json set = ask(m, R"({"req":"note.template","file":"t.qo","format":"compact","body":{)"
                          R"("b":true,"i1":11,"i2":12,"i3":13,"i4":14,"i8":18,)"
                          R"("u1":21,"u2":22,"u3":23,"u4":24,"u8":28,)"
                          R"("f2":12.1,"f4":14.1,"f8":18.1,"s":"abcdef","odd":7,"frac":3.5}})");
  // 1 + (1+2+3+4+8) + (1+2+3+4+8) + (2+4+8) + 6 + 4 (lenient int32) + 4 (lenient float32)
  EXPECT_EQ(set, json::parse(R"({"bytes":65})"));
  const json verify = ask(m, R"({"req":"note.template","file":"t.qo","verify":true})");
  EXPECT_EQ(verify["template"], true);
  EXPECT_EQ(verify["format"], "compact");
  EXPECT_EQ(verify["bytes"], 65);
  EXPECT_EQ(verify["body"]["f4"], 14.1);
  // Metadata costs 16 bytes unless compact; a payload length adds its 2-byte length prefix.
  EXPECT_EQ(ask(m, R"({"req":"note.template","file":"u.qo","body":{"v":14}})")["bytes"], 20);
  EXPECT_EQ(ask(m, R"({"req":"note.template","file":"p.qo","length":10,"format":"compact",)"
                   R"("body":{"v":11}})")["bytes"],
            13);
}

TEST(ModuleTemplate, TemplatedNotesEncodeRoundTripAndShrink) {
  module m;
  const std::string body = R"({"temperature":21.5,"humidity":45,"pump_on":true,"state":"idle"})";
  m.request(R"({"req":"note.add","file":"plain.qo","body":)" + body + "}", 0);
  ASSERT_FALSE(
      ask(m, R"({"req":"note.template","file":"readings.qo","format":"compact",)"
             R"("body":{"temperature":14.1,"humidity":11,"pump_on":true,"state":"xxxxxxxx"}})")
          .contains("err"));
  const json added = ask(m, R"({"req":"note.add","file":"readings.qo","body":)" + body + "}");
  EXPECT_EQ(added, json::parse(R"({"total":1,"template":true})"));

  const auto notes = take_notes(m);
  ASSERT_EQ(notes.size(), 2u);
  const outbound_note& plain = notes[0];
  const outbound_note& packed = notes[1];
  EXPECT_TRUE(plain.templated.empty());
  EXPECT_EQ(plain.encoded_size, body.size());
  ASSERT_FALSE(packed.templated.empty());
  EXPECT_TRUE(packed.compact);
  EXPECT_EQ(packed.encoded_size, packed.templated.size());
  EXPECT_EQ(packed.templated.size(), 4u + 1u + 1u + 8u);  // f32 + i8 + bool + 8-byte string
  // The measured saving: 65 bytes of JSON become 14 bytes on the air.
  std::printf(
      "[ measured ] JSON body %zu bytes, compact templated record %zu bytes (%.0f%%)\n",
      body.size(), packed.templated.size(),
      100.0 * static_cast<double>(packed.templated.size()) / static_cast<double>(body.size()));
  EXPECT_LT(packed.encoded_size * 4, plain.encoded_size);
  // The body the cloud sees is exactly what the record decodes to.
  EXPECT_EQ(json::parse(packed.body_json), json::parse(body));

  note_template t;
  t.file = "readings.qo";
  t.compact = true;
  t.fields = {{"temperature", template_type::float32, 4},
              {"humidity", template_type::int8, 1},
              {"pump_on", template_type::boolean, 1},
              {"state", template_type::string, 8}};
  const auto decoded = decode_template_record(t, packed.templated);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(decoded->body_json,
            R"({"temperature":21.5,"humidity":45,"pump_on":true,"state":"idle"})");
  EXPECT_FALSE(decode_template_record(t, std::span(packed.templated).first(5)).has_value());
}

TEST(ModuleTemplate, TheTemplateGoesUpOnceAndNotesCarryTheirMetadata) {
  module m;
  // Time and place known: the default (non-compact) record carries them.
  m.request(R"({"req":"hub.sync"})", 0);
  m.begin_session(0);
  sync_downlink down;
  down.utc_us = 1'700'000'000'000'000;
  down.location =
      location_fix{.lat_deg = 47.5, .lon_deg = 8.25, .at_us = 0, .source = location_source::tower};
  m.end_sync(0, &down);
  ask(m, R"({"req":"note.template","file":"t.qo","body":{"v":12.1,"s":"ab"}})");
  ask(m, R"({"req":"note.template","file":"t.qo","body":{"v":12.1,"s":"ab"}})");  // at boot again
  ask(m, R"({"req":"note.add","file":"t.qo","body":{"v":1.5,"s":"abcdef"}})", 10'000'000);
  m.request(R"({"req":"hub.sync"})", 10'000'000);
  const auto up = m.begin_session(10'000'000);
  ASSERT_EQ(up.templates.size(), 1u);
  EXPECT_EQ(up.templates[0].file, "t.qo");
  EXPECT_EQ(up.templates[0].body_json, R"({"v":12.1,"s":"ab"})");
  ASSERT_EQ(up.notes.size(), 1u);
  EXPECT_EQ(up.notes[0].body_json, R"({"v":1.5,"s":"ab"})") << "strings are cut to the hint's size";
  const auto decoded = decode_template_record(up.templates[0], up.notes[0].templated);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->utc_s, 1'700'000'010);
  EXPECT_FLOAT_EQ(static_cast<float>(decoded->lat), 47.5f);
  EXPECT_FLOAT_EQ(static_cast<float>(decoded->lon), 8.25f);
  EXPECT_EQ(decoded->location_utc_s, 1'700'000'000);
  down.location.reset();
  m.end_sync(10'000'000, &down);
  m.request(R"({"req":"hub.sync"})", 20'000'000);
  EXPECT_TRUE(m.begin_session(20'000'000).templates.empty()) << "acknowledged templates stay down";
}

TEST(ModuleTemplate, CompactKeywordsAndPayloads) {
  module m;
  ask(m, R"({"req":"note.template","file":"k.qo","format":"compact","port":7,"length":4,)"
         R"("body":{"_time":14,"v":22}})");
  ask(m, R"({"req":"note.add","file":"k.qo","body":{"v":500},"payload":"AQID"})");
  auto notes = take_notes(m);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].port, 7);
  EXPECT_EQ(notes[0].templated.size(), 4u + 2u + 2u + 4u);
  EXPECT_EQ(notes[0].body_json, R"({"_time":0,"v":500})") << "time unknown when added";
  note_template t;
  t.file = "k.qo";
  t.fields = {{"_time", template_type::int32, 4}, {"v", template_type::uint16, 2}};
  t.compact = true;
  t.payload_length = 4;
  const auto decoded = decode_template_record(t, notes[0].templated);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->payload, (std::vector<std::uint8_t>{1, 2, 3}));
  // Now time is known: _time is filled in.
  ask(m, R"({"req":"note.add","file":"k.qo","body":{"v":1}})", 5'000'000);
  notes = take_notes(m);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(json::parse(notes[0].body_json)["_time"], 1'700'000'005);
  EXPECT_NE(ask(m, R"({"req":"note.add","file":"k.qo","payload":"AQIDBAU="})")["err"]
                .get<std::string>()
                .find("{template-incompatible}"),
            std::string::npos)
      << "5 bytes do not fit a 4-byte payload";
}

TEST(ModuleTemplate, IncompatibleNotesAreRefusedNotTruncated) {
  module m;
  ask(m,
      R"({"req":"note.template","file":"t.qo","body":{"n":11,"u":21,"b":true,"f":12.1,"s":"x"}})");
  const auto err = [&](std::string_view body) {
    const json r = ask(m, R"({"req":"note.add","file":"t.qo","body":)" + std::string(body) + "}");
    EXPECT_TRUE(r.contains("err")) << body;
    return r.value("err", "");
  };
  EXPECT_NE(err(R"({"n":128})").find("out of the integer's range"), std::string::npos);
  EXPECT_NE(err(R"({"n":-129})").find("out of the integer's range"), std::string::npos);
  EXPECT_NE(err(R"({"u":-1})").find("out of the integer's range"), std::string::npos);
  EXPECT_NE(err(R"({"n":1.5})").find("expected an integer"), std::string::npos);
  EXPECT_NE(err(R"({"b":1})").find("expected a boolean"), std::string::npos);
  EXPECT_NE(err(R"({"f":"1"})").find("expected a number"), std::string::npos);
  EXPECT_NE(err(R"({"f":70000})").find("out of the float's range"), std::string::npos);
  EXPECT_NE(err(R"({"s":5})").find("expected a string"), std::string::npos);
  EXPECT_NE(err(R"({"extra":1})").find("not in the template"), std::string::npos);
  EXPECT_EQ(m.counters().notes_added, 0u);
  // Limits are inclusive, and absent fields are zero.
  EXPECT_FALSE(
      ask(m, R"({"req":"note.add","file":"t.qo","body":{"n":-128,"u":255}})").contains("err"));
  EXPECT_FALSE(ask(m, R"({"req":"note.add","file":"t.qo"})").contains("err"));
  const auto notes = take_notes(m);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].body_json, R"({"n":-128,"u":255,"b":false,"f":0,"s":""})");
  // A payload larger than untemplated Notes allow is fine with a template.
  const std::string big(400, 'A');
  EXPECT_TRUE(
      ask(m, R"({"req":"note.add","file":"plain.qo","payload":")" + big + "\"}").contains("err"));
  EXPECT_FALSE(
      ask(m, R"({"req":"note.add","file":"t.qo","payload":")" + big + "\"}").contains("err"));
}

TEST(ModuleTemplate, DeletingTheTemplateGoesBackToJson) {
  module m;
  ask(m, R"({"req":"note.template","file":"t.qo","body":{"n":11}})");
  EXPECT_EQ(ask(m, R"({"req":"note.template","file":"t.qo"})"), json::object());
  EXPECT_EQ(ask(m, R"({"req":"note.template","file":"t.qo","verify":true})"), json::object());
  EXPECT_EQ(ask(m, R"({"req":"note.add","file":"t.qo","body":{"x":"anything"}})"),
            json::parse(R"({"total":1})"));
}

}  // namespace
}  // namespace twelvefold::shim
