// The twin store: a run's digital twins in SQLite (docs/twin-store.md). WAL journal, one
// writer batching rows into one transaction per call, readers open the file read-only.
//
// Thread: one thread at a time (the writer actor owns it).
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "twelvefold/actors/auth.hpp"
#include "twelvefold/actors/messages.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace twelvefold::actors {

class twin_store {
 public:
  // Creates (or truncates) the store at `path` with the current schema.
  static std::expected<std::unique_ptr<twin_store>, std::string> create(
      const std::filesystem::path& path);
  // Opens an existing store to go on writing it (a resumed run, docs/cli.md).
  static std::expected<std::unique_ptr<twin_store>, std::string> open(
      const std::filesystem::path& path);
  ~twin_store();
  twin_store(const twin_store&) = delete;
  twin_store& operator=(const twin_store&) = delete;

  // Inserts or updates rows (keyed by serial) in one transaction.
  std::expected<void, std::string> upsert(const std::vector<twin_row>& rows);
  // Appends events (table events) in one transaction; `serial` must be set on each.
  std::expected<void, std::string> append_events(const std::vector<cloud_event>& events);
  // Appends sessions as the cloud saw them (table sessions), one transaction.
  std::expected<void, std::string> append_sessions(const std::vector<session_row>& sessions);
  // Appends run-level time-series samples (table metrics), one transaction.
  std::expected<void, std::string> append_metrics(const std::vector<metric_sample>& samples);
  // Retention: deletes events and sessions older than `before_us` (virtual time).
  std::expected<void, std::string> expire_before(std::int64_t before_us);
  // Inserts or replaces rows of table bindings (keyed by serial, generation), one transaction.
  std::expected<void, std::string> upsert_bindings(const std::vector<binding_row>& rows);
  // Key/value facts about the run (scenario, seed, epoch, ...), in table run_info.
  std::expected<void, std::string> set_run_info(const std::map<std::string, std::string>& info);
  // Config tables fleets, env and memberships (docs/cloud-config.md), in one transaction.
  std::expected<void, std::string> write_config(const config_rows& rows);

 private:
  twin_store(sqlite3* db, std::filesystem::path path);
  std::expected<void, std::string> exec(const char* sql);
  std::expected<void, std::string> prepare_statements();
  std::string error_text(const char* what) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* upsert_ = nullptr;
  sqlite3_stmt* insert_event_ = nullptr;
  sqlite3_stmt* insert_session_ = nullptr;
  sqlite3_stmt* insert_metric_ = nullptr;
  std::filesystem::path path_;
};

}  // namespace twelvefold::actors
