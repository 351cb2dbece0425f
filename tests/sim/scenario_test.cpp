// Scenario loading: shipped scenarios load; every kind of bad input names file, line, column.
#include "twelvefold/sim/scenario.hpp"

#include <gtest/gtest.h>

#include "twelvefold/scenario/v1/scenario.pb.h"

namespace twelvefold::sim {
namespace {

load_options options() { return {{TF_TEST_FIRMWARE_DIR}}; }

const char* valid_text = R"(
name: "t"
epoch_utc: "2026-01-01T00:00:00Z"
duration: "2h"
regions { name: "r" center_lat: 52 center_lon: 4 radius_km: 3 environment: "urban"
  cells { id: 1 rat: "lte-m" lat: 52 lon: 4 } }
device_models { name: "m" firmware: "env-sensor" }
fleets { name: "f" device_model: "m" count: 10 region: "r" }
)";

std::vector<diagnostic> errors_of(const std::string& text) {
  auto loaded = parse_scenario(text, "s.txtpb", ".", options());
  EXPECT_FALSE(loaded.has_value());
  return loaded ? std::vector<diagnostic>{} : loaded.error();
}

TEST(Scenario, ShippedScenariosLoad) {
  for (const char* name : {"quickstart", "scale-100k"}) {
    auto loaded = load_scenario(std::string(TF_SOURCE_DIR) + "/scenarios/" + name, options());
    ASSERT_TRUE(loaded) << to_string(loaded.error());
    EXPECT_EQ(loaded->spec->name(), name);
    EXPECT_EQ(loaded->duration_us, 86'400'000'000LL);
  }
}

TEST(Scenario, MinimalScenarioLoadsWithDefaults) {
  auto loaded = parse_scenario(valid_text, "s.txtpb", ".", options());
  ASSERT_TRUE(loaded) << to_string(loaded.error());
  EXPECT_EQ(loaded->duration_us, 7'200'000'000LL);
  EXPECT_EQ(loaded->epoch_utc_us, 1'767'225'600'000'000LL);
  ASSERT_EQ(loaded->firmware_paths.size(), 1u);
  EXPECT_EQ(loaded->firmware_paths[0].filename(), "env-sensor.so");
}

TEST(Scenario, SyntaxErrorNamesLineAndColumn) {
  const auto errors = errors_of("name: \"t\"\nduration: 5h\n");
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].file, "s.txtpb");
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_GT(errors[0].column, 0);
}

TEST(Scenario, UnknownFieldIsNamed) {
  const auto errors = errors_of(std::string(valid_text) + "colour: \"red\"\n");
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].message.find("colour"), std::string::npos);
  EXPECT_EQ(errors[0].line, 9);
}

TEST(Scenario, UnknownDeviceModelPointsAtTheFleetField) {
  std::string text = valid_text;
  text.replace(text.find("device_model: \"m\""), 17, "device_model: \"x\"");
  const auto errors = errors_of(text);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 8);
  EXPECT_NE(errors[0].message.find("unknown device model \"x\""), std::string::npos);
  EXPECT_NE(errors[0].message.find("defined: m"), std::string::npos);
  EXPECT_EQ(errors[0].to_string().rfind("s.txtpb:8:", 0), 0u);
}

TEST(Scenario, BadValuesAreAllReported) {
  std::string text = valid_text;
  text.replace(text.find("\"2h\""), 4, "\"2 weeks\"");
  text.replace(text.find("\"urban\""), 7, "\"jungle\"");
  text.replace(text.find("count: 10"), 9, "count: 0");
  const auto errors = errors_of(text);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_NE(errors[0].message.find("duration"), std::string::npos);
  EXPECT_EQ(errors[0].line, 4);
  EXPECT_NE(errors[1].message.find("jungle"), std::string::npos);
  EXPECT_NE(errors[2].message.find("count must be at least 1"), std::string::npos);
}

TEST(Scenario, MissingFirmwareListsWhereItLooked) {
  std::string text = valid_text;
  text.replace(text.find("\"env-sensor\""), 12, "\"no-such-fw\"");
  const auto errors = errors_of(text);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("no-such-fw"), std::string::npos);
  EXPECT_NE(errors[0].message.find("looked in"), std::string::npos);
}

TEST(Scenario, MissingFileAndDirectoryWithoutScenario) {
  auto missing = load_scenario("/definitely/not/here.txtpb", options());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error()[0].to_string().find("/definitely/not/here.txtpb"), std::string::npos);
  auto dir = load_scenario(std::filesystem::temp_directory_path(), options());
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.error()[0].message.find("scenario.txtpb"), std::string::npos);
}

TEST(Durations, ParseUnitsAndRejectNonsense) {
  EXPECT_EQ(parse_duration_us("1d12h"), 36LL * 3600 * 1'000'000);
  EXPECT_EQ(parse_duration_us("90m"), 5'400'000'000LL);
  EXPECT_EQ(parse_duration_us("250ms"), 250'000);
  EXPECT_FALSE(parse_duration_us("5"));
  EXPECT_FALSE(parse_duration_us("5y"));
  EXPECT_FALSE(parse_duration_us("-1h"));
  EXPECT_FALSE(parse_duration_us(""));
}

TEST(UtcTimes, ParseRfc3339AndRejectInvalidDates) {
  EXPECT_EQ(parse_utc_us("1970-01-02T00:00:00Z"), 86'400'000'000LL);
  EXPECT_FALSE(parse_utc_us("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_utc_us("2026-01-01 00:00:00"));
  EXPECT_FALSE(parse_utc_us("2026-01-01T00:00:00+02:00"));
}

}  // namespace
}  // namespace twelvefold::sim
