// module::request: request plumbing, hub.*, note.add, card.time and every malformed input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

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

// request_errors by tag (summary.json): tallied per thread, not per module, so that a module's
// memory does not grow; every module used on the thread adds to the tally while it is set.
TEST(ModuleRequest, ErrorsAreTalliedByTagOnTheThreadsTally) {
  module a;
  module b;
  ask(a, R"({"req":"no.such"})");  // before any tally: counted by the module only
  module::error_tally tally;
  module::error_tally* const previous = module::tally_errors_on_this_thread(&tally);
  EXPECT_EQ(previous, nullptr);
  const std::string poll = R"({"req":"web.get","route":"weather","name":"/now"})";
  ask(a, poll);  // queued: {web-pending} until a session brings the answer
  ask(a, poll);
  ask(b, poll);
  ask(b, R"({"req":"no.such"})");
  ask(b, R"({"cmd":"no.such"})");  // a failed cmd is silent but counted
  ask(b, "{");
  ask(b, R"({"id":1})");             // no req: an error without a tag
  ask(b, R"({"req":"card.time"})");  // no error
  EXPECT_EQ(module::tally_errors_on_this_thread(previous), &tally);
  ask(b, R"({"req":"no.such"})");  // tally unset again
  EXPECT_EQ(tally, (module::error_tally{
                       {"web-pending", 3}, {"not-supported", 2}, {"io", 1}, {"untagged", 1}}));
  EXPECT_EQ(a.counters().request_errors, 3u);
  EXPECT_EQ(b.counters().request_errors, 6u);
  EXPECT_EQ(module::error_tag("web.get: waiting for the response {web-pending}"), "web-pending");
  EXPECT_EQ(module::error_tag("two {a} tags {b}"), "b");
  EXPECT_EQ(module::error_tag("none"), "untagged");
  EXPECT_EQ(module::error_tag("empty {}"), "untagged");
}

TEST(ModuleRequest, MalformedRequestsGetAnErrNeverACrash) {
  module m;
  EXPECT_NE(error_of(m, "{").find("{io}"), std::string::npos);
  EXPECT_NE(error_of(m, "not json").find("{io}"), std::string::npos);
  EXPECT_NE(error_of(m, "").find("{io}"), std::string::npos);
  EXPECT_NE(error_of(m, R"({"req":"card.time"} trailing)").find("{io}"), std::string::npos);
  EXPECT_NE(error_of(m, "[1,2]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of(m, "\"card.time\"").find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of(m, R"({"file":"data.qo"})").find("\"req\""), std::string::npos);
  EXPECT_NE(error_of(m, R"({"req":null})").find("\"req\""), std::string::npos);
  EXPECT_EQ(error_of(m, R"({"req":5})"), "field 'req': expected a string");
  EXPECT_EQ(error_of(m, R"({"cmd":["hub.sync"]})"), "field 'cmd': expected a string");
  // Invalid UTF-8 is malformed JSON too.
  EXPECT_NE(error_of(m, "{\"req\":\"card.time\",\"x\":\"\xff\"}").find("{io}"), std::string::npos);
  EXPECT_EQ(m.counters().requests, 11u);
  EXPECT_EQ(m.counters().request_errors, 11u);
}

TEST(ModuleRequest, UnknownRequestIsNotSupported) {
  module m;
  EXPECT_EQ(m.request(R"({"req":"card.version"})", 0),
            R"({"err":"unknown request: card.version {not-supported}"})");
}

TEST(ModuleRequest, OversizeRequestIsAnIoErrorAndHasNoEffect) {
  module m(module_limits{.max_request_bytes = 64});
  const std::string big = R"({"req":"note.add","body":{"pad":")" + std::string(100, 'x') + R"("}})";
  const std::string err = error_of(m, big);
  EXPECT_NE(err.find("{io}"), std::string::npos);
  EXPECT_EQ(m.counters().notes_added, 0u);
  EXPECT_EQ(m.notes_pending(), 0u);
  // Exactly at the limit is fine.
  std::string fits = R"({"req":"card.time","pad":")";
  fits += std::string(64 - fits.size() - 2, 'y') + "\"}";
  ASSERT_EQ(fits.size(), 64u);
  EXPECT_FALSE(ask(m, fits).contains("err"));
}

