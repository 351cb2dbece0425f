// module: every request, well-formed and malformed — strict JSON, wrong types, missing fields,
// unknown names, oversize bodies, and a mutation fuzz — always a JSON answer, never a crash,
// never a lost Note, and request_errors counts exactly the err answers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {
namespace {

using nlohmann::json;

json ask(module& m, std::string_view request, std::int64_t now_us = 0) {
  const std::string response = m.request(request, now_us);
  return json::parse(response);  // every response, even an error, must be valid JSON
}

std::string error_of(module& m, std::string_view request) {
  const json response = ask(m, request);
  EXPECT_TRUE(response.contains("err")) << request << " -> " << response.dump();
  return response.value("err", "");
}

// One valid request of every kind the module answers.
const std::vector<std::string>& every_request() {
  static const std::vector<std::string> requests = {
      R"({"req":"hub.set","product":"com.x:y","sn":"d1","mode":"periodic","outbound":5})",
      R"({"req":"hub.get"})",
      R"({"req":"hub.sync"})",
      R"({"req":"hub.sync.status"})",
      R"({"req":"hub.status"})",
      R"({"req":"hub.log","text":"boot","alert":true})",
      R"({"req":"note.add","file":"a.qo","body":{"v":1}})",
      R"({"req":"note.add","file":"s.qos","body":{"v":2},"payload":"AQID"})",
      R"({"req":"note.add","file":"c.db","note":"k","body":{"on":true}})",
      R"({"req":"note.add","file":"l.dbx","note":"k","body":{"x":1}})",
      R"({"req":"note.update","file":"c.dbs","note":"k2","body":{"on":false}})",
      R"({"req":"note.get","file":"c.db","note":"k"})",
      R"({"req":"note.delete","file":"l.dbx","note":"k"})",
      R"({"req":"note.changes","file":"c.db","tracker":"t"})",
      R"({"req":"note.template","file":"t.qo","body":{"temp":14.1,"n":11,"ok":true,"s":"abcd"}})",
      R"({"req":"var.set","name":"mode","text":"eco"})",
      R"({"req":"var.get","name":"mode"})",
      R"({"req":"env.default","name":"rate","text":"5"})",
      R"({"req":"env.set","name":"rate","text":"6"})",
      R"({"req":"env.get","name":"rate"})",
      R"({"req":"card.time"})",
      R"({"req":"card.location"})",
      R"({"req":"card.location.mode","mode":"periodic","seconds":600})",
      R"({"req":"card.triangulate","mode":"wifi,cell","on":true,"set":true})",
      R"({"req":"web.get","route":"weather","name":"/now"})",
      R"({"req":"web.post","route":"ingest","body":{"v":1},"async":true})",
      R"({"req":"web.put","route":"ingest","name":"/x","payload":"AQID","async":true})",
      R"({"req":"web.delete","route":"ingest","name":"/x","async":true})",
      R"({"req":"dfu.status","version":"1.0.0"})",
      R"({"req":"dfu.get","length":0})",
      R"({"req":"card.dfu","name":"stm32","on":true})",
      R"({"req":"card.wireless","mode":"auto"})",
      R"({"req":"card.wireless.penalty"})",
      R"({"req":"card.transport","method":"wifi-cell"})",
      R"({"req":"card.voltage","mode":"lipo"})",
      R"({"req":"card.attn","mode":"arm,files,env","files":["data.qi"],"seconds":60})",
  };
  return requests;
}

TEST(ModuleMalformed, InvalidJsonIsAnIoError) {
  module m;
  const std::vector<std::string> invalid = {
      "",
      " ",
      "{",
      "}",
      "{\"req\":\"card.time\"",
      "{\"req\":\"card.time\"}}",
      "{\"req\":\"card.time\"} x",
      "{\"req\":\"card.time\",}",
      "{\"req\" \"card.time\"}",
      "{req:\"card.time\"}",
      "{'req':'card.time'}",
      "{\"req\":\"card.time\",\"x\":01}",
      "{\"req\":\"card.time\",\"x\":1.}",
      "{\"req\":\"card.time\",\"x\":.5}",
      "{\"req\":\"card.time\",\"x\":-}",
      "{\"req\":\"card.time\",\"x\":1e}",
      "{\"req\":\"card.time\",\"x\":NaN}",
      "{\"req\":\"card.time\",\"x\":Infinity}",
      "{\"req\":\"card.time\",\"x\":tru}",
      "{\"req\":\"card.time\",\"x\":nul}",
      "{\"req\":\"card.time\",\"x\":[1,2,]}",
      "{\"req\":\"card.time\",\"x\":\"tab\there\"}",
      "{\"req\":\"card.time\",\"x\":\"\\x\"}",
      "{\"req\":\"card.time\",\"x\":\"\\u12\"}",
      "{\"req\":\"card.time\",\"x\":\"\\ud800\"}",           // lone high surrogate
      "{\"req\":\"card.time\",\"x\":\"\\udc00\\ud800\"}",    // reversed pair
      "{\"req\":\"card.time\",\"x\":\"\xff\"}",              // not UTF-8
      "{\"req\":\"card.time\",\"x\":\"\xc0\xaf\"}",          // overlong
      "{\"req\":\"card.time\",\"x\":\"\xed\xa0\x80\"}",      // UTF-8 surrogate
      "{\"req\":\"card.time\",\"x\":\"\xf4\x90\x80\x80\"}",  // beyond U+10FFFF
      std::string("{\"req\":\"card.time\"}\0", 20),
  };
  for (const std::string& text : invalid) {
    EXPECT_NE(error_of(m, text).find("{io}"), std::string::npos) << text;
  }
  EXPECT_EQ(m.counters().requests, invalid.size());
  EXPECT_EQ(m.counters().request_errors, invalid.size());
}

TEST(ModuleMalformed, ValidJsonInEveryShapeIsAccepted) {
  module m;
  const std::vector<std::string> valid = {
      " \t\r\n{ \"req\" : \"card.time\" } \n",
      R"({"req":"card.time","x":[],"y":{},"z":[{"a":[null,true,false,-0,1.5e-3,2E+2]}]})",
      R"({"req":"card.time","x":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"})",
      "{\"req\":\"card.time\",\"x\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}",
      R"({"\u0072eq":"card.time"})",  // an escaped key is still "req"
  };
  for (const std::string& text : valid) {
    EXPECT_FALSE(ask(m, text).contains("err")) << text;
  }
  // 60 levels deep is fine; beyond the parser's depth cap it is an err, not a stack overflow.
  std::string deep =
      R"({"req":"card.time","x":)" + std::string(60, '[') + std::string(60, ']') + "}";
  EXPECT_FALSE(ask(m, deep).contains("err"));
  std::string deeper =
      R"({"req":"card.time","x":)" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_NE(error_of(m, deeper).find("{io}"), std::string::npos);
  module big(module_limits{.max_request_bytes = 1 << 20});
  std::string abyss(200'000, '[');
  EXPECT_NE(error_of(big, abyss).find("{io}"), std::string::npos);
}

TEST(ModuleMalformed, NoteBodiesAreStoredCompactInTheirOwnOrder) {
  module m;
  ask(m,
      "{ \"req\" : \"note.add\", \"body\" : { \"z\" : 1 , \"a\" : [ 1 , { \"k\" : \"v w\" } ] } }");
  ask(m, R"({"req":"note.add","body":{"b":2.50,"a":"\u00e9"}})");
  m.request(R"({"req":"hub.sync"})", 0);
  const auto notes = m.begin_sync(0);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].body_json, R"({"z":1,"a":[1,{"k":"v w"}]})");
  EXPECT_EQ(notes[1].body_json, R"({"b":2.50,"a":"\u00e9"})") << "compact input is kept as is";
  EXPECT_EQ(notes[0].encoded_size, notes[0].body_json.size());
}

