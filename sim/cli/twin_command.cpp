// `twelvefold twin show SERIAL` and `twelvefold twin list`: the digital twins of a run, read
// from its twin store (docs/twin-store.md).
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.hpp"
#include "store_reader.hpp"

namespace twelvefold::cli {
namespace {

// Per-twin history tables shown by `twin show`, newest first, when the store has them (tables
// come with the factors a run exercised).
struct history_table {
  const char* table;
  const char* title;
  const char* order_column;
};
constexpr history_table history_tables[] = {
    {"bindings", "Bindings (identity)", "bound_from_us"},
    {"memberships", "Fleet memberships", "since_us"},
    {"env", "Device environment", "set_at_us"},
    {"firmware", "Firmware history", "at_us"},
    {"sessions", "Last sessions", "at_us"},
    {"events", "Last events", "at_us"},
};

std::expected<store_reader, std::string> open_store(const std::string& db) {
  return store_reader::open(db.empty() ? default_store() : db);
}

// at_us columns read better as UTC next to the raw value.
void add_utc(nlohmann::ordered_json& rows, std::int64_t epoch_utc_us) {
  for (auto& row : rows) {
    nlohmann::ordered_json with = nlohmann::ordered_json::object();
    for (auto it = row.begin(); it != row.end(); ++it) {
      const std::string& key = it.key();
      if (key.ends_with("_us") && it->is_number_integer()) {
        with[key.substr(0, key.size() - 3) + "_utc"] =
            utc_text(epoch_utc_us, it->get<std::int64_t>());
      } else {
        with[key] = *it;
      }
    }
    row = std::move(with);
  }
}

}  // namespace

std::string default_store() {
  // The newest run under ./out: what a user who just ran a scenario means.
  std::filesystem::path newest;
  std::filesystem::file_time_type newest_time{};
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("out", ec)) {
    const auto file = entry.path() / "twins.sqlite";
    if (!std::filesystem::exists(file, ec)) continue;
    const auto t = std::filesystem::last_write_time(file, ec);
    if (newest.empty() || t > newest_time) {
      newest = file;
      newest_time = t;
    }
  }
  return newest.empty() ? "out/quickstart/twins.sqlite" : newest.string();
}

int twin_show_command(const twin_args& args) {
  auto store = open_store(args.db);
  if (!store) {
    std::fprintf(stderr, "twelvefold twin show: %s\n", store.error().c_str());
    return exit_bad_input;
  }
  auto twin = store->query("SELECT * FROM twins WHERE serial = ?1", {args.serial});
  if (!twin) {
    std::fprintf(stderr, "twelvefold twin show: %s\n", twin.error().c_str());
    return exit_failed;
  }
  if (twin->empty()) {
    auto near = store->query("SELECT serial FROM twins WHERE serial >= ?1 ORDER BY serial LIMIT 3",
                             {args.serial});
    std::string hint;
    if (near && !near->empty()) {
      hint = " (next serials: ";
      for (std::size_t i = 0; i < near->size(); ++i) {
        hint += (i ? ", " : "") + (*near)[i]["serial"].get<std::string>();
      }
      hint += ")";
    }
    std::fprintf(stderr, "twelvefold twin show: %s: no twin with serial \"%s\"%s\n",
                 store->path().c_str(), args.serial.c_str(), hint.c_str());
    return exit_bad_input;
  }
  nlohmann::ordered_json history = nlohmann::ordered_json::object();
  for (const history_table& h : history_tables) {
    if (!store->has_table(h.table) || !store->has_column(h.table, "serial")) continue;
    const std::string sql = std::string("SELECT * FROM ") + h.table +
                            " WHERE serial = ?1 ORDER BY " + h.order_column + " DESC LIMIT ?2";
    auto rows = store->query(sql, {args.serial, static_cast<std::int64_t>(args.history)});
    if (!rows) {
      std::fprintf(stderr, "twelvefold twin show: %s\n", rows.error().c_str());
      return exit_failed;
    }
    for (auto& row : *rows) row.erase("serial");
    history[h.table] = std::move(*rows);
  }
  if (args.json) {
    nlohmann::ordered_json out{{"twin", (*twin)[0]}, {"history", history}};
    std::printf("%s\n", out.dump(2).c_str());
    return exit_ok;
  }
  nlohmann::ordered_json row = nlohmann::ordered_json::array();
  row.push_back((*twin)[0]);
  add_utc(row, store->epoch_utc_us());
  for (auto it = row[0].begin(); it != row[0].end(); ++it) {
    std::printf("%-20s %s\n", it.key().c_str(), value_text(*it).c_str());
  }
  for (const history_table& h : history_tables) {
    if (!history.contains(h.table) || history[h.table].empty()) continue;
    std::printf("\n%s (newest first, at most %d):\n", h.title, args.history);
    add_utc(history[h.table], store->epoch_utc_us());
    print_table(history[h.table], stdout);
  }
  return exit_ok;
}

int twin_list_command(const twin_args& args) {
  auto store = open_store(args.db);
  if (!store) {
    std::fprintf(stderr, "twelvefold twin list: %s\n", store.error().c_str());
    return exit_bad_input;
  }
  std::string where = " WHERE 1";
  std::vector<sql_value> params;
  auto filter = [&](const std::string& clause, const std::string& value) {
    if (value.empty()) return;
    params.emplace_back(value);
    where += " AND " + clause + "?" + std::to_string(params.size());
  };
  filter("fleet = ", args.fleet);
  filter("rat = ", args.rat);
  if (!args.firmware.empty()) {
    // "env-sensor" matches every version of it; "env-sensor@1.0" one version.
    params.emplace_back(args.firmware);
    const std::string n = std::to_string(params.size());
    where += " AND (firmware = ?" + n + " OR firmware LIKE ?" + n + " || '@%')";
  }
  if (!args.state.empty()) {
    // State is the radio status, or the fleet lifecycle state when the store records one.
    params.emplace_back(args.state);
    const std::string n = std::to_string(params.size());
    where += store->has_column("twins", "state")
                 ? " AND (radio_status = ?" + n + " OR state = ?" + n + ")"
                 : " AND radio_status = ?" + n;
  }
  auto count = store->query("SELECT count(*) AS n FROM twins" + where, params);
  if (!count) {
    std::fprintf(stderr, "twelvefold twin list: %s\n", count.error().c_str());
    return exit_failed;
  }
  params.emplace_back(static_cast<std::int64_t>(args.limit > 0 ? args.limit : -1));
  auto rows = store->query(
      "SELECT serial, fleet, rat, firmware, radio_status, last_seen_us, sessions, "
      "notes_delivered, battery_v FROM twins" +
          where + " ORDER BY serial LIMIT ?" + std::to_string(params.size()),
      params);
  if (!rows) {
    std::fprintf(stderr, "twelvefold twin list: %s\n", rows.error().c_str());
    return exit_failed;
  }
  const std::int64_t matched = (*count)[0]["n"].get<std::int64_t>();
  if (args.json) {
    nlohmann::ordered_json out{{"matched", matched}, {"twins", std::move(*rows)}};
    std::printf("%s\n", out.dump(2).c_str());
    return exit_ok;
  }
  add_utc(*rows, store->epoch_utc_us());
  print_table(*rows, stdout);
  std::printf("%lld twins match%s\n", static_cast<long long>(matched),
              matched > static_cast<std::int64_t>(rows->size()) ? " (use --limit 0 for all)" : "");
  return exit_ok;
}

}  // namespace twelvefold::cli
