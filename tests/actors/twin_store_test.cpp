#include "twelvefold/actors/twin_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>

namespace twelvefold::actors {
namespace {

std::filesystem::path temp_path(const char* name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("twelvefold-store-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

twin_row row(const std::string& serial, std::uint64_t notes) {
  twin_row r;
  r.serial = serial;
  r.device_id = "350000000000001";
  r.fleet = "f";
  r.rat = "lte-m";
  r.firmware = "env-sensor@1.0.0";
  r.last_seen_us = 123;
  r.lat = 52.1;
  r.lon = 4.9;
  r.notes_delivered = notes;
  return r;
}

std::int64_t query_int(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::int64_t value = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

TEST(TwinStore, UpsertInsertsThenUpdatesBySerial) {
  const auto path = temp_path("upsert.sqlite");
  {
    auto store = twin_store::create(path);
    ASSERT_TRUE(store) << store.error();
    ASSERT_TRUE((*store)->upsert({row("A", 1), row("B", 2)}));
    ASSERT_TRUE((*store)->upsert({row("A", 5)}));
    ASSERT_TRUE((*store)->set_run_info({{"scenario", "t"}, {"seed", "9"}}));
  }
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM twins"), 2);
  EXPECT_EQ(query_int(path, "SELECT notes_delivered FROM twins WHERE serial='A'"), 5);
  EXPECT_EQ(query_int(path, "SELECT value FROM run_info WHERE key='seed'"), 9);
}

TEST(TwinStore, NeverSeenTwinHasNullLastSeen) {
  const auto path = temp_path("null.sqlite");
  {
    auto store = twin_store::create(path);
    ASSERT_TRUE(store);
    twin_row r = row("C", 0);
    r.last_seen_us = -1;
    ASSERT_TRUE((*store)->upsert({r}));
  }
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM twins WHERE last_seen_us IS NULL"), 1);
}

TEST(TwinStore, CreateTruncatesAnEarlierRun) {
  const auto path = temp_path("truncate.sqlite");
  {
    auto store = twin_store::create(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->upsert({row("A", 1)}));
  }
  {
    auto store = twin_store::create(path);
    ASSERT_TRUE(store);
  }
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM twins"), 0);
}

TEST(TwinStore, UnwritablePathIsAnErrorNamingIt) {
  auto store = twin_store::create("/nonexistent-dir/for/sure/twins.sqlite");
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().find("/nonexistent-dir/for/sure/twins.sqlite"), std::string::npos);
}

TEST(TwinStore, SessionsEventsAndMetricsAppendAndRetentionExpiresOldRows) {
  const auto path = temp_path("history.sqlite");
  auto store = twin_store::create(path);
  ASSERT_TRUE(store) << store.error();
  std::vector<session_row> sessions;
  std::vector<cloud_event> events;
  for (int hour = 0; hour < 10; ++hour) {
    session_row s;
    s.at_us = hour * 3600LL * 1'000'000;
    s.serial = "A-1";
    s.notes = 3;
    s.bytes_up = 200;
    s.rsrp_dbm = hour == 0 ? std::nanf("") : -100.0f;  // no serving site: NULL
    s.outcome = "accepted";
    sessions.push_back(s);
    events.push_back({0, s.at_us, "note", "sensors.qo", "{\"t\":1}", "A-1"});
  }
  ASSERT_TRUE((*store)->append_sessions(sessions));
  ASSERT_TRUE((*store)->append_events(events));
  ASSERT_TRUE((*store)->append_metrics({{0, "connected", "lte-m", 5}, {3600, "dark", "", 1}}));
  // A sample written twice (a resumed run) replaces the first.
  ASSERT_TRUE((*store)->append_metrics({{0, "connected", "lte-m", 7}}));
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM sessions WHERE rsrp_dbm IS NULL"), 1);
  EXPECT_EQ(query_int(path, "SELECT value FROM metrics WHERE name = 'connected'"), 7);
  // Retention: everything before hour 6 goes, from both history tables.
  ASSERT_TRUE((*store)->expire_before(6 * 3600LL * 1'000'000));
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM sessions"), 4);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM events"), 4);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM metrics"), 2);  // metrics are kept
}

}  // namespace
}  // namespace twelvefold::actors
