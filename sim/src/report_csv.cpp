// timeseries.csv and latency_histogram.csv (report.hpp): summary.json's hourly samples as one
// table for spreadsheets and pandas, RFC 4180.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <set>

#include "twelvefold/sim/report.hpp"

#include "atomic_file.hpp"

namespace twelvefold::sim {
namespace {

// Integers as integers, other numbers with enough digits to read back the same double.
std::string number_cell(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d)) return "";
    if (d == std::trunc(d) && std::abs(d) < 1e15) return std::to_string(std::llround(d));
    char text[40];
    std::snprintf(text, sizeof text, "%.17g", d);
    // Shortest form that round-trips, for readability (3600 rather than 3600.0000000000000).
    for (int precision = 1; precision <= 17; ++precision) {
      char shorter[40];
      std::snprintf(shorter, sizeof shorter, "%.*g", precision, d);
      if (std::strtod(shorter, nullptr) == d) return shorter;
    }
    return text;
  }
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_string()) return csv_field(v.get<std::string>());
  return "";
}

std::string cell_or_empty(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() ? std::string() : number_cell(*it);
}

std::string utc_text(std::int64_t utc_us) {
  const auto seconds = static_cast<std::time_t>(utc_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return text;
}

const nlohmann::json& array_at(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::array();
  if (!j.is_object()) return empty;
  const auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}

// Sample times are multiples of seconds; key them in milliseconds so 3600.0 and 3600 join.
std::int64_t time_key(const nlohmann::json& sample) {
  const auto it = sample.find("at_s");
  if (it == sample.end() || !it->is_number()) return -1;
  return std::llround(it->get<double>() * 1000);
}

}  // namespace

std::string csv_field(std::string_view text) {
  const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string timeseries_csv(const nlohmann::json& summary,
                           std::optional<std::int64_t> epoch_utc_us) {
  const auto& network = array_at(summary, "network_timeline");
  const auto& cloud = array_at(summary, "cloud_timeline");
  const auto& firmware = array_at(summary, "firmware_versions");
  // Column sets: every RAT and firmware label seen in any sample, sorted for stable columns.
  std::set<std::string> rats;
  std::set<std::string> labels;
  struct row {
    const nlohmann::json* network = nullptr;
    const nlohmann::json* cloud = nullptr;
    const nlohmann::json* firmware = nullptr;
  };
  std::map<std::int64_t, row> rows;
  for (const auto& s : network) {
    if (!s.is_object() || time_key(s) < 0) continue;
    rows[time_key(s)].network = &s;
    if (const auto it = s.find("connected"); it != s.end() && it->is_object()) {
      for (const auto& [rat, n] : it->items()) rats.insert(rat);
    }
  }
  for (const auto& s : cloud) {
    if (s.is_object() && time_key(s) >= 0) rows[time_key(s)].cloud = &s;
  }
  for (const auto& s : firmware) {
    if (!s.is_object() || time_key(s) < 0) continue;
    rows[time_key(s)].firmware = &s;
    if (const auto it = s.find("versions"); it != s.end() && it->is_object()) {
      for (const auto& [label, n] : it->items()) labels.insert(label);
    }
  }
  // attach_attempts .. reconnects: counts per sample interval (docs/outputs.md).
  static constexpr const char* network_fields[] = {
      "on_fallback",     "failing",           "dark",      "never", "sites_up",
      "attach_attempts", "access_collisions", "reconnects"};
  static constexpr const char* cloud_fields[] = {"sessions", "notes_stored", "events_per_s"};
  std::string out = "at_s,at_utc";
  for (const auto& rat : rats) out += "," + csv_field("connected_" + rat);
  for (const char* f : network_fields) out += std::string(",") + f;
  for (const char* f : cloud_fields) out += std::string(",") + f;
  for (const auto& label : labels) out += "," + csv_field("fw_" + label);
  out += "\r\n";
  auto cell = [](const nlohmann::json* sample, const char* key) -> std::string {
    if (sample == nullptr) return "";
    const auto it = sample->find(key);
    return it == sample->end() ? "" : number_cell(*it);
  };
  for (const auto& [key, r] : rows) {
    const double at_s = static_cast<double>(key) / 1000;
    out += number_cell(nlohmann::json(at_s)) + ",";
    if (epoch_utc_us) out += utc_text(*epoch_utc_us + key * 1000);
    const nlohmann::json* connected = nullptr;
    if (r.network != nullptr) {
      const auto it = r.network->find("connected");
      if (it != r.network->end() && it->is_object()) connected = &*it;
    }
    for (const auto& rat : rats) {
      // A RAT missing from a sample's `connected` had no twins on it then.
      out += ",";
      if (connected != nullptr)
        out += connected->contains(rat) ? number_cell((*connected)[rat]) : "0";
    }
    for (const char* f : network_fields) out += "," + cell(r.network, f);
    for (const char* f : cloud_fields) out += "," + cell(r.cloud, f);
    const nlohmann::json* versions = nullptr;
    if (r.firmware != nullptr) {
      const auto it = r.firmware->find("versions");
      if (it != r.firmware->end() && it->is_object()) versions = &*it;
    }
    for (const auto& label : labels) {
      out += ",";
      if (versions != nullptr)
        out += versions->contains(label) ? number_cell((*versions)[label]) : "0";
    }
    out += "\r\n";
  }
  return out;
}

std::string latency_csv(const nlohmann::json& summary) {
  std::string out = "le_s,count\r\n";
  const nlohmann::json* histogram = nullptr;
  if (summary.is_object()) {
    const auto it = summary.find("delivery_latency");
    if (it != summary.end() && it->is_object()) {
      const auto h = it->find("histogram");
      if (h != it->end() && h->is_array()) histogram = &*h;
    }
  }
  if (histogram == nullptr) return out;
  for (const auto& bin : *histogram) {
    if (!bin.is_object()) continue;
    out += cell_or_empty(bin, "le_s") + "," + cell_or_empty(bin, "count") + "\r\n";
  }
  return out;
}

std::expected<std::vector<std::filesystem::path>, std::string> write_csv_reports(
    const std::filesystem::path& out_dir, const nlohmann::json& summary,
    std::optional<std::int64_t> epoch_utc_us) {
  std::vector<std::filesystem::path> written;
  const auto series = out_dir / "timeseries.csv";
  if (auto ok = write_file_atomically(series, timeseries_csv(summary, epoch_utc_us)); !ok) {
    return std::unexpected(ok.error());
  }
  written.push_back(series);
  const auto latency = out_dir / "latency_histogram.csv";
  if (auto ok = write_file_atomically(latency, latency_csv(summary)); !ok) {
    return std::unexpected(ok.error());
  }
  written.push_back(latency);
  return written;
}

}  // namespace twelvefold::sim
