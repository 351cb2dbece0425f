// Scenario assertions: pass/fail checks on a run's results, for CI (docs/scenarios.md,
// "Assertions"). An assertion names a metric by its path in summary.json, a comparison and a
// threshold; a path through a time series (an array of samples with `at_s`) is checked over a
// time window and combined with an aggregate.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace twelvefold::scenario::v1 {
class Assertion;
}

namespace twelvefold::sim {

enum class comparison : std::uint8_t { lt, le, gt, ge, eq, ne };
enum class series_aggregate : std::uint8_t { all, any, max, min, mean, first, last };

struct assertion_spec {
  std::string name;
  std::string expect;             // as written
  std::vector<std::string> path;  // "per_rat.umts.dark_twins" -> {"per_rat","umts","dark_twins"}
  comparison op = comparison::ge;
  double threshold = 0;
  std::int64_t from_us = 0;              // series window, virtual us since the epoch
  std::optional<std::int64_t> until_us;  // none: to the end
  series_aggregate aggregate = series_aggregate::all;
};

struct assertion_result {
  std::string name;
  std::string expect;
  bool passed = false;
  std::optional<double> measured;  // none when the metric was missing or had no sample
  std::string detail;              // why it failed, or how the measure was taken
};

// Parses one scenario assertion; errors name the field ("expect: ...").
std::expected<assertion_spec, std::string> parse_assertion(const scenario::v1::Assertion& a,
                                                           std::int64_t epoch_utc_us);

// Evaluates an assertion against a summary.json document.
assertion_result evaluate(const assertion_spec& spec, const nlohmann::ordered_json& summary);

// "≥" etc. for output.
const char* to_symbol(comparison op);

}  // namespace twelvefold::sim
