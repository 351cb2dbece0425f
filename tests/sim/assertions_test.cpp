// Scenario assertions: parsing and evaluation against a summary document.
#include "twelvefold/sim/assertions.hpp"

#include <gtest/gtest.h>

#include "twelvefold/scenario/v1/scenario.pb.h"

namespace twelvefold::sim {
namespace {

assertion_spec spec_of(const std::string& expect, const std::string& aggregate = "",
                       const std::string& from = "", const std::string& until = "") {
  scenario::v1::Assertion a;
  a.set_expect(expect);
  a.set_aggregate(aggregate);
  a.set_from(from);
  a.set_until(until);
  auto spec = parse_assertion(a, 0);
  EXPECT_TRUE(spec) << expect << ": " << (spec ? "" : spec.error());
  return spec ? *spec : assertion_spec{};
}

const nlohmann::ordered_json summary = nlohmann::ordered_json::parse(R"({
  "delivered_ratio": 0.995,
  "per_rat": {"lte-m": {"dark_twins": 0}, "umts": {"dark_twins": 12}},
  "per_fleet": {"meters.eu": {"battery_life_years_min": 9.5}},
  "config": {"env_changes": [{"name": "rate", "reached_90_s": 7200}, {"name": "x", "reached_90_s": null}]},
  "network_timeline": [
    {"at_s": 0, "dark": 0, "connected": {"lte-m": 10}},
    {"at_s": 3600, "dark": 5, "connected": {"lte-m": 8, "umts": 2}},
    {"at_s": 7200, "dark": 0, "connected": {"lte-m": 9}}
  ]
})");

TEST(Assertions, ScalarsCompareWithEveryOperator) {
  EXPECT_TRUE(evaluate(spec_of("delivered_ratio >= 0.99"), summary).passed);
  EXPECT_FALSE(evaluate(spec_of("delivered_ratio >= 0.999"), summary).passed);
  EXPECT_TRUE(evaluate(spec_of("delivered_ratio<1"), summary).passed);
  EXPECT_TRUE(evaluate(spec_of("per_rat.umts.dark_twins == 12"), summary).passed);
  EXPECT_TRUE(evaluate(spec_of("per_rat.lte-m.dark_twins != 1"), summary).passed);
  EXPECT_TRUE(evaluate(spec_of("per_rat.umts.dark_twins > 11"), summary).passed);
  EXPECT_TRUE(evaluate(spec_of("per_rat.umts.dark_twins <= 12"), summary).passed);
  const auto r = evaluate(spec_of("per_rat.umts.dark_twins < 1"), summary);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.measured, 12.0);
}

TEST(Assertions, BracketsNameKeysWithDotsAndListElementsByName) {
  EXPECT_TRUE(
      evaluate(spec_of("per_fleet[meters.eu].battery_life_years_min >= 9"), summary).passed);
  EXPECT_TRUE(evaluate(spec_of("config.env_changes[rate].reached_90_s <= 7200"), summary).passed);
  EXPECT_TRUE(evaluate(spec_of("config.env_changes.0.reached_90_s <= 7200"), summary).passed);
  // A figure that was never reached (null) fails with a reason, never passes by accident.
  const auto never = evaluate(spec_of("config.env_changes[x].reached_90_s <= 1e9"), summary);
  EXPECT_FALSE(never.passed);
  EXPECT_FALSE(never.measured);
  EXPECT_NE(never.detail.find("not reached"), std::string::npos);
}

TEST(Assertions, MissingMetricsFailNamingWhatExists) {
  const auto r = evaluate(spec_of("per_rat.nb-iot.dark_twins == 0"), summary);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.detail.find("no metric per_rat.nb-iot"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("lte-m, umts"), std::string::npos) << r.detail;
}

TEST(Assertions, SeriesUseTheWindowAndAggregate) {
  // Every sample by default: the dark spike at 1 h fails it, the worst value is reported.
  auto r = evaluate(spec_of("network_timeline.dark == 0"), summary);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.measured, 5.0);
  EXPECT_EQ(r.detail, "2 of 3 samples pass");
  EXPECT_TRUE(evaluate(spec_of("network_timeline.dark == 0", "", "2h"), summary).passed);
  EXPECT_TRUE(evaluate(spec_of("network_timeline.dark == 0", "", "", "30m"), summary).passed);
  EXPECT_TRUE(evaluate(spec_of("network_timeline.dark > 0", "any"), summary).passed);
  EXPECT_EQ(evaluate(spec_of("network_timeline.dark <= 5", "max"), summary).measured, 5.0);
  EXPECT_NEAR(*evaluate(spec_of("network_timeline.dark < 2", "mean"), summary).measured, 5.0 / 3,
              1e-9);
  EXPECT_EQ(evaluate(spec_of("network_timeline.connected.lte-m >= 9", "last"), summary).measured,
            9.0);
  // A RAT missing from a sample counts as 0 connected.
  EXPECT_EQ(evaluate(spec_of("network_timeline.connected.umts >= 0", "min"), summary).measured,
            0.0);
  EXPECT_FALSE(evaluate(spec_of("network_timeline.dark == 0", "", "3h"), summary).passed);
}

TEST(Assertions, MalformedAssertionsNameTheField) {
  struct bad {
    std::string expect, aggregate, from, says;
  };
  const bad cases[] = {
      {"delivered_ratio 0.99", "", "", "expect: expected \"METRIC OP NUMBER\""},
      {"delivered_ratio >= high", "", "", "expect: \"high\" is not a number"},
      {">= 1", "", "", "expect: metric \"\""},
      {"a..b >= 1", "", "", "empty path component"},
      {"per_rat[lte-m >= 1", "", "", "unterminated ["},
      {"x >= 1", "median", "", "aggregate: \"median\""},
      {"x >= 1", "", "soon", "from: "},
  };
  for (const bad& c : cases) {
    scenario::v1::Assertion a;
    a.set_expect(c.expect);
    a.set_aggregate(c.aggregate);
    a.set_from(c.from);
    auto spec = parse_assertion(a, 0);
    ASSERT_FALSE(spec) << c.expect;
    EXPECT_NE(spec.error().find(c.says), std::string::npos) << spec.error();
  }
}

}  // namespace
}  // namespace twelvefold::sim