TEST(ModuleMalformed, EveryRequestAnswersAndUnknownOnesAreNotSupported) {
  module m;
  for (const std::string& request : every_request()) {
    const json response = ask(m, request, 1'000'000);
    if (request.find("web.get") != std::string::npos) {
      EXPECT_NE(response.value("err", "").find("{web-pending}"), std::string::npos);
    } else if (request.find("dfu.get") != std::string::npos) {
      EXPECT_NE(response.value("err", "").find("{dfu-not-ready}"), std::string::npos);
    } else if (request.find("card.voltage") != std::string::npos) {
      EXPECT_NE(response.value("err", "").find("{voltage-unknown}"), std::string::npos);
    } else {
      EXPECT_FALSE(response.contains("err")) << request << " -> " << response.dump();
    }
  }
  for (const char* name : {"card.version", "note.add2", "", "NOTE.ADD", "hub", "web.patch"}) {
    EXPECT_EQ(error_of(m, R"({"req":")" + std::string(name) + "\"}"),
              "unknown request: " + std::string(name) + " {not-supported}");
  }
}

TEST(ModuleMalformed, WrongTypesAndMissingFieldsNameTheField) {
  struct bad {
    const char* request;
    const char* expected;  // a substring of the err
  };
  const std::vector<bad> cases = {
      {R"({"req":"hub.set","product":1})", "field 'product'"},
      {R"({"req":"hub.set","voutbound":"usb:x"})", "field 'voutbound'"},
      {R"({"req":"hub.set","sync":"yes"})", "field 'sync'"},
      {R"({"req":"hub.set","body":[]})", "field 'body'"},
      {R"({"req":"hub.sync","allow":1})", "field 'allow'"},
      {R"({"req":"hub.log"})", "field 'text'"},
      {R"({"req":"hub.log","text":5})", "field 'text'"},
      {R"({"req":"hub.log","text":"x","alert":"high"})", "field 'alert'"},
      {R"({"req":"note.add","file":"a.qo","body":[]})", "field 'body'"},
      {R"({"req":"note.add","file":"a.qo","sync":0})", "field 'sync'"},
      {R"({"req":"note.add","file":"a.qo","binary":true})", "{not-supported}"},
      {R"({"req":"note.add","file":"a.qo","payload":"%%%%"})", "field 'payload'"},
      {R"({"req":"note.add","file":"a.db","note":5})", "field 'note'"},
      {R"({"req":"note.get","file":"a.db"})", "field 'note'"},
      {R"({"req":"note.get","file":"a.qo"})", "{not-supported}"},
      {R"({"req":"note.get","file":"x.qi","note":"n"})", "field 'note'"},
      {R"({"req":"note.get","delete":"yes"})", "field 'delete'"},
      {R"({"req":"note.update","note":"k"})", "field 'file'"},
      {R"({"req":"note.update","file":"a.db"})", "field 'note'"},
      {R"({"req":"note.update","file":"a.qo","note":"k"})", "{not-supported}"},
      {R"({"req":"note.update","file":"a.db","note":"k","body":1})", "field 'body'"},
      {R"({"req":"note.delete","file":"a.db"})", "field 'note'"},
      {R"({"req":"note.delete","file":"a.db","note":"missing"})", "{note-noexist}"},
      {R"({"req":"note.changes"})", "field 'file'"},
      {R"({"req":"note.changes","file":"a.db","max":0})", "field 'max'"},
      {R"({"req":"note.changes","file":"a.qos"})", "{not-supported}"},
      {R"({"req":"note.template"})", "field 'file'"},
      {R"({"req":"note.template","file":"t.qo","body":{"x":[1]}})", "{template-incompatible}"},
      {R"({"req":"note.template","file":"t.qo","body":{"x":null}})", "{template-incompatible}"},
      {R"({"req":"note.template","file":"t.db","body":{"x":1}})", "{not-supported}"},
      {R"({"req":"note.template","file":"t.qo","format":"tiny","body":{"x":1}})", "field 'format'"},
      {R"({"req":"note.template","file":"t.qo","port":101,"body":{"x":1}})", "field 'port'"},
      {R"({"req":"note.template","file":"t.qo","length":-2,"body":{"x":1}})", "field 'length'"},
      {R"({"req":"var.set","name":"v"})", "'text', 'value' or 'flag'"},
      {R"({"req":"var.set","text":"x"})", "field 'name'"},
      {R"({"req":"var.set","name":"v","value":"1"})", "field 'value'"},
      {R"({"req":"var.get","name":"v","file":"x.qo"})", "{not-supported}"},
      {R"({"req":"env.get","time":"now"})", "field 'time'"},
      {R"({"req":"env.set","name":"a","text":[]})", "field 'text'"},
      {R"({"req":"card.location.mode","mode":"sometimes"})", "field 'mode'"},
      {R"({"req":"card.location.mode","mode":"fixed","lat":1})", "'lat' and 'lon'"},
      {R"({"req":"card.location.mode","lat":91,"lon":0})", "field 'lat'"},
      {R"({"req":"card.location.mode","seconds":-5})", "field 'seconds'"},
      {R"({"req":"card.triangulate","mode":"gps"})", "field 'mode'"},
      {R"({"req":"card.triangulate","text":7})", "field 'text'"},
      {R"({"req":"web.get"})", "field 'route'"},
      {R"({"req":"web.get","route":""})", "field 'route'"},
      {R"({"req":"web.post","route":"r","body":{},"payload":"AQID"})", "not both"},
      {R"({"req":"web.post","route":"r","seconds":0})", "field 'seconds'"},
      {R"({"req":"web.post","route":"r","file":"x.db"})", "field 'file'"},
      {R"({"req":"web.get","route":"r","async":"yes"})", "field 'async'"},
      {R"({"req":"dfu.status","name":"modem"})", "field 'name'"},
      {R"({"req":"dfu.status","version":3})", "field 'version'"},
      {R"({"req":"dfu.status","on":true,"off":true})", "'on' and 'off'"},
      {R"({"req":"dfu.get"})", "field 'length'"},
      {R"({"req":"dfu.get","length":-1})", "field 'length'"},
      {R"({"req":"dfu.get","length":100000})", "field 'length'"},
      {R"({"req":"dfu.get","length":10})", "{dfu-not-ready}"},
      {R"({"req":"card.dfu","name":"avr"})", "field 'name'"},
      {R"({"req":"card.wireless","mode":"5g"})", "field 'mode'"},
      {R"({"req":"card.wireless.penalty","rate":0.5})", "field 'rate'"},
      {R"({"req":"card.wireless.penalty","min":-1})", "field 'min'"},
      {R"({"req":"card.transport","method":"carrier-pigeon"})", "field 'method'"},
      {R"({"req":"card.voltage","mode":"nuclear"})", "field 'mode'"},
      {R"({"req":"card.attn","mode":"arm,teleport"})", "unknown keyword 'teleport'"},
      {R"({"req":"card.attn","mode":"arm,files"})", "'files' list"},
      {R"({"req":"card.attn","mode":"arm,files","files":[1]})", "field 'files'"},
      {R"({"req":"card.attn","mode":"watchdog","seconds":10})", "field 'seconds'"},
      {R"({"req":"card.attn","mode":"sleep"})", "field 'seconds'"},
      {R"({"req":"card.attn","payload":"!"})", "field 'payload'"},
  };
  module m;
  for (const bad& b : cases) {
    EXPECT_NE(error_of(m, b.request).find(b.expected), std::string::npos)
        << b.request << " -> " << error_of(m, b.request);
  }
  EXPECT_EQ(m.counters().notes_added, 0u) << "no err had an effect";
  EXPECT_EQ(m.notes_pending(), 0u);
  EXPECT_FALSE(m.sync_wanted(0));
  EXPECT_EQ(m.product(), "");
}

