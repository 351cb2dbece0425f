// Reports of a finished run, built from its output directory (docs/outputs.md, "Reports"):
//   OUT/report.html           one self-contained page (inline CSS and SVG charts, no network)
//   OUT/timeseries.csv        the hourly samples of summary.json as one table
//   OUT/latency_histogram.csv delivery latency bins (le_s, count)
// Inputs: OUT/summary.json (required) and OUT/twins.sqlite (optional: without it the page has
// no per-twin battery histogram and says so). Reads the twin store with aggregate SQL only, so
// a 1M-twin store costs a few scans, not memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace twelvefold::sim {

struct report_files {
  std::vector<std::filesystem::path> written;  // in the order written
  std::vector<std::string> notes;              // what the report had to leave out, and why
};

// Why a report could not be written. `bad_input`: the directory or summary.json is missing or
// malformed (the message names the file, and for JSON the byte position); otherwise writing
// failed.
struct report_error {
  bool bad_input = false;
  std::string message;
};

// Writes all three files into `out_dir` (each atomically: temp file + rename).
std::expected<report_files, report_error> write_report(const std::filesystem::path& out_dir);

// The CSV files alone, from a parsed summary.json; returns the paths written.
// `epoch_utc_us` (twins.sqlite run_info) fills the at_utc column; empty cells without it.
std::expected<std::vector<std::filesystem::path>, std::string> write_csv_reports(
    const std::filesystem::path& out_dir, const nlohmann::json& summary,
    std::optional<std::int64_t> epoch_utc_us);

// The text of timeseries.csv: one row per sample time of network_timeline, cloud_timeline and
// firmware_versions (they share the hourly cadence; a cell is empty where a series has no
// sample at that time), sorted by at_s.
std::string timeseries_csv(const nlohmann::json& summary, std::optional<std::int64_t> epoch_utc_us);
// The text of latency_histogram.csv: le_s,count per delivery_latency.histogram bin.
std::string latency_csv(const nlohmann::json& summary);

// One RFC 4180 field: quoted (with doubled quotes) when it holds a comma, quote, CR or LF,
// or starts or ends with a space.
std::string csv_field(std::string_view text);

}  // namespace twelvefold::sim
