// flat_env: a module's environment scope as a sorted vector (the Notecard's case-insensitive
// name order), standing in for std::map with the operations the module uses.
#include "twelvefold/shim/flat_env.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace twelvefold::shim {
namespace {

std::vector<std::string> names_of(const flat_env& env) {
  std::vector<std::string> out;
  for (const auto& [name, entry] : env) out.push_back(name);
  return out;
}

TEST(FlatEnv, KeepsNamesInCaseInsensitiveOrderWhateverTheInsertionOrder) {
  flat_env env;
  env["sync_mins"].value = "60";
  env["Alpha"].value = "a";
  env["beta"].value = "b";
  env["_log_level"].value = "info";
  EXPECT_EQ(names_of(env), (std::vector<std::string>{"_log_level", "Alpha", "beta", "sync_mins"}));
  EXPECT_EQ(env.size(), 4u);
}

TEST(FlatEnv, FindsAndReplacesRegardlessOfCase) {
  flat_env env;
  env["Sample_Mins"] = {"15", 100};
  ASSERT_TRUE(env.contains("sample_mins"));
  EXPECT_EQ(env.find("SAMPLE_MINS")->second.value, "15");
  EXPECT_EQ(env.find("sample_min"), env.end());
  env.insert_or_assign("sample_mins", {"5", 200});
  EXPECT_EQ(env.size(), 1u) << "one variable, whatever the case it was set with";
  EXPECT_EQ(env.find("Sample_Mins")->second.value, "5");
  EXPECT_EQ(env.find("Sample_Mins")->second.modified_us, 200);
}

TEST(FlatEnv, EraseRemovesOnlyThatVariable) {
  flat_env env;
  for (const char* name : {"a", "b", "c"}) env[name].value = name;
  env.erase(env.find("b"));
  EXPECT_EQ(names_of(env), (std::vector<std::string>{"a", "c"}));
  EXPECT_FALSE(env.contains("b"));
  EXPECT_TRUE(env.contains("C"));
  env.erase(env.find("a"));
  env.erase(env.find("c"));
  EXPECT_TRUE(env.empty());
}

}  // namespace
}  // namespace twelvefold::shim
