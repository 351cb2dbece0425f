// The shipped scenarios, each run at reduced scale through the CLI: their own assertions must
// pass (exit 0), as CI would run them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace {

using twelvefold::test::run_cli;

struct shipped {
  const char* name;
  const char* args;  // reduced scale / duration
};

nlohmann::json run_shipped(const shipped& s) {
  const std::string out = twelvefold::test::temp_path(std::string("shipped-") + s.name);
  const auto r = run_cli("run " + std::string(TF_SOURCE_DIR) + "/scenarios/" + s.name + " " +
                         s.args + " --quiet --out " + out);
  EXPECT_EQ(r.exit_code, 0) << s.name << ":\n" << r.output;
  std::ifstream in(out + "/summary.json");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  std::filesystem::remove_all(out);
  return j;
}

TEST(ShippedScenarios, Scale1mAtOneThousandthPassesItsAssertions) {
  const auto j = run_shipped({"scale-1m", "--scale 0.001 --duration 3h --threads 2"});
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["twins"], 1000);
  ASSERT_EQ(j["assertions"].size(), 3u);
  for (const auto& a : j["assertions"]) EXPECT_TRUE(a["passed"].get<bool>()) << a.dump();
}

TEST(ShippedScenarios, AFailedAssertionExitsOneWithItsMeasuredValue) {
  const std::string path = twelvefold::test::temp_path("failing.txtpb");
  std::ofstream(path) << "#include \"" << TF_SOURCE_DIR
                      << "/scenarios/quickstart/scenario.txtpb\"\n"
                      << "scale: 0.01\n"
                      << "assertions { name: \"impossible\" expect: \"notes_delivered > 1e12\" }\n"
                      << "assertions { expect: \"notes_lost == 0\" }\n";
  const std::string out = twelvefold::test::temp_path("failing-out");
  const auto r = run_cli("run " + path + " --duration 2h --quiet --out " + out);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("1 passed, 1 failed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("FAIL  impossible: notes_delivered > 1e12 (measured "), std::string::npos)
      << r.output;
  // Everything was still written: a failed assertion is a verdict, not a lost run.
  std::ifstream in(out + "/summary.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_FALSE(j["assertions"][0]["passed"].get<bool>());
  EXPECT_TRUE(j["assertions"][1]["passed"].get<bool>());
  EXPECT_TRUE(std::filesystem::exists(out + "/twins.sqlite"));
  std::filesystem::remove_all(out);
  std::filesystem::remove(path);
}

}  // namespace
