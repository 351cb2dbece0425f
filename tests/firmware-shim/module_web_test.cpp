// module: web.get / web.put / web.post / web.delete by route name — queued for a session,
// answered later; synchronous requests are polled by repeating them (module.hpp).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "module_test_support.hpp"
#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {
namespace {

using nlohmann::json;
using namespace twelvefold::shim::testing;

json ask(module& m, std::string_view request, std::int64_t now_us = 0) {
  return json::parse(m.request(request, now_us));
}

bool pending(const json& response) {
  return response.value("err", "").find("{web-pending}") != std::string::npos;
}

sync_downlink answered(std::vector<web_response> responses) {
  sync_downlink down;
  down.utc_us = 1'700'000'000'000'000;
  down.env_changed = false;
  down.web_responses = std::move(responses);
  return down;
}

TEST(ModuleWeb, ASynchronousRequestIsPolledUntilItsAnswerArrives) {
  module m;
  const std::string get = R"({"req":"web.get","route":"weather","name":"/now?city=zrh"})";
  EXPECT_TRUE(pending(ask(m, get)));
  EXPECT_TRUE(m.sync_wanted(0)) << "the module goes online for it";
  EXPECT_TRUE(pending(ask(m, get))) << "asked again before the session: still pending";
  EXPECT_EQ(m.counters().web_requests, 1u) << "and not queued twice";

  const auto up = m.begin_session(0);
  ASSERT_EQ(up.web_requests.size(), 1u);
  const web_request& r = up.web_requests[0];
  EXPECT_EQ(r.method, web_method::get);
  EXPECT_EQ(r.route, "weather");
  EXPECT_EQ(r.name, "/now?city=zrh");
  EXPECT_FALSE(r.async);
  EXPECT_EQ(r.timeout_s, 90);
  EXPECT_TRUE(pending(ask(m, get))) << "in flight";

  const auto down = answered({web_answer(r.id, 200, R"({"temp":21})")});
  m.end_sync(1'000'000, &down);
  EXPECT_EQ(m.counters().web_responses, 1u);
  EXPECT_EQ(ask(m, get, 2'000'000), json::parse(R"({"result":200,"body":{"temp":21}})"));
  // The answer is read once; asking again is a new request.
  EXPECT_TRUE(pending(ask(m, get, 3'000'000)));
  EXPECT_EQ(m.counters().web_requests, 2u);
}

TEST(ModuleWeb, DifferentBodiesAreDifferentRequests) {
  module m;
  EXPECT_TRUE(pending(ask(m, R"({"req":"web.post","route":"r","body":{"v":1}})")));
  EXPECT_TRUE(pending(ask(m, R"({"req":"web.post","route":"r","body":{"v":2}})")));
  EXPECT_TRUE(pending(ask(m, R"({"req":"web.put","route":"r","body":{"v":2}})")));
  EXPECT_TRUE(pending(ask(m, R"({"req":"web.delete","route":"r","name":"/x"})")));
  const auto up = m.begin_session(0);
  ASSERT_EQ(up.web_requests.size(), 4u);
  EXPECT_EQ(up.web_requests[1].body_json, R"({"v":2})");
  EXPECT_EQ(up.web_requests[2].method, web_method::put);
  EXPECT_EQ(up.web_requests[3].method, web_method::del);
}

TEST(ModuleWeb, AsyncRequestsAnswerAtOnceAndCanStoreTheirResponse) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"web.post","route":"ingest","name":"/r","body":{"kwh":1.5},)"
                   R"("async":true,"seconds":30,"content":"application/json"})"),
            json::object());
  EXPECT_EQ(ask(m, R"({"req":"web.post","route":"ingest","payload":"AQID","async":true,)"
                   R"("file":"replies.dbx","note":"last"})"),
            json::object());
  const auto up = m.begin_session(0);
  ASSERT_EQ(up.web_requests.size(), 2u);
  EXPECT_TRUE(up.web_requests[0].async);
  EXPECT_EQ(up.web_requests[0].timeout_s, 30);
  EXPECT_EQ(up.web_requests[1].payload_b64, "AQID");
  const auto down = answered({web_answer(up.web_requests[0].id, 204),
                              web_answer(up.web_requests[1].id, 201, R"({"ok":true})")});
  m.end_sync(0, &down);
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"replies.dbx","note":"last"})")["body"],
            json::parse(R"({"result":201,"body":{"ok":true}})"));
}

TEST(ModuleWeb, AFailedSessionKeepsRequestsAndLateAnswersStillLand) {
  module m;
  const std::string post = R"({"req":"web.post","route":"r","body":{"a":1}})";
  ask(m, post);
  auto up = m.begin_session(0);
  ASSERT_EQ(up.web_requests.size(), 1u);
  m.end_sync(0, nullptr);
  m.request(R"({"req":"hub.sync"})", 1);
  up = m.begin_session(1);
  ASSERT_EQ(up.web_requests.size(), 1u) << "sent again";
  const auto nothing = answered({});
  m.end_sync(2, &nothing);
  EXPECT_TRUE(pending(ask(m, post, 3)));
  // The route answered after the session closed.
  m.deliver_web_response(4, web_answer(up.web_requests[0].id, 500, "oops"));
  m.deliver_web_response(5, web_answer(up.web_requests[0].id, 200));  // duplicate: ignored
  EXPECT_EQ(ask(m, post, 6), json::parse(R"({"result":500})")) << "a non-object body is dropped";
  EXPECT_EQ(m.counters().web_responses, 1u);
}

TEST(ModuleWeb, TheQueueIsBoundedAndStaleAnswersGiveWay) {
  module m(module_limits{.max_web_requests = 2});
  ask(m, R"({"req":"web.get","route":"r","name":"/1"})");
  ask(m, R"({"req":"web.get","route":"r","name":"/2"})");
  EXPECT_NE(ask(m, R"({"req":"web.get","route":"r","name":"/3"})")["err"].get<std::string>().find(
                "{web-queue-full}"),
            std::string::npos);
  const auto up = m.begin_session(0);
  const auto down = answered({web_answer(up.web_requests[0].id, 200)});
  m.end_sync(0, &down);
  // /1 is answered but never read: it gives way to a new request.
  EXPECT_TRUE(pending(ask(m, R"({"req":"web.get","route":"r","name":"/3"})")));
  EXPECT_NE(ask(m, R"({"req":"web.get","route":"r","name":"/4"})")["err"].get<std::string>().find(
                "{web-queue-full}"),
            std::string::npos);
}

}  // namespace
}  // namespace twelvefold::shim
