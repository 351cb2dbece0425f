// Read-only access to a run's twin store (OUT/twins.sqlite) for the CLI's query commands
// (`twelvefold twin`, `twelvefold events`). Opens the file read-only, so it can be used while a
// run is still writing it (WAL), and refuses files that are not twelvefold twin stores.
#pragma once

#include <cstdint>
#include <cstdio>
#include <expected>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

struct sqlite3;

namespace twelvefold::cli {

// A value bound to a `?N` parameter of a query.
using sql_value = std::variant<std::monostate, std::int64_t, double, std::string>;

class store_reader {
 public:
  // `where` is a run's output directory or a .sqlite file. The error names the path and why.
  static std::expected<store_reader, std::string> open(const std::string& where);
  store_reader(store_reader&& other) noexcept;
  store_reader& operator=(store_reader&&) = delete;
  store_reader(const store_reader&) = delete;
  ~store_reader();

  // Runs `sql` with `params` bound to ?1.. and returns the rows as JSON objects keyed by
  // column name (NULL -> null, integers, reals, text).
  std::expected<nlohmann::ordered_json, std::string> query(
      const std::string& sql, const std::vector<sql_value>& params = {}) const;
  [[nodiscard]] bool has_table(const std::string& name) const;
  [[nodiscard]] bool has_column(const std::string& table, const std::string& column) const;
  [[nodiscard]] const std::string& path() const { return path_; }
  // run_info.epoch_utc_us as a number (0 when absent): turns at_us columns into UTC.
  [[nodiscard]] std::int64_t epoch_utc_us() const { return epoch_utc_us_; }

 private:
  store_reader(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
  std::int64_t epoch_utc_us_ = 0;
};

// RFC 3339 UTC text ("2026-01-01T06:00:00Z") of a virtual time in a run that started at
// `epoch_utc_us`.
std::string utc_text(std::int64_t epoch_utc_us, std::int64_t at_us);

// A cell as text: strings bare, reals with 6 significant digits, NULL as "-".
std::string value_text(const nlohmann::ordered_json& v);

// Prints `rows` (an array of objects with the same keys) as an aligned text table.
void print_table(const nlohmann::ordered_json& rows, std::FILE* out);

}  // namespace twelvefold::cli
