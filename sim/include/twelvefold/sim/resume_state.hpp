// What a run keeps in its output directory so that it can be resumed after a stop, and the
// checks before a resume (docs/cli.md, "Resuming a run"; docs/outputs.md, "resume.json").
//
// OUT/resume-scenario.txtpb  the scenario text exactly as the run parsed it (after #include
//                            and #param expansion): a resume never reads the original files
// OUT/resume.json            status, build, hashes of that text and of every firmware image,
//                            the options that change results, and where the run stopped
//
// A resume re-executes the run's prefix (replay.hpp says why), so everything that decides the
// results must be the same: the build, the scenario text, the options, the firmware images.
#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "twelvefold/actors/world.hpp"
#include "twelvefold/sim/kernel.hpp"
#include "twelvefold/sim/scenario.hpp"
#include "twelvefold/sim/world_builder.hpp"

namespace twelvefold::sim {

inline constexpr const char* resume_state_file = "resume.json";
inline constexpr const char* resume_scenario_file = "resume-scenario.txtpb";

// "twelvefold VERSION (build-id HEX)": the executable's GNU build id, or a hash of the
// executable when it has none. A resume refuses a different build.
std::string build_identity();

// Why a run of this world could not be replayed exactly ("" when it can): external twins run
// on the wall clock, real web routes answer what a real server answers.
std::string not_resumable_reason(const scenario_file& scenario, const actors::world& world);

// At the start of a run with an output directory: writes both files (status "running").
std::expected<void, std::string> record_run_start(const std::filesystem::path& out,
                                                  const scenario_file& scenario,
                                                  const world_overrides& overrides,
                                                  const actors::world& world);

// When a run (first or resumed) ends: status "stopped" with where it stopped, or "finished".
std::expected<void, std::string> record_run_end(const std::filesystem::path& out,
                                                const run_summary& summary);

struct resume_input {
  scenario_file scenario;  // parsed from OUT/resume-scenario.txtpb
  world_overrides overrides;
  std::shared_ptr<const actors::world> world;
  replay_plan plan;  // before_live marks OUT/resume.json "running"
};

// Loads OUT's resume state and checks every condition for an exact replay. The error names the
// file and the reason; nothing in OUT is modified.
std::expected<resume_input, std::string> prepare_resume(
    const std::filesystem::path& out,
    const std::vector<std::filesystem::path>& firmware_search_path);

}  // namespace twelvefold::sim
