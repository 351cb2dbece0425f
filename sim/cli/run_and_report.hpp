// Runs a built world and writes what a run writes (summary.json, the reports, resume.json),
// printing and returning the exit code: shared by `twelvefold run` and `twelvefold resume`.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "twelvefold/actors/world.hpp"
#include "twelvefold/sim/kernel.hpp"

namespace twelvefold::cli {

// `options` comes with the assertions, stop_at_us (and a resume's replay plan); the rest is set
// from `args` (threads, realtime; quiet and json for the output). `command` names the subcommand
// in messages.
// --stop-at TIME: nullopt when not given, or the message for a bad value.
std::expected<std::optional<std::int64_t>, std::string> parse_stop_at(const std::string& text);

int run_and_report(const char* command, std::shared_ptr<const actors::world> world,
                   sim::run_options& options, const std::filesystem::path& out,
                   const run_args& args);

}  // namespace twelvefold::cli
