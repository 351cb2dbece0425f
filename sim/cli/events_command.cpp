// `twelvefold events`: reads the event stream (table `events`) of a run's twins.sqlite,
// filtered by serial, Notefile, kind and time range; text or --json. Opens the database
// read-only, so it can look at a run that is still writing.
#include <sqlite3.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "twelvefold/sim/scenario.hpp"

namespace twelvefold::cli {
namespace {

struct events_args {
  std::string input;
  std::string serial;
  std::string file;
  std::string kind;
  std::string from;
  std::string to;
  std::int64_t limit = 1000;
  bool json = false;
};

struct db_closer {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct stmt_finalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using db_handle = std::unique_ptr<sqlite3, db_closer>;
using stmt_handle = std::unique_ptr<sqlite3_stmt, stmt_finalizer>;

int bad_input(const std::string& message) {
  std::cerr << "twelvefold events: " << message << "\n";
  return exit_bad_input;
}

std::string text_column(sqlite3_stmt* s, int column) {
  const unsigned char* text = sqlite3_column_text(s, column);
  return text == nullptr ? std::string() : reinterpret_cast<const char*>(text);
}

// RFC 3339 UTC with milliseconds.
std::string utc_text(std::int64_t utc_us) {
  const std::time_t seconds = static_cast<std::time_t>(utc_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(utc_us % 1'000'000 / 1000));
  return text;
}

int run_events(const events_args& a) {
  std::filesystem::path path = a.input.empty() ? default_store() : a.input;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) path /= "twins.sqlite";
  if (!std::filesystem::exists(path, ec)) {
    return bad_input(path.string() +
                     ": no such file (give a run's output directory or its "
                     "twins.sqlite)");
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  db_handle db(raw);
  if (rc != SQLITE_OK) return bad_input(path.string() + ": " + sqlite3_errmsg(raw));

  // A twelvefold run database has run_info (with its epoch) and events.
  std::int64_t epoch_utc_us = 0;
  {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db.get(), "SELECT value FROM run_info WHERE key = 'epoch_utc_us'", -1,
                           &s, nullptr) != SQLITE_OK) {
      return bad_input(path.string() + ": not a twelvefold run database (" +
                       sqlite3_errmsg(db.get()) + ")");
    }
    stmt_handle stmt(s);
    if (sqlite3_step(s) != SQLITE_ROW) {
      return bad_input(path.string() + ": not a twelvefold run database (no run_info epoch)");
    }
    epoch_utc_us = std::stoll(text_column(s, 0));
  }
  auto time_of = [&](const std::string& option,
                     const std::string& text) -> std::expected<std::int64_t, std::string> {
    auto t = sim::parse_event_time_us(text, epoch_utc_us);
    if (!t) return std::unexpected(option + " " + text + ": " + t.error());
    return t;
  };
  std::optional<std::int64_t> from_us;
  std::optional<std::int64_t> to_us;
  if (!a.from.empty()) {
    auto t = time_of("--from", a.from);
    if (!t) return bad_input(t.error());
    from_us = *t;
  }
  if (!a.to.empty()) {
    auto t = time_of("--to", a.to);
    if (!t) return bad_input(t.error());
    to_us = *t;
  }

  std::string sql = "SELECT id, serial, at_us, kind, file, body FROM events WHERE 1";
  if (!a.serial.empty()) sql += " AND serial = ?1";
  if (!a.file.empty()) sql += " AND file = ?2";
  if (!a.kind.empty()) sql += " AND kind = ?3";
  if (from_us) sql += " AND at_us >= ?4";
  if (to_us) sql += " AND at_us < ?5";
  sql += " ORDER BY at_us, id LIMIT ?6";
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    return bad_input(path.string() + ": not a twelvefold run database (" +
                     sqlite3_errmsg(db.get()) + ")");
  }
  stmt_handle stmt(s);
  sqlite3_bind_text(s, 1, a.serial.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, a.file.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, a.kind.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 4, from_us.value_or(0));
  sqlite3_bind_int64(s, 5, to_us.value_or(0));
  sqlite3_bind_int64(s, 6, a.limit);

  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  int step = 0;
  std::size_t printed = 0;
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    const std::int64_t at_us = sqlite3_column_int64(s, 2);
    const std::string body = text_column(s, 5);
    if (a.json) {
      auto parsed = nlohmann::ordered_json::parse(body, nullptr, false);
      rows.push_back({{"id", sqlite3_column_int64(s, 0)},
                      {"serial", text_column(s, 1)},
                      {"at_us", at_us},
                      {"at", utc_text(epoch_utc_us + at_us)},
                      {"kind", text_column(s, 3)},
                      {"file", text_column(s, 4)},
                      {"body", parsed.is_discarded() ? nlohmann::ordered_json(body) : parsed}});
    } else {
      ++printed;
      std::cout << utc_text(epoch_utc_us + at_us) << "  " << text_column(s, 1) << "  "
                << text_column(s, 3) << "  "
                << (text_column(s, 4).empty() ? "-" : text_column(s, 4)) << "  " << body << "\n";
    }
  }
  if (step != SQLITE_DONE) {
    std::cerr << "twelvefold events: " << path.string() << ": " << sqlite3_errmsg(db.get()) << "\n";
    return exit_failed;
  }
  if (a.json) {
    std::cout << rows.dump(2) << "\n";
  } else if (printed == 0) {
    // Say so, rather than print nothing: Notes reach table events only through a store route.
    std::cerr << "twelvefold events: no events match in " << path.string()
              << " (Notes are recorded only when a route with `sink { store {} }` matches)\n";
  }
  return exit_ok;
}

}  // namespace

std::function<std::optional<int>()> add_events_command(CLI::App& app) {
  auto args = std::make_shared<events_args>();
  CLI::App* cmd = app.add_subcommand(
      "events",
      "List a run's events (table events of OUT/twins.sqlite): Notes routed to the "
      "store, and whatever else the cloud recorded");
  cmd->add_option("run", args->input,
                  "A run's output directory or its twins.sqlite (default: the newest "
                  "out/*/twins.sqlite)");
  cmd->add_option("--db", args->input, "Same as RUN (as `twin show --db`)");
  cmd->add_option("--serial", args->serial, "Only this device serial");
  cmd->add_option("--file", args->file, "Only this Notefile (e.g. data.qo)");
  cmd->add_option("--kind", args->kind, "Only this kind (note, db, log, ...)");
  cmd->add_option("--from", args->from,
                  "From this time: an offset from the run's epoch (\"2h\") or RFC 3339 UTC");
  cmd->add_option("--to", args->to, "Before this time (same forms as --from)");
  cmd->add_option("--limit", args->limit, "At most this many events")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000'000}))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print a JSON array");
  return [cmd, args]() -> std::optional<int> {
    if (!cmd->parsed()) return std::nullopt;
    return run_events(*args);
  };
}

}  // namespace twelvefold::cli
