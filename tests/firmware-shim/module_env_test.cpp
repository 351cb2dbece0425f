// module: environment variables (env.get / env.default / env.set and the cloud's scope).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {
namespace {

using nlohmann::json;

json ask(module& m, std::string_view request) { return json::parse(m.request(request, 0)); }

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

}  // namespace
}  // namespace twelvefold::shim
