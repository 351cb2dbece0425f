// module: environment variables (env.get / env.default / env.set and the cloud's scope).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {
namespace {

using nlohmann::json;

// Answers without their "time" member, which ModuleEnv.TimeReportsAndFiltersChanges checks.
json ask(module& m, std::string_view request, std::int64_t now_us = 0) {
  json response = json::parse(m.request(request, now_us));
  response.erase("time");
  return response;
}

void sync_with_env(module& m, std::map<std::string, std::string> env, bool changed = true) {
  m.request(R"({"req":"hub.sync"})", 0);
  m.begin_sync(0);
  sync_downlink down;
  down.utc_us = 1'700'000'000'000'000;
  down.env = std::move(env);
  down.env_changed = changed;
  m.end_sync(0, &down);
}

TEST(ModuleEnv, PrecedenceIsLocalThenCloudThenDefault) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"env.default","name":"a","text":"default-a"})"), json::object());
  ask(m, R"({"req":"env.default","name":"b","text":"default-b"})");
  ask(m, R"({"req":"env.default","name":"c","text":"default-c"})");
  sync_with_env(m, {{"b", "cloud-b"}, {"c", "cloud-c"}, {"d", "cloud-d"}});
  EXPECT_EQ(ask(m, R"({"req":"env.set","name":"c","text":"local-c"})"), json::object());

  EXPECT_EQ(ask(m, R"({"req":"env.get","name":"a"})"), json::parse(R"({"text":"default-a"})"));
  EXPECT_EQ(ask(m, R"({"req":"env.get","name":"b"})"), json::parse(R"({"text":"cloud-b"})"));
  EXPECT_EQ(ask(m, R"({"req":"env.get","name":"c"})"), json::parse(R"({"text":"local-c"})"));
  EXPECT_EQ(m.env_value("d"), "cloud-d");
  EXPECT_EQ(m.env_value("zzz"), std::nullopt);
  // Unset: an empty object, as the Notecard answers.
  EXPECT_EQ(ask(m, R"({"req":"env.get","name":"zzz"})"), json::object());

  EXPECT_EQ(ask(m, R"({"req":"env.get"})"),
            json::parse(R"({"body":{"a":"default-a","b":"cloud-b","c":"local-c","d":"cloud-d"}})"));
  EXPECT_EQ(ask(m, R"({"req":"env.get","names":["c","zzz","a"]})"),
            json::parse(R"({"body":{"a":"default-a","c":"local-c"}})"));
  EXPECT_EQ(ask(m, R"({"req":"env.get","names":[]})"), json::parse(R"({"body":{}})"));
}

TEST(ModuleEnv, EmptyOrAbsentTextClears) {
  module m;
  ask(m, R"({"req":"env.default","name":"a","text":"1"})");
  ask(m, R"({"req":"env.set","name":"a","text":"2"})");
  EXPECT_EQ(m.env_value("a"), "2");
  ask(m, R"({"req":"env.set","name":"a","text":""})");
  EXPECT_EQ(m.env_value("a"), "1");
  ask(m, R"({"req":"env.default","name":"a"})");
  EXPECT_EQ(m.env_value("a"), std::nullopt);
}

TEST(ModuleEnv, CloudEnvironmentIsReplacedOnlyWhenChanged) {
  module m;
  sync_with_env(m, {{"x", "1"}, {"y", "2"}});
  EXPECT_EQ(m.env_value("y"), "2");
  sync_with_env(m, {}, /*changed=*/false);
  EXPECT_EQ(m.env_value("y"), "2") << "an unchanged environment keeps the previous one";
  sync_with_env(m, {{"x", "3"}});
  EXPECT_EQ(m.env_value("x"), "3");
  EXPECT_EQ(m.env_value("y"), std::nullopt) << "a changed environment replaces it whole";
}

TEST(ModuleEnv, WrongTypesNameTheField) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"env.get","name":5})")["err"], "field 'name': expected a string");
  EXPECT_EQ(ask(m, R"({"req":"env.get","names":"a"})")["err"],
            "field 'names': expected an array of strings");
  EXPECT_EQ(ask(m, R"({"req":"env.get","names":["a",1]})")["err"],
            "field 'names': expected an array of strings");
  EXPECT_EQ(ask(m, R"({"req":"env.default","text":"1"})")["err"],
            "field 'name': expected a non-empty string");
  EXPECT_EQ(ask(m, R"({"req":"env.set","name":"","text":"1"})")["err"],
            "field 'name': expected a non-empty string");
  EXPECT_EQ(ask(m, R"({"req":"env.set","name":"a","text":15})")["err"],
            "field 'text': expected a string");
  EXPECT_EQ(m.env_value("a"), std::nullopt);
  EXPECT_EQ(m.counters().request_errors, 6u);
}

