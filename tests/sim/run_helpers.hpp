// Shared by the scenario tests: load a shipped scenario at reduced size and run it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "twelvefold/sim/kernel.hpp"
#include "twelvefold/sim/world_builder.hpp"

namespace twelvefold::test {

std::shared_ptr<const actors::world> shipped_world(const std::string& name,
                                                   const sim::world_overrides& overrides);
std::filesystem::path fresh_dir(const std::string& name);
sim::run_summary run_ok(std::shared_ptr<const actors::world> world, int threads,
                        const std::filesystem::path& out);
// Every row of the twins table, ordered by serial, as text (for equality checks).
std::vector<std::string> dump_twins(const std::filesystem::path& sqlite_file);

}  // namespace twelvefold::test
