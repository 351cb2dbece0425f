// Loading and checking scenario files (Protobuf text format over
// proto/twelvefold/scenario/v1/scenario.proto; docs/scenarios.md).
//
// Every problem is reported with file, line and column and what was expected; loading
// collects all problems it can find rather than stopping at the first.
#pragma once

#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "twelvefold/sim/assertions.hpp"
#include "twelvefold/sim/diagnostic.hpp"

namespace twelvefold::scenario::v1 {
class Scenario;
}

namespace twelvefold::sim {

struct scenario_file {
  std::filesystem::path path;  // the .txtpb file actually read
  std::shared_ptr<const scenario::v1::Scenario> spec;
  // Resolved firmware image path per device model (same order as spec->device_models()).
  std::vector<std::filesystem::path> firmware_paths;
  // Per firmware_images entry (DFU, docs/cloud-dfu.md): resolved path (empty for an asset) and
  // download size in bytes (size_bytes, or the file's size).
  std::vector<std::filesystem::path> firmware_image_paths;
  std::vector<std::uint64_t> firmware_image_sizes;
  // Per device model: "FILE:LINE:COL" of its `external` field, empty for simulated firmware
  // (named in run errors about the endpoint, which are found only when the run opens it).
  std::vector<std::string> external_where;
  std::int64_t epoch_utc_us = 0;
  std::int64_t duration_us = 0;
  std::map<std::string, std::string> params;  // every #param and the value used
  std::vector<std::string> files;             // every file read (the scenario, its includes)
  std::vector<assertion_spec> assertions;     // checked when the run ends
  // Resume (docs/cli.md, "Resuming a run"): the text that was parsed, after #include and
  // #param expansion, and the directory relative firmware paths resolved against.
  std::string expanded_text;
  std::filesystem::path base_dir;
};

struct load_options {
  // Directories searched for a firmware image named without a path ("env-sensor" ->
  // DIR/env-sensor.so), in order, after the scenario's own directory.
  std::vector<std::filesystem::path> firmware_search_path;
  // Values for the scenario's #param parameters (command line --param NAME=VALUE).
  std::map<std::string, std::string> params{};
  // The text is already expanded (a run's saved scenario, on resume): parse it as it is, with
  // `params` as the values it was expanded with.
  bool already_expanded = false;
};

// `path` is a scenario file or a directory holding scenario.txtpb.
std::expected<scenario_file, std::vector<diagnostic>> load_scenario(
    const std::filesystem::path& path, const load_options& options);

// Same, from text already in memory (`display_name` is used in diagnostics; relative firmware
// paths resolve against `base_dir`).
std::expected<scenario_file, std::vector<diagnostic>> parse_scenario(
    const std::string& text, const std::string& display_name, const std::filesystem::path& base_dir,
    const load_options& options);

// "1d", "36h", "90m", "45s", "1d12h": microseconds, or an error message.
std::expected<std::int64_t, std::string> parse_duration_us(const std::string& text);
// RFC 3339 UTC ("2026-01-01T00:00:00Z"): microseconds since the Unix epoch, or an error.
std::expected<std::int64_t, std::string> parse_utc_us(const std::string& text);

// A timeline `at`: an offset from the epoch ("30d") or an RFC 3339 UTC instant not before it.
// Returns microseconds since the epoch.
std::expected<std::int64_t, std::string> parse_event_time_us(const std::string& text,
                                                             std::int64_t epoch_utc_us);

// The directories searched by default: $TWELVEFOLD_FIRMWARE_PATH (colon-separated), then
// the firmware directory next to the running executable (build/firmware for build/bin/...).
std::vector<std::filesystem::path> default_firmware_search_path();

}  // namespace twelvefold::sim
