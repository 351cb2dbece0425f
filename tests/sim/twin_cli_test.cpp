// `twelvefold twin show` / `twin list` over a real run's twin store.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace {

using twelvefold::test::run_cli;

class TwinCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = twelvefold::test::temp_path("twin-cli");
    const auto r =
        run_cli("run " + std::string(TF_SOURCE_DIR) +
                "/scenarios/quickstart --scale 0.02 --duration 3h --quiet --out " + out_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(out_); }
  static std::string out_;
};
std::string TwinCli::out_;

TEST_F(TwinCli, ShowPrintsTheTwinAndItsSessions) {
  const auto r = run_cli("twin show ENV-AMS-0000003 --db " + out_);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ENV-AMS-0000003"), std::string::npos);
  EXPECT_NE(r.output.find("city-sensors"), std::string::npos);
  EXPECT_NE(r.output.find("Last sessions"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("accepted"), std::string::npos);
}

TEST_F(TwinCli, ShowJsonHasTheRecordAndHistory) {
  const auto r = run_cli("twin show ENV-AMS-0000003 --json --history 2 --db " + out_, false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["twin"]["serial"], "ENV-AMS-0000003");
  EXPECT_GE(j["twin"]["sessions"].get<int>(), 2);
  ASSERT_TRUE(j["history"].contains("sessions"));
  ASSERT_EQ(j["history"]["sessions"].size(), 2u);  // --history bounds it
  // Newest first.
  EXPECT_GT(j["history"]["sessions"][0]["at_us"].get<std::int64_t>(),
            j["history"]["sessions"][1]["at_us"].get<std::int64_t>());
}

TEST_F(TwinCli, UnknownSerialIsBadInputNamingIt) {
  const auto r = run_cli("twin show NOPE-1 --db " + out_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("no twin with serial \"NOPE-1\""), std::string::npos) << r.output;
}

TEST_F(TwinCli, ListFiltersAndCounts) {
  auto r = run_cli("twin list --json --limit 0 --db " + out_, false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["matched"], 20);
  EXPECT_EQ(j["twins"].size(), 20u);

  r = run_cli("twin list --json --limit 5 --fleet city-sensors --firmware env-sensor --db " + out_,
              false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["matched"], 20);
  EXPECT_EQ(j["twins"].size(), 5u);

  for (const char* filter : {"--fleet nobody", "--rat nb-iot", "--firmware other",
                             "--state fallback", "--firmware env-sensor@0.0.1"}) {
    r = run_cli(std::string("twin list --json ") + filter + " --db " + out_, false);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(nlohmann::json::parse(r.output)["matched"], 0) << filter;
  }
  r = run_cli("twin list --db " + out_);
  EXPECT_NE(r.output.find("20 twins match"), std::string::npos) << r.output;
}

TEST(TwinCliInput, MissingOrForeignStoreIsBadInput) {
  auto r = run_cli("twin list --db /nonexistent/run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("/nonexistent/run: no such file"), std::string::npos) << r.output;
  r = run_cli("twin list --db /etc/hostname");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("/etc/hostname"), std::string::npos) << r.output;
}

}  // namespace