TEST(ModuleRequest, CommandsAnswerEmptyAndStillAct) {
  module m;
  EXPECT_EQ(m.request(R"({"cmd":"hub.sync"})", 0), "{}");
  EXPECT_TRUE(m.sync_wanted(0));
  EXPECT_EQ(m.request(R"({"cmd":"note.add","body":{"a":1}})", 0), "{}");
  EXPECT_EQ(m.notes_pending(), 1u);
  // A failing cmd gets no answer but is counted.
  EXPECT_EQ(m.request(R"({"cmd":"no.such"})", 0), "{}");
  EXPECT_EQ(m.request(R"({"cmd":"note.add","body":5})", 0), "{}");
  EXPECT_EQ(m.counters().request_errors, 2u);
  EXPECT_EQ(m.notes_pending(), 1u);
}

TEST(ModuleRequest, IdIsEchoedOnSuccessAndError) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"hub.sync","id":7})"), json::parse(R"({"id":7})"));
  const json err = ask(m, R"({"req":"nope","id":"abc"})");
  EXPECT_EQ(err["id"], "abc");
  EXPECT_TRUE(err.contains("err"));
  EXPECT_EQ(ask(m, R"({"req":"card.time","id":{"k":[1]}})")["id"], json::parse(R"({"k":[1]})"));
}

TEST(ModuleRequest, HubSetAppliesEveryField) {
  module m;
  EXPECT_EQ(m.request(R"({"req":"hub.set","product":"com.x:y","sn":"dev-1","mode":"minimum",)"
                      R"("outbound":5,"inbound":120})",
                      0),
            "{}");
  EXPECT_EQ(m.product(), "com.x:y");
  EXPECT_EQ(m.serial(), "dev-1");
  EXPECT_EQ(m.mode(), hub_mode::minimum);
  for (const auto& [text, mode] :
       {std::pair{"periodic", hub_mode::periodic}, std::pair{"continuous", hub_mode::continuous},
        std::pair{"off", hub_mode::off}, std::pair{"dfu", hub_mode::dfu}}) {
    EXPECT_EQ(ask(m, R"({"req":"hub.set","mode":")" + std::string(text) + "\"}"), json::object());
    EXPECT_EQ(m.mode(), mode);
  }
  EXPECT_EQ(m.counters().request_errors, 0u);
}

TEST(ModuleRequest, HubSetRejectsWrongTypesWithoutPartialEffect) {
  module m;
  EXPECT_EQ(error_of(m, R"({"req":"hub.set","product":5})"), "field 'product': expected a string");
  EXPECT_EQ(error_of(m, R"({"req":"hub.set","sn":true})"), "field 'sn': expected a string");
  EXPECT_EQ(error_of(m, R"({"req":"hub.set","outbound":"60"})"),
            "field 'outbound': expected an integer");
  EXPECT_EQ(error_of(m, R"({"req":"hub.set","inbound":1.5})"),
            "field 'inbound': expected an integer");
  EXPECT_NE(error_of(m, R"({"req":"hub.set","outbound":-5})").find("outbound"), std::string::npos);
  EXPECT_NE(error_of(m, R"({"req":"hub.set","outbound":99999999999})").find("outbound"),
            std::string::npos);
  const std::string bad_mode = error_of(m, R"({"req":"hub.set","product":"p","mode":"turbo"})");
  EXPECT_NE(bad_mode.find("'mode'"), std::string::npos);
  EXPECT_NE(bad_mode.find("periodic"), std::string::npos);
  EXPECT_EQ(m.product(), "") << "an err must leave the module unchanged";
  EXPECT_EQ(error_of(m, R"({"req":"hub.set","mode":1})"), "field 'mode': expected a string");
}