// Mutations of valid requests: flipped, dropped, inserted and duplicated bytes, truncations.
// Whatever comes in, the answer parses, the counters agree with the answers, and every Note
// that went in is accounted for.
TEST(ModuleMalformed, MutationFuzzNeverCrashesOrLosesCount) {
  std::mt19937_64 rng(20240611);
  module m;
  std::uint64_t errs = 0;
  std::uint64_t failed_commands = 0;
  const auto& base = every_request();
  for (int i = 0; i < 30'000; ++i) {
    std::string text = base[rng() % base.size()];
    if (rng() % 4 == 0) {
      const auto at = text.find("\"req\"");
      text.replace(at, 5, "\"cmd\"");
    }
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 5) {
        case 0:
          text[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          text.erase(at, 1);
          break;
        case 2:
          text.insert(at, 1, "{}[]\",:0aeu\\"[rng() % 12]);
          break;
        case 3:
          text.insert(at, text.substr(at, rng() % 8));
          break;
        case 4:
          text.resize(at);
          break;
      }
    }
    const std::int64_t now = i * 1'000'000LL;
    const std::uint64_t errors_before = m.counters().request_errors;
    const std::string answer = m.request(text, now);
    const json response = json::parse(answer, nullptr, false);
    ASSERT_FALSE(response.is_discarded()) << text << " -> " << answer;
    ASSERT_TRUE(response.is_object());
    if (response.contains("err")) {
      ++errs;
      EXPECT_EQ(m.counters().request_errors, errors_before + 1) << text;
    }
    // A cmd answers "{}" even when it failed; its failure is still counted.
    if (answer == "{}" && m.counters().request_errors != errors_before) ++failed_commands;
    if (i % 97 == 0 && m.sync_wanted(now)) {
      const auto up = m.begin_session(now);
      sync_downlink down;
      down.utc_us = 1'700'000'000'000'000 + now;
      down.acked_through_seq = up.notes.empty() ? 0 : up.notes.back().seq;
      m.end_sync(now, &down);
    }
    const auto& c = m.counters();
    ASSERT_EQ(c.notes_added,
              c.notes_delivered + m.notes_pending() + m.notes_in_session() + c.notes_dropped);
  }
  EXPECT_EQ(m.counters().requests, 30'000u);
  EXPECT_EQ(m.counters().request_errors, errs + failed_commands);
  EXPECT_GT(m.counters().notes_added, 0u);
}

}  // namespace
}  // namespace twelvefold::shim
