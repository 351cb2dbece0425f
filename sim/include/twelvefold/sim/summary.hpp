// summary.json: the run's figures, for people and for CI (docs/outputs.md lists the fields).
#pragma once

#include <expected>
#include <filesystem>
#include <string>

#include "twelvefold/sim/kernel.hpp"

namespace twelvefold::sim {

// Pretty-printed JSON text of a summary (stable key order).
std::string summary_json(const run_summary& summary);

// Writes DIR/summary.json atomically (temp file + rename), so a reader never sees half a file.
std::expected<void, std::string> write_summary(const std::filesystem::path& dir,
                                               const run_summary& summary);

}  // namespace twelvefold::sim
