// Scenario sources before parsing: includes and parameters (docs/scenarios.md, "Includes and
// parameters"). Directives are lines that Protobuf text format reads as comments, so a file
// stays a valid .txtpb for any other tool:
//
//   #param NAME = VALUE      defines NAME unless already defined (the first definition wins:
//                            command line, then the including file, then the included one)
//   #include "PATH"          inserts PATH (relative to this file) here
//   ... ${NAME} ...          replaced by the parameter's value anywhere else ($$ is a "$")
//
// Expansion keeps a map from each line of the expanded text back to its file and line, so
// every diagnostic still names the file the user wrote.
#pragma once

#include <expected>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "twelvefold/sim/diagnostic.hpp"

namespace twelvefold::sim {

struct source_line {
  std::string file;
  int line = 0;  // 1-based
};

struct expanded_source {
  std::string text;
  std::vector<source_line> lines;             // index: expanded line - 1
  std::map<std::string, std::string> params;  // every parameter and the value used
  std::vector<std::string> files;             // every file read, the top one first

  // Moves a diagnostic from expanded-text coordinates to the file and line it came from.
  [[nodiscard]] diagnostic locate(diagnostic d) const;
};

// Expands `text` (from `display_name`; includes resolve against `base_dir`). `overrides` are
// parameters given on the command line: they win over every #param.
std::expected<expanded_source, std::vector<diagnostic>> expand_scenario_source(
    const std::string& text, const std::string& display_name, const std::filesystem::path& base_dir,
    const std::map<std::string, std::string>& overrides);

}  // namespace twelvefold::sim