TEST(ModuleRequest, HubSetOutboundDrivesTheSyncInterval) {
  module m;
  // 60.0 is a whole number and accepted as an integer; -1 means the default (60).
  ASSERT_FALSE(ask(m, R"({"req":"hub.set","outbound":10.0})").contains("err"));
  ASSERT_FALSE(ask(m, R"({"req":"note.add","body":{}})").contains("err"));
  EXPECT_FALSE(m.sync_wanted(9 * 60'000'000LL));
  EXPECT_TRUE(m.sync_wanted(10 * 60'000'000LL));
  ASSERT_FALSE(ask(m, R"({"req":"hub.set","outbound":-1})").contains("err"));
  EXPECT_FALSE(m.sync_wanted(59 * 60'000'000LL));
  EXPECT_TRUE(m.sync_wanted(60 * 60'000'000LL));
}

TEST(ModuleRequest, NoteAddDefaultsToDataQoAndCountsPerFile) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"note.add","body":{"t":1}})"), json::parse(R"({"total":1})"));
  EXPECT_EQ(ask(m, R"({"req":"note.add","body":{"t":2}})"), json::parse(R"({"total":2})"));
  EXPECT_EQ(ask(m, R"({"req":"note.add","file":"s.qos","body":{"t":3}})"),
            json::parse(R"({"total":1})"));
  // No body: an empty Note (a bare event) is still a Note.
  EXPECT_EQ(ask(m, R"({"req":"note.add","file":"s.qos"})"), json::parse(R"({"total":2})"));
  EXPECT_EQ(m.notes_pending(), 4u);
  EXPECT_EQ(m.counters().notes_added, 4u);

  m.request(R"({"req":"hub.sync"})", 0);
  const auto notes = m.begin_sync(0);
  ASSERT_EQ(notes.size(), 4u);
  EXPECT_EQ(notes[0].file, "data.qo");
  EXPECT_EQ(notes[0].body_json, R"({"t":1})");
  EXPECT_EQ(notes[2].file, "s.qos");
  EXPECT_EQ(notes[3].body_json, "{}");
  EXPECT_EQ(notes[3].stamped_utc_s, 0) << "time unknown: not stamped";
}

TEST(ModuleRequest, NoteAddRefusesInboundQueuesAndNamesWithoutAKind) {
  module m;
  for (const char* file : {"in.qi", "in.qis", "plain", ".qo", "x.qox", "data.QO"}) {
    const std::string err =
        error_of(m, R"({"req":"note.add","file":")" + std::string(file) + R"(","body":{}})");
    EXPECT_NE(err.find("{not-supported}"), std::string::npos) << file;
    EXPECT_NE(err.find(file), std::string::npos) << "the err names the file: " << err;
  }
  EXPECT_EQ(m.counters().notes_added, 0u);
  EXPECT_EQ(m.notes_pending(), 0u);
}

TEST(ModuleRequest, NoteAddRejectsWrongTypes) {
  module m;
  EXPECT_EQ(error_of(m, R"({"req":"note.add","body":[1,2]})"), "field 'body': expected an object");
  EXPECT_EQ(error_of(m, R"({"req":"note.add","body":"x"})"), "field 'body': expected an object");
  EXPECT_EQ(error_of(m, R"({"req":"note.add","file":7})"), "field 'file': expected a string");
  EXPECT_EQ(error_of(m, R"({"req":"note.add","body":{},"sync":"yes"})"),
            "field 'sync': expected a boolean");
  EXPECT_EQ(error_of(m, R"({"req":"note.add","payload":"A*=="})"),
            "field 'payload': expected base64 text");
  EXPECT_EQ(error_of(m, R"({"req":"note.add","payload":7})"), "field 'payload': expected a string");
  EXPECT_EQ(error_of(m, R"({"req":"note.add","file":"a.qo","note":"x","body":{}})"),
            "field 'note': only database Notefiles have Note ids");
  EXPECT_EQ(m.counters().notes_added, 0u);
  EXPECT_FALSE(m.sync_wanted(0));
}

