// The twin store in a resumed run (actors/include/twelvefold/actors/replay.hpp): an existing
// store is continued; the writer drops every write while the run replays its prefix, and the
// rows the stopped run already wrote wherever they come again.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <caf/all.hpp>

#include "twelvefold/actors/atoms.hpp"
#include "twelvefold/actors/twin_store.hpp"
#include "twelvefold/actors/twin_store_writer.hpp"

namespace twelvefold::actors {
namespace {

std::filesystem::path temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("twelvefold-store-resume-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

std::vector<std::string> column(const std::filesystem::path& path, const char* sql) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

cloud_event event(const std::string& serial, std::int64_t at_us) {
  cloud_event e;
  e.serial = serial;
  e.at_us = at_us;
  e.kind = "log";
  e.body = "{}";
  return e;
}

session_row session(const std::string& serial) {
  session_row r;
  r.serial = serial;
  r.outcome = "accepted";
  return r;
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(TwinStoreResume, OpenRefusesWhatIsNotAStore) {
  const auto missing = twin_store::open(temp_path("none.sqlite"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("none.sqlite: cannot open twin store"), std::string::npos)
      << missing.error();
  const auto other = temp_path("other.sqlite");
  std::filesystem::remove(other);
  sqlite3* db = nullptr;
  sqlite3_open(other.c_str(), &db);
  sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  const auto wrong = twin_store::open(other);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().find("not a twelvefold twin store"), std::string::npos) << wrong.error();
}

TEST(TwinStoreResume, WriterDropsTheReplayAndTheRowsAlreadyWritten) {
  const auto path = temp_path("resume.sqlite");
  {
    // The stopped run: two events and one session written.
    auto store = twin_store::create(path);
    ASSERT_TRUE(store) << store.error();
    ASSERT_TRUE((*store)->append_events({event("A", 1), event("B", 2)}));
    ASSERT_TRUE((*store)->append_sessions({session("A")}));
  }
  const std::string at_stop = file_bytes(path);
  caf::actor_system_config config;
  caf::actor_system system{config};
  caf::scoped_actor self{system};
  const auto writer = spawn_resuming_twin_store_writer(system, path, {2, 1});
  auto ask_bool = [&](auto... xs) {
    bool ok = false;
    self->request(writer, caf::infinite, xs...)
        .receive([&](bool b) { ok = b; }, [&](caf::error& e) { ADD_FAILURE() << to_string(e); });
    return ok;
  };
  auto ask_counts = [&](auto atom) {
    std::vector<std::uint64_t> counts;
    self->request(writer, caf::infinite, atom)
        .receive([&](std::vector<std::uint64_t>& c) { counts = std::move(c); },
                 [&](caf::error& e) { ADD_FAILURE() << to_string(e); });
    return counts;
  };
  // The replay: the first event again, twin rows, retention; none of it is written.
  EXPECT_TRUE(ask_bool(events_atom::value, std::vector<cloud_event>{event("A", 1)}));
  EXPECT_TRUE(ask_bool(upsert_atom::value, std::vector<twin_row>{}));
  EXPECT_TRUE(ask_bool(expire_atom::value, std::int64_t{100}));
  EXPECT_EQ(file_bytes(path), at_stop);
  EXPECT_EQ(ask_counts(live_atom::value), (std::vector<std::uint64_t>{1, 0}));
  // Live: B and A's session were written before the stop, C and B's session are new.
  EXPECT_TRUE(ask_bool(events_atom::value, std::vector<cloud_event>{event("B", 2), event("C", 3)}));
  EXPECT_TRUE(ask_bool(sessions_atom::value, std::vector<session_row>{session("A"), session("B")}));
  EXPECT_EQ(ask_counts(collect_atom::value), (std::vector<std::uint64_t>{3, 2}));
  EXPECT_TRUE(ask_bool(close_atom::value));
  caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
  EXPECT_EQ(column(path, "SELECT serial FROM events ORDER BY id"),
            (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(column(path, "SELECT serial FROM sessions ORDER BY rowid"),
            (std::vector<std::string>{"A", "B"}));
}

}  // namespace
}  // namespace twelvefold::actors
