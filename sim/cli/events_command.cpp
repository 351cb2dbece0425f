// `twelvefold events`: reads the event stream (table `events`) of a run's twins.sqlite,
// filtered by serial, Notefile, kind and time range; text or --json. Opens the database
// read-only, so it can look at a run that is still writing.
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
#include "store_reader.hpp"
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

int bad_input(const std::string& message) {
  std::cerr << "twelvefold events: " << message << "\n";
  return exit_bad_input;
}

// RFC 3339 UTC with milliseconds.
std::string utc_text_ms(std::int64_t utc_us) {
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
  auto store = store_reader::open(a.input.empty() ? default_store() : a.input);
  if (!store) return bad_input(store.error());
  if (!store->has_table("events")) {
    return bad_input(store->path() + ": not a twelvefold run database (no events table)");
  }
  const std::int64_t epoch_utc_us = store->epoch_utc_us();
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
  auto found = store->query(
      sql, {a.serial, a.file, a.kind, from_us.value_or(0), to_us.value_or(0), a.limit});
  if (!found) {
    std::cerr << "twelvefold events: " << found.error() << "\n";
    return exit_failed;
  }
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& row : *found) {
    const std::int64_t at_us = row["at_us"].get<std::int64_t>();
    const std::string body = row["body"].get<std::string>();
    const std::string file = row["file"].get<std::string>();
    if (a.json) {
      auto parsed = nlohmann::ordered_json::parse(body, nullptr, false);
      rows.push_back({{"id", row["id"]},
                      {"serial", row["serial"]},
                      {"at_us", at_us},
                      {"at", utc_text_ms(epoch_utc_us + at_us)},
                      {"kind", row["kind"]},
                      {"file", file},
                      {"body", parsed.is_discarded() ? nlohmann::ordered_json(body) : parsed}});
    } else {
      std::cout << utc_text_ms(epoch_utc_us + at_us) << "  " << value_text(row["serial"]) << "  "
                << value_text(row["kind"]) << "  " << (file.empty() ? "-" : file) << "  " << body
                << "\n";
    }
  }
  if (a.json) {
    std::cout << rows.dump(2) << "\n";
  } else if (found->empty()) {
    // Say so, rather than print nothing: Notes reach table events only through a store route.
    std::cerr << "twelvefold events: no events match in " << store->path()
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