TEST(ModuleEnv, TimeReportsAndFiltersChanges) {
  constexpr std::int64_t epoch_s = 1'700'000'000;
  constexpr std::int64_t s = 1'000'000;
  module m;
  // Before time is known, answers carry no time and a `time` filter lets everything through.
  ASSERT_FALSE(
      json::parse(m.request(R"({"req":"env.default","name":"b","text":"2"})", 0)).contains("err"));
  EXPECT_FALSE(json::parse(m.request(R"({"req":"env.get","name":"b"})", 0)).contains("time"));
  EXPECT_EQ(json::parse(m.request(R"({"req":"env.get","name":"b","time":99})", 0))["text"], "2");

  m.request(R"({"req":"hub.sync"})", 0);
  m.begin_sync(0);
  sync_downlink down;
  down.utc_us = epoch_s * s;  // virtual time 0 is epoch_s
  down.env = {{"a", "1"}};
  m.end_sync(0, &down);
  m.request(R"({"req":"env.default","name":"b","text":"3"})", 10 * s);

  json a = json::parse(m.request(R"({"req":"env.get","name":"a"})", 20 * s));
  EXPECT_EQ(a, json::parse(R"({"text":"1","time":1700000000})"));
  json all = json::parse(m.request(R"({"req":"env.get"})", 20 * s));
  EXPECT_EQ(all["time"], epoch_s + 10) << "the latest change among those answered";

  const auto since = [&](std::int64_t t, std::string_view extra = "") {
    return json::parse(m.request(
        R"({"req":"env.get","time":)" + std::to_string(t) + std::string(extra) + "}", 20 * s));
  };
  EXPECT_EQ(since(epoch_s + 5), json::parse(R"({"body":{"b":"3"},"time":1700000010})"));
  EXPECT_EQ(since(epoch_s + 10)["err"], "environment hasn't been modified {env-not-modified}");
  EXPECT_EQ(since(epoch_s - 1, R"(,"name":"a")")["text"], "1");
  EXPECT_EQ(since(epoch_s + 5, R"(,"name":"a")")["err"],
            "environment hasn't been modified {env-not-modified}");
  EXPECT_EQ(since(epoch_s + 5, R"(,"names":["a","b"])"),
            json::parse(R"({"body":{"b":"3"},"time":1700000010})"));

  // A variable removed by the cloud: every variable may have changed, so all are answered.
  m.request(R"({"req":"hub.sync"})", 30 * s);
  m.begin_sync(30 * s);
  down.utc_us = (epoch_s + 30) * s;
  down.env = {};
  m.end_sync(30 * s, &down);
  EXPECT_EQ(since(epoch_s + 20), json::parse(R"({"body":{"b":"3"},"time":1700000030})"));
  EXPECT_EQ(m.counters().request_errors, 2u);
}

TEST(ModuleEnv, NamesAreCaseInsensitive) {
  module m;
  ask(m, R"({"req":"env.default","name":"Sample_Mins","text":"15"})");
  EXPECT_EQ(ask(m, R"({"req":"env.get","name":"sample_mins"})"), json::parse(R"({"text":"15"})"));
  ask(m, R"({"req":"env.set","name":"SAMPLE_MINS","text":"5"})");
  EXPECT_EQ(m.env_value("sample_MINS"), "5");
  EXPECT_EQ(ask(m, R"({"req":"env.get"})")["body"].size(), 1u);
}

TEST(ModuleEnv, EnvDefaultSyncAsksForASession) {
  module m;
  ask(m, R"({"req":"env.default","name":"a","text":"1","sync":true})");
  EXPECT_TRUE(m.sync_wanted(0));
  EXPECT_EQ(ask(m, R"({"req":"env.default","name":"a","text":"1","sync":1})")["err"],
            "field 'sync': expected a boolean");
}

}  // namespace
}  // namespace twelvefold::shim
