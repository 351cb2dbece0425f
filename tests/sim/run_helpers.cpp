#include "run_helpers.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

namespace twelvefold::test {

std::shared_ptr<const actors::world> shipped_world(const std::string& name,
                                                   const sim::world_overrides& overrides) {
  sim::load_options options{{TF_TEST_FIRMWARE_DIR}};
  auto loaded = sim::load_scenario(std::string(TF_SOURCE_DIR) + "/scenarios/" + name, options);
  EXPECT_TRUE(loaded) << (loaded ? "" : sim::to_string(loaded.error()));
  return sim::build_world(*loaded, overrides);
}

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("twelvefold-test-" + std::to_string(getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

sim::run_summary run_ok(std::shared_ptr<const actors::world> world, int threads,
                        const std::filesystem::path& out) {
  sim::run_options options;
  options.threads = threads;
  options.out_dir = out;
  auto summary = sim::run_world(std::move(world), options);
  EXPECT_TRUE(summary) << (summary ? "" : summary.error().message);
  return summary ? *summary : sim::run_summary{};
}

std::vector<std::string> dump_twins(const std::filesystem::path& sqlite_file) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(sqlite_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << sqlite_file;
    return rows;
  }
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT * FROM twins ORDER BY serial", -1, &stmt, nullptr);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      const auto* text = sqlite3_column_text(stmt, c);
      row += (text != nullptr ? reinterpret_cast<const char*>(text) : "NULL");
      row += '|';
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

}  // namespace twelvefold::test
