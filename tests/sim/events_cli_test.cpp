// `twelvefold events` as a user meets it: filters, --json, and clear errors for a missing
// file, a database that is not a run's, and a bad time.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

struct result {
  int exit_code = -1;
  std::string output;
};

result run_cli(const std::string& args, bool with_stderr = true) {
  const std::string command = std::string(TF_CLI) + " " + args + (with_stderr ? " 2>&1" : "");
  result r;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) r.output += buffer.data();
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// One run of test-routes twins with a store route, shared by the tests.
class EventsCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("twelvefold-events-cli-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "scenario.txtpb") << R"(
name: "events-cli"
epoch_utc: "2026-03-01T00:00:00Z"
duration: "3h"
regions {
  name: "town" center_lat: 48.0 center_lon: 11.0 radius_km: 2 environment: "urban"
  cells { id: 1 rat: "lte-m" lat: 48.0 lon: 11.0 }
}
device_models { name: "probe" firmware: ")" + std::string(TF_TEST_FIRMWARE_DIR) +
                                                  R"(/test-routes.so" }
fleets { name: "meters" device_model: "probe" count: 5 region: "town" boot_spread_s: 60 }
routes { name: "all" sink { store {} } }
web_routes { name: "api" simulated {} }
timeline { at: "1h" inbound_note { serial: "METERS-0000002" file: "data.qi" body: "{\"n\":5}" } }
)";
    const auto r = run_cli("run " + (dir_ / "scenario.txtpb").string() + " --out " +
                           (dir_ / "out").string() + " --quiet --threads 1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static inline std::filesystem::path dir_;
};

TEST_F(EventsCli, ListsEventsFilteredBySerialFileAndKindAsJson) {
  const auto r = run_cli("events " + (dir_ / "out").string() +
                             " --serial METERS-0000002 --file got.qo --kind note --json",
                         false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  ASSERT_EQ(j.size(), 1u) << r.output;
  EXPECT_EQ(j[0]["serial"], "METERS-0000002");
  EXPECT_EQ(j[0]["kind"], "note");
  EXPECT_EQ(j[0]["file"], "got.qo");
  EXPECT_EQ(j[0]["body"]["inbound"], 5);
  EXPECT_TRUE(j[0]["at"].get<std::string>().starts_with("2026-03-01T01:"));
}

TEST_F(EventsCli, TimeRangeAndLimit) {
  const auto all = nlohmann::json::parse(
      run_cli("events " + (dir_ / "out" / "twins.sqlite").string() + " --json", false).output);
  ASSERT_GT(all.size(), 20u);
  const auto window = nlohmann::json::parse(
      run_cli("events " + (dir_ / "out").string() + " --from 1h --to 2026-03-01T02:00:00Z --json",
              false)
          .output);
  ASSERT_GT(window.size(), 0u);
  ASSERT_LT(window.size(), all.size());
  for (const auto& e : window) {
    EXPECT_GE(e["at_us"].get<std::int64_t>(), 3'600'000'000LL);
    EXPECT_LT(e["at_us"].get<std::int64_t>(), 7'200'000'000LL);
  }
  const auto three = nlohmann::json::parse(
      run_cli("events " + (dir_ / "out").string() + " --limit 3 --json", false).output);
  EXPECT_EQ(three.size(), 3u);
  // Text: one line per event, time first.
  const auto text = run_cli("events " + (dir_ / "out").string() + " --limit 2", false);
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_EQ(std::count(text.output.begin(), text.output.end(), '\n'), 2);
  EXPECT_TRUE(text.output.starts_with("2026-03-01T")) << text.output;
}

TEST_F(EventsCli, MissingFileIsBadInput) {
  const auto r = run_cli("events " + (dir_ / "nope").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find((dir_ / "nope").string() + ": no such file"), std::string::npos)
      << r.output;
}

TEST_F(EventsCli, ADatabaseThatIsNotARunIsBadInput) {
  const auto other = dir_ / "other.sqlite";
  sqlite3* db = nullptr;
  sqlite3_open(other.c_str(), &db);
  sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto r = run_cli("events " + other.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("not a twelvefold run database"), std::string::npos) << r.output;
  std::ofstream(dir_ / "text.sqlite") << "hello, not a database\n";
  r = run_cli("events " + (dir_ / "text.sqlite").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("not a twelvefold run database"), std::string::npos) << r.output;
}

TEST_F(EventsCli, BadTimeIsBadInput) {
  auto r = run_cli("events " + (dir_ / "out").string() + " --from yesterday");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--from yesterday: "), std::string::npos) << r.output;
  r = run_cli("events " + (dir_ / "out").string() + " --to 2025-01-01T00:00:00Z");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("before the scenario's epoch_utc"), std::string::npos) << r.output;
}

}  // namespace
