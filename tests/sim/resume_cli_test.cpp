// `twelvefold run --stop-at` and `twelvefold resume` as a user meets them: exit codes, the
// messages, and a resumed run's summary equal to an uninterrupted one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace {

using twelvefold::test::run_cli;
using twelvefold::test::temp_path;

// The shipped quickstart, small and short (a second or so per run).
const std::string quickstart =
    std::string(TF_SOURCE_DIR) + "/scenarios/quickstart --scale 0.05 --duration 4h --threads 1";

nlohmann::json summary_of(const std::string& out) {
  std::ifstream in(out + "/summary.json");
  auto j = nlohmann::json::parse(in);
  for (const char* key : {"wall_seconds", "activations_per_wall_second", "resume"}) j.erase(key);
  return j;
}

TEST(ResumeCli, StopAtThenResumeExitCodesAndResult) {
  const std::string full = temp_path("resume-full");
  const std::string part = temp_path("resume-part");
  std::filesystem::remove_all(full);
  std::filesystem::remove_all(part);
  ASSERT_EQ(run_cli("run " + quickstart + " --quiet --out " + full).exit_code, 0);

  const auto stopped = run_cli("run " + quickstart + " --out " + part + " --stop-at 2h");
  EXPECT_EQ(stopped.exit_code, 130) << stopped.output;
  EXPECT_NE(stopped.output.find("twelvefold resume " + part), std::string::npos) << stopped.output;

  const auto resumed = run_cli("resume " + part + " --threads 2");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("Resuming " + part + " at 2.0 simulated hours"), std::string::npos)
      << resumed.output;
  auto a = summary_of(full);
  auto b = summary_of(part);
  a.erase("threads");
  b.erase("threads");
  EXPECT_EQ(a, b);

  const auto again = run_cli("resume " + part);
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find(part + "/resume.json: the run finished already"), std::string::npos)
      << again.output;
}

TEST(ResumeCli, BadInputExitsTwo) {
  const auto missing = run_cli("resume " + temp_path("resume-nowhere"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("no such directory"), std::string::npos) << missing.output;

  const std::string empty = temp_path("resume-empty");
  std::filesystem::create_directories(empty);
  const auto no_state = run_cli("resume " + empty);
  EXPECT_EQ(no_state.exit_code, 2);
  EXPECT_NE(no_state.output.find(empty + "/resume.json: no such file"), std::string::npos)
      << no_state.output;

  EXPECT_EQ(run_cli("resume").exit_code, 2);  // OUT is required
  const auto bad_stop =
      run_cli("run " + quickstart + " --quiet --out " + empty + " --stop-at soon");
  EXPECT_EQ(bad_stop.exit_code, 2) << bad_stop.output;
  EXPECT_NE(bad_stop.output.find("--stop-at"), std::string::npos) << bad_stop.output;
  EXPECT_FALSE(std::filesystem::exists(empty + "/resume.json"));  // refused before writing
  EXPECT_EQ(run_cli("resume --help").exit_code, 0);
  EXPECT_NE(run_cli("--help").output.find("resume"), std::string::npos);
}

}  // namespace
