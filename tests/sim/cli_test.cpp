// The CLI as a user meets it: exit codes and messages for good and bad input.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

struct result {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

result run_cli(const std::string& args) {
  const std::string command = std::string(TF_CLI) + " " + args + " 2>&1";
  result r;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) r.output += buffer.data();
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/twelvefold-cli-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(Cli, HelpListsTheSubcommands) {
  const auto r = run_cli("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* sub : {"run", "validate", "bench"}) {
    EXPECT_NE(r.output.find(sub), std::string::npos) << sub;
  }
  EXPECT_EQ(run_cli("run --help").exit_code, 0);
  EXPECT_EQ(run_cli("validate --help").exit_code, 0);
}

TEST(Cli, ValidateAcceptsTheShippedQuickstart) {
  const auto r = run_cli("validate " + std::string(TF_SOURCE_DIR) + "/scenarios/quickstart");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ok"), std::string::npos);
}

TEST(Cli, MalformedScenarioExitsTwoNamingFileLineAndColumn) {
  const auto path = write_temp("bad.txtpb", "name: \"x\"\nduration: \"1d\"\nregions {\n");
  for (const char* cmd : {"validate ", "run "}) {
    const auto r = run_cli(cmd + path);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(path + ":4:"), std::string::npos) << r.output;
  }
}

TEST(Cli, SemanticErrorNamesTheField) {
  const auto path = write_temp("sem.txtpb", R"(name: "x"
epoch_utc: "2026-01-01T00:00:00Z"
duration: "1d"
regions { name: "r" center_lat: 52 center_lon: 4 radius_km: 3 environment: "urban" }
device_models { name: "m" firmware: "env-sensor" }
fleets { name: "f" device_model: "m" count: 10 region: "nowhere" }
)");
  const auto r = run_cli("validate " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find(path + ":6:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("unknown region \"nowhere\""), std::string::npos) << r.output;
}

TEST(Cli, MissingScenarioAndBadOptionsExitTwo) {
  EXPECT_EQ(run_cli("run /no/such/scenario").exit_code, 2);
  EXPECT_EQ(run_cli("run --threads 0").exit_code, 2);
  EXPECT_EQ(run_cli("frobnicate").exit_code, 2);
}

TEST(Cli, BrokenFirmwareImageIsBadInput) {
  const auto fw = write_temp("broken.so", "this is not an ELF file");
  const auto path = write_temp("fw.txtpb", R"(name: "x"
epoch_utc: "2026-01-01T00:00:00Z"
duration: "1h"
regions { name: "r" center_lat: 52 center_lon: 4 radius_km: 3 environment: "urban"
  cells { id: 1 rat: "lte-m" lat: 52 lon: 4 } }
device_models { name: "m" firmware: ")" + fw + R"(" }
fleets { name: "f" device_model: "m" count: 2 region: "r" }
)");
  const auto r =
      run_cli("run " + path + " --out /tmp/twelvefold-cli-out-" + std::to_string(getpid()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(fw), std::string::npos) << r.output;
}

}  // namespace
