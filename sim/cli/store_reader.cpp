#include "store_reader.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>

namespace twelvefold::cli {
namespace {

std::string resolve_path(const std::string& where) {
  const std::filesystem::path p(where);
  if (std::filesystem::is_directory(p)) return (p / "twins.sqlite").string();
  return where;
}

void bind(sqlite3_stmt* stmt, int index, const sql_value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) {
    sqlite3_bind_int64(stmt, index, *i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    sqlite3_bind_double(stmt, index, *d);
  } else if (const auto* t = std::get_if<std::string>(&v)) {
    sqlite3_bind_text(stmt, index, t->data(), static_cast<int>(t->size()), SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_null(stmt, index);
  }
}

}  // namespace

std::string value_text(const nlohmann::ordered_json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", v.get<double>());
    return text;
  }
  return v.dump();
}

std::expected<store_reader, std::string> store_reader::open(const std::string& where) {
  const std::string path = resolve_path(where);
  if (!std::filesystem::exists(path)) {
    return std::unexpected(path + ": no such file (give a run's output directory or its " +
                           "twins.sqlite)");
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string message = path + ": cannot open: " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return std::unexpected(message);
  }
  store_reader reader(db, path);
  if (!reader.has_table("run_info") || !reader.has_table("twins")) {
    return std::unexpected(path + ": not a twelvefold run database (no run_info/twins tables)");
  }
  auto epoch = reader.query("SELECT value FROM run_info WHERE key = 'epoch_utc_us'");
  if (epoch && !epoch->empty()) {
    reader.epoch_utc_us_ = std::stoll((*epoch)[0]["value"].get<std::string>());
  }
  return reader;
}

store_reader::store_reader(store_reader&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      epoch_utc_us_(other.epoch_utc_us_) {}

store_reader::~store_reader() { sqlite3_close(db_); }

std::expected<nlohmann::ordered_json, std::string> store_reader::query(
    const std::string& sql, const std::vector<sql_value>& params) const {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    // A file that is not a database at all fails here, on its first query.
    return std::unexpected(path_ + ": " + sqlite3_errmsg(db_));
  }
  for (std::size_t i = 0; i < params.size(); ++i) bind(stmt, static_cast<int>(i + 1), params[i]);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    nlohmann::ordered_json row = nlohmann::ordered_json::object();
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      const char* name = sqlite3_column_name(stmt, c);
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER:
          row[name] = sqlite3_column_int64(stmt, c);
          break;
        case SQLITE_FLOAT:
          row[name] = sqlite3_column_double(stmt, c);
          break;
        case SQLITE_NULL:
          row[name] = nullptr;
          break;
        default:
          row[name] = std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)),
                                  static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)));
      }
    }
    rows.push_back(std::move(row));
  }
  std::string error = rc == SQLITE_DONE ? "" : path_ + ": " + sqlite3_errmsg(db_);
  sqlite3_finalize(stmt);
  if (!error.empty()) return std::unexpected(error);
  return rows;
}

bool store_reader::has_table(const std::string& name) const {
  auto rows = query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", {name});
  return rows && !rows->empty();
}

bool store_reader::has_column(const std::string& table, const std::string& column) const {
  auto rows = query("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", {table, column});
  return rows && !rows->empty();
}

std::string utc_text(std::int64_t epoch_utc_us, std::int64_t at_us) {
  const std::time_t t = static_cast<std::time_t>((epoch_utc_us + at_us) / 1'000'000);
  std::tm parts{};
  gmtime_r(&t, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

void print_table(const nlohmann::ordered_json& rows, std::FILE* out) {
  if (rows.empty()) return;
  std::vector<std::string> keys;
  for (auto it = rows[0].begin(); it != rows[0].end(); ++it) keys.push_back(it.key());
  std::vector<std::size_t> width(keys.size());
  for (std::size_t k = 0; k < keys.size(); ++k) width[k] = keys[k].size();
  for (const auto& row : rows) {
    for (std::size_t k = 0; k < keys.size(); ++k) {
      width[k] = std::max(width[k], value_text(row[keys[k]]).size());
    }
  }
  auto line = [&](auto cell) {
    std::string text;
    for (std::size_t k = 0; k < keys.size(); ++k) {
      std::string c = cell(k);
      if (k + 1 < keys.size()) c.resize(width[k] + 2, ' ');
      text += c;
    }
    std::fprintf(out, "%s\n", text.c_str());
  };
  line([&](std::size_t k) { return keys[k]; });
  for (const auto& row : rows) line([&](std::size_t k) { return value_text(row[keys[k]]); });
}

}  // namespace twelvefold::cli