TEST(ModuleRequest, NoteAddSyncTrueRequestsASync) {
  module m;
  EXPECT_FALSE(ask(m, R"({"req":"note.add","body":{},"sync":false})").contains("err"));
  EXPECT_FALSE(m.sync_wanted(0));
  EXPECT_FALSE(ask(m, R"({"req":"note.add","body":{},"sync":true})").contains("err"));
  EXPECT_TRUE(m.sync_wanted(0));
}

TEST(ModuleRequest, NoteAddStampsUtcOnceTimeIsKnown) {
  module m;
  m.request(R"({"req":"hub.sync"})", 0);
  m.begin_sync(0);
  sync_downlink down;
  down.utc_us = 1'700'000'000'000'000;
  m.end_sync(5'000'000, &down);  // cloud time 1.7e9 s at twin time 5 s
  m.request(R"({"req":"note.add","body":{}})", 65'000'000);
  m.request(R"({"req":"hub.sync"})", 65'000'000);
  const auto notes = m.begin_sync(65'000'000);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].stamped_utc_s, 1'700'000'060);
  EXPECT_EQ(notes[0].added_us, 65'000'000);
}

TEST(ModuleRequest, CardTimeBeforeAndAfterTimeIsKnown) {
  module m;
  EXPECT_FALSE(m.time_known());
  const json before = ask(m, R"({"req":"card.time"})");
  EXPECT_EQ(before, json::parse(R"({"zone":"UTC,Unknown"})"));
  EXPECT_FALSE(before.contains("time"));

  m.request(R"({"req":"hub.sync"})", 0);
  m.begin_sync(0);
  sync_downlink down;
  down.utc_us = 1'700'000'000'000'000;
  m.end_sync(10'000'000, &down);
  EXPECT_TRUE(m.time_known());
  EXPECT_EQ(ask(m, R"({"req":"card.time"})", 70'000'000),
            json::parse(R"({"time":1700000060,"zone":"UTC","minutes":0})"));
}

TEST(ModuleRequest, HubSyncStatusFollowsTheSession) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"hub.sync.status"})"), json::parse(R"({"status":"idle"})"));
  m.request(R"({"req":"hub.sync"})", 1'000'000);
  json status = ask(m, R"({"req":"hub.sync.status"})", 4'000'000);
  EXPECT_EQ(status["status"], "sync requested");
  EXPECT_EQ(status["requested"], 3);
  m.begin_sync(5'000'000);
  status = ask(m, R"({"req":"hub.sync.status"})", 6'000'000);
  EXPECT_EQ(status["status"], "syncing");
  EXPECT_EQ(status["sync"], true);
  EXPECT_EQ(status["attempted"], 1);
  EXPECT_FALSE(status.contains("requested"));
  sync_downlink down;
  down.utc_us = 1'000'000'000'000'000;
  m.end_sync(8'000'000, &down);
  status = ask(m, R"({"req":"hub.sync.status"})", 18'000'000);
  EXPECT_EQ(status["status"], "idle");
  EXPECT_EQ(status["completed"], 10);
  EXPECT_EQ(status["time"], 1'000'000'000);
  EXPECT_FALSE(status.contains("sync"));
}

TEST(ModuleRequest, CountsEveryRequest) {
  module m;
  m.request(R"({"req":"card.time"})", 0);
  m.request(R"({"cmd":"hub.sync"})", 0);
  m.request(R"({"req":"bogus"})", 0);
  EXPECT_EQ(m.counters().requests, 3u);
  EXPECT_EQ(m.counters().request_errors, 1u);
}

}  // namespace
}  // namespace twelvefold::shim
