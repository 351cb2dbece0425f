// summary.json: the run's figures, for people and for CI (docs/outputs.md lists the fields).
#pragma once

#include <expected>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "twelvefold/sim/kernel.hpp"

namespace twelvefold::sim {

// The summary as a JSON document (stable key order): what assertions are checked against.
nlohmann::ordered_json summary_document(const run_summary& summary);
// Pretty-printed JSON text of a summary.
std::string summary_json(const run_summary& summary);

// Writes DIR/summary.json atomically (temp file + rename), so a reader never sees half a file.
std::expected<void, std::string> write_summary(const std::filesystem::path& dir,
                                               const run_summary& summary);

}  // namespace twelvefold::sim
