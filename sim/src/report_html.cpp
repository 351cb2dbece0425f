// report.html: one self-contained page per run (inline CSS, inline SVG charts from
// report_svg.cpp, no script, nothing fetched), plus the CSVs (report_csv.cpp). Everything comes
// from OUT/summary.json, with per-twin distributions from OUT/twins.sqlite by aggregate SQL.
//
// The twin store is read with sqlite3 directly rather than the CLI's store_reader: the report
// is part of the sim library (the run writes it), and the library does not depend on the CLI.
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "report_svg.hpp"
#include "twelvefold/sim/report.hpp"

#include "atomic_file.hpp"

namespace twelvefold::sim {
namespace {

using nlohmann::json;
namespace r = report;

// ---- JSON access that tolerates missing or mistyped fields (older or partial summaries) ----

const json& field(const json& j, const char* key) {
  static const json null_value;
  if (!j.is_object()) return null_value;
  const auto it = j.find(key);
  return it == j.end() ? null_value : *it;
}

double num(const json& j, const char* key) {
  const json& v = field(j, key);
  return v.is_number() ? v.get<double>() : std::nan("");
}

std::string str(const json& j, const char* key) {
  const json& v = field(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

const json& arr(const json& j, const char* key) {
  static const json empty = json::array();
  const json& v = field(j, key);
  return v.is_array() ? v : empty;
}

const json& obj(const json& j, const char* key) {
  static const json empty = json::object();
  const json& v = field(j, key);
  return v.is_object() ? v : empty;
}

std::string esc(std::string_view s) { return r::html_escape(s); }

// Full integers with thousands separators for tables and cards: 45,541.
std::string count_text(double v) {
  if (std::isnan(v)) return "-";
  if (std::abs(v - std::round(v)) > 1e-9 || std::abs(v) >= 1e15) return r::number_text(v);
  std::string digits = std::to_string(std::llabs(std::llround(v)));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return (v < 0 ? "-" : "") + digits;
}

std::string percent_text(double ratio) {
  if (std::isnan(ratio)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, ratio >= 0.9995 && ratio < 1 ? "%.2f%%" : "%.1f%%", ratio * 100);
  if (ratio == 1) return "100%";
  return text;
}

std::string years_text(double y) {
  if (std::isnan(y)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, y >= 100 ? "%.0f y" : "%.1f y", y);
  return text;
}

std::string seconds_cell(const json& v) {
  return v.is_number() ? r::duration_text(v.get<double>()) : std::string("never");
}

// ---- Read-only twin store, aggregate queries only ----

struct db_closer {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};

class store {
 public:
  static std::optional<store> open(const std::filesystem::path& path, std::string& why) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      why = path.string() + " is missing";
      return std::nullopt;
    }
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    store s;
    s.db_.reset(raw);
    if (rc != SQLITE_OK) {
      why = path.string() + ": " + (raw != nullptr ? sqlite3_errmsg(raw) : "cannot open");
      return std::nullopt;
    }
    if (!s.has_table("twins")) {
      why = path.string() + " has no table twins (not a twelvefold run database)";
      return std::nullopt;
    }
    return s;
  }

  bool has_table(const char* name) const {
    bool found = false;
    each("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
         [&](sqlite3_stmt*) { found = true; }, {name});
    return found;
  }

  // Runs `sql` (text parameters bound to ?1..) and calls `row` per result row. False on error.
  template <class F>
  bool each(const char* sql, F&& row, std::initializer_list<const char*> params = {},
            std::initializer_list<double> numbers = {}) const {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql, -1, &s, nullptr) != SQLITE_OK) return false;
    int i = 1;
    for (const char* p : params) sqlite3_bind_text(s, i++, p, -1, SQLITE_TRANSIENT);
    for (const double d : numbers) sqlite3_bind_double(s, i++, d);
    int step = 0;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) row(s);
    sqlite3_finalize(s);
    return step == SQLITE_DONE;
  }

 private:
  std::unique_ptr<sqlite3, db_closer> db_;
};

std::string column_text(sqlite3_stmt* s, int column) {
  const unsigned char* text = sqlite3_column_text(s, column);
  return text == nullptr ? std::string() : reinterpret_cast<const char*>(text);
}

// What the page needs from twins.sqlite.
struct store_figures {
  bool present = false;
  std::string missing_reason;
  std::optional<std::int64_t> epoch_utc_us;
  // Projected battery life: twins with a value, quantiles and a histogram.
  std::uint64_t battery_twins = 0;
  double battery_min = std::nan(""), battery_median = std::nan(""), battery_p99 = std::nan("");
  double battery_max = std::nan("");
  double battery_bin_years = 0;
  std::vector<double> battery_bins;  // last bin: everything from its lower edge up
  bool battery_overflow = false;
  // Sessions the cloud refused, by hour of arrival (end-of-hour at_s -> count).
  std::map<double, double> refused_by_hour;
  std::map<std::string, double> radio_status;
};

double quantile_of(const store& db, std::uint64_t n, double q) {
  double v = std::nan("");
  const auto offset = static_cast<double>(
      std::min<std::uint64_t>(n - 1, static_cast<std::uint64_t>(std::floor(q * (n - 1)))));
  db.each(
      "SELECT battery_life_years FROM twins WHERE battery_life_years IS NOT NULL "
      "AND battery_life_years < 1e300 ORDER BY battery_life_years LIMIT 1 OFFSET ?1",
      [&](sqlite3_stmt* s) { v = sqlite3_column_double(s, 0); }, {}, {offset});
  return v;
}

store_figures read_store(const std::filesystem::path& dir) {
  store_figures f;
  auto db = store::open(dir / "twins.sqlite", f.missing_reason);
  if (!db) return f;
  f.present = true;
  if (db->has_table("run_info")) {
    db->each("SELECT value FROM run_info WHERE key = 'epoch_utc_us'",
             [&](sqlite3_stmt* s) { f.epoch_utc_us = sqlite3_column_int64(s, 0); });
  }
  // Infinite projections (a twin that drew nothing) are left out of the distribution.
  db->each(
      "SELECT count(*), min(battery_life_years), max(battery_life_years) FROM twins "
      "WHERE battery_life_years IS NOT NULL AND battery_life_years < 1e300",
      [&](sqlite3_stmt* s) {
        f.battery_twins = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
        f.battery_min = sqlite3_column_double(s, 1);
        f.battery_max = sqlite3_column_double(s, 2);
      });
  if (f.battery_twins > 0) {
    f.battery_median = quantile_of(*db, f.battery_twins, 0.5);
    f.battery_p99 = quantile_of(*db, f.battery_twins, 0.99);
    // Bins of a nice width up to the 99th percentile; the long tail goes into the last bin.
    const double top = f.battery_p99 > 0 ? f.battery_p99 : std::max(f.battery_max, 1.0);
    const auto t = r::nice_ticks(0, top, 16);
    f.battery_bin_years = t.step;
    const auto bins = static_cast<std::size_t>(std::max(1.0, std::ceil(top / t.step)));
    f.battery_overflow = f.battery_max >= static_cast<double>(bins) * t.step;
    f.battery_bins.assign(bins + (f.battery_overflow ? 1 : 0), 0.0);
    const double last = static_cast<double>(f.battery_bins.size() - 1);
    db->each(
        "SELECT min(CAST(battery_life_years / ?1 AS INTEGER), ?2) AS b, count(*) FROM twins "
        "WHERE battery_life_years IS NOT NULL AND battery_life_years < 1e300 GROUP BY b",
        [&](sqlite3_stmt* s) {
          const auto b =
              static_cast<std::size_t>(std::max<sqlite3_int64>(0, sqlite3_column_int64(s, 0)));
          if (b < f.battery_bins.size()) f.battery_bins[b] += sqlite3_column_double(s, 1);
        },
        {}, {t.step, last});
  }
  db->each("SELECT radio_status, count(*) FROM twins GROUP BY radio_status", [&](sqlite3_stmt* s) {
    f.radio_status[column_text(s, 0)] = sqlite3_column_double(s, 1);
  });
  if (db->has_table("sessions")) {
    db->each(
        "SELECT at_us / 3600000000 AS h, count(*) FROM sessions WHERE outcome != 'accepted' "
        "GROUP BY h",
        [&](sqlite3_stmt* s) {
          f.refused_by_hour[static_cast<double>(sqlite3_column_int64(s, 0) + 1) * 3600] =
              sqlite3_column_double(s, 1);
        });
  }
  return f;
}

// ---- Page building blocks ----

constexpr const char* stylesheet = R"css(
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#1f2430;font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header{background:#fff;border-bottom:1px solid #e2e5ea;padding:18px 32px;display:flex;align-items:center;gap:24px}
.brand{font-size:11px;letter-spacing:.12em;text-transform:uppercase;color:#7b8494;font-weight:600}
h1{margin:2px 0 6px;font-size:24px;font-weight:600}
.meta{color:#4b5363;font-size:13px}.meta span{margin-right:18px;white-space:nowrap}.meta b{font-weight:600;color:#1f2430}
.desc{color:#7b8494;font-size:13px;margin-top:4px}
.badge{margin-left:auto;padding:10px 18px;border-radius:8px;font-weight:700;font-size:15px;text-align:center;white-space:nowrap}
.badge small{display:block;font-weight:500;font-size:11px;opacity:.85}
.badge.pass{background:#e3f4e6;color:#1b7f37;border:1px solid #b9e2c2}
.badge.fail{background:#fde6e8;color:#c4162a;border:1px solid #f6bcc3}
.badge.none{background:#f0f1f4;color:#6b7280;border:1px solid #e2e5ea}
main{padding:20px 32px 32px;max-width:1480px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(165px,1fr));gap:12px}
.card{background:#fff;border:1px solid #e2e5ea;border-radius:6px;padding:12px 14px;border-top:3px solid #3274d9}
.card.good{border-top-color:#56a64b}.card.warn{border-top-color:#e0b400}.card.bad{border-top-color:#e02f44}
.card .k{font-size:12px;color:#6b7280}.card .v{font-size:24px;font-weight:600;margin-top:2px}
.card .s{font-size:12px;color:#7b8494;margin-top:1px}
h2.section{font-size:13px;text-transform:uppercase;letter-spacing:.08em;color:#6b7280;margin:26px 0 10px;font-weight:600}
.panels{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:14px}
.panel{background:#fff;border:1px solid #e2e5ea;border-radius:6px;padding:14px 16px;min-width:0}
.panel h3{font-size:15px;margin:0;font-weight:600}
.panel .sub{color:#7b8494;font-size:12px;margin:2px 0 8px}
svg.chart{width:100%;height:auto;display:block;overflow:visible}
svg.chart text{font-size:11px;fill:#6b7280}
svg.chart text.val{fill:#374151;font-size:10.5px}svg.chart text.mark{font-weight:700;stroke:#fff;stroke-width:3px;paint-order:stroke}
svg.chart .grid{stroke:#edeff3;stroke-width:1}svg.chart .axis{stroke:#a5abb6;stroke-width:1}
svg.chart .hv{fill:transparent}svg.chart .hv:hover{fill:rgba(50,116,217,.07)}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;color:#374151;margin:0 0 6px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:-1px}
table{border-collapse:collapse;width:100%;font-size:13px}
th{text-align:left;font-weight:600;color:#6b7280;font-size:12px;border-bottom:1px solid #e2e5ea;padding:6px 8px;white-space:nowrap}
td{border-bottom:1px solid #f0f1f4;padding:6px 8px;vertical-align:top}
th.n,td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:last-child td{border-bottom:none}
.pill{display:inline-block;padding:1px 9px;border-radius:999px;font-size:11px;font-weight:700;letter-spacing:.04em}
.pill.pass{background:#e3f4e6;color:#1b7f37}.pill.fail{background:#fde6e8;color:#c4162a}
.empty{display:flex;align-items:center;justify-content:center;min-height:90px;height:100%;max-height:160px;color:#9aa1ad;border:1px dashed #dde1e7;border-radius:6px;font-size:13px;background:#fafbfc}
.note{color:#7b8494;font-size:12px;margin-top:8px}
.kv{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:0 18px}
.kv div{display:flex;justify-content:space-between;border-bottom:1px solid #f0f1f4;padding:5px 0;font-size:13px}
.kv div span:first-child{color:#6b7280}.kv div span:last-child{font-variant-numeric:tabular-nums;font-weight:500}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;background:#f3f4f6;padding:1px 4px;border-radius:3px}
.dim{color:#7b8494;font-size:12px}
footer{color:#9aa1ad;font-size:12px;padding:0 32px 24px}
)css";

std::string empty_panel(const std::string& why = "No data for this run") {
  return "<div class=\"empty\">" + esc(why) + "</div>";
}

std::string panel(const std::string& title, const std::string& sub, const std::string& body) {
  return "<div class=\"panel\"><h3>" + esc(title) + "</h3><div class=\"sub\">" + sub + "</div>" +
         body + "</div>";
}

struct cell {
  std::string html;
  bool numeric = false;
};
cell text_cell(const std::string& s) { return {esc(s), false}; }
cell num_cell(const std::string& s) { return {esc(s), true}; }

std::string table_html(const std::vector<cell>& header,
                       const std::vector<std::vector<cell>>& rows) {
  std::string out = "<div style=\"overflow-x:auto\"><table><thead><tr>";
  for (const auto& h : header) {
    out += std::string("<th") + (h.numeric ? " class=\"n\"" : "") + ">" + h.html + "</th>";
  }
  out += "</tr></thead><tbody>";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const auto& c : row) {
      out += std::string("<td") + (c.numeric ? " class=\"n\"" : "") + ">" + c.html + "</td>";
    }
    out += "</tr>";
  }
  return out + "</tbody></table></div>";
}

std::string kv_html(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out = "<div class=\"kv\">";
  for (const auto& [k, v] : items) {
    out += "<div><span>" + esc(k) + "</span><span>" + esc(v) + "</span></div>";
  }
  return out + "</div>";
}

std::string card(const std::string& key, const std::string& value, const std::string& sub,
                 const char* tone = "") {
  return std::string("<div class=\"card ") + tone + "\"><div class=\"k\">" + esc(key) +
         "</div><div class=\"v\">" + esc(value) + "</div><div class=\"s\">" + esc(sub) +
         "</div></div>";
}

std::vector<double> times_of(const json& samples) {
  std::vector<double> x;
  for (const auto& s : samples) x.push_back(num(s, "at_s"));
  return x;
}

// Series per key of a map-valued field (connected by RAT, versions by label), in sorted key
// order; a key missing from a sample counts 0.
std::vector<r::series> keyed_series(const json& samples, const char* map_field,
                                    std::size_t color_offset = 0) {
  std::set<std::string> keys;
  for (const auto& s : samples) {
    for (const auto& [k, v] : obj(s, map_field).items()) keys.insert(k);
  }
  std::vector<r::series> out;
  std::size_t i = color_offset;
  for (const auto& k : keys) {
    r::series line{k, r::palette(i++), {}};
    for (const auto& s : samples) {
      const json& v = field(obj(s, map_field), k.c_str());
      line.y.push_back(v.is_number() ? v.get<double>() : 0.0);
    }
    out.push_back(std::move(line));
  }
  return out;
}

r::series field_series(const json& samples, const char* key, const std::string& name,
                       const std::string& color) {
  r::series line{name, color, {}};
  for (const auto& s : samples) line.y.push_back(num(s, key));
  return line;
}

bool any_value(const std::vector<r::series>& lines) {
  for (const auto& l : lines) {
    for (const double v : l.y) {
      if (!std::isnan(v)) return true;
    }
  }
  return false;
}

// ---- Sections ----

std::string header_html(const json& s, const store_figures& st, const std::filesystem::path& dir) {
  std::string out = "<header><div><div class=\"brand\">twelvefold · run report</div><h1>" +
                    esc(str(s, "scenario").empty() ? dir.filename().string() : str(s, "scenario")) +
                    "</h1><div class=\"meta\">";
  auto meta = [&](const std::string& k, const std::string& v) {
    out += "<span>" + esc(k) + " <b>" + esc(v) + "</b></span>";
  };
  meta("seed", count_text(num(s, "seed")));
  meta("twins", count_text(num(s, "twins")));
  meta("simulated", std::isnan(num(s, "sim_seconds")) ? "-" : r::time_label(num(s, "sim_seconds")));
  if (st.epoch_utc_us) {
    const auto t = static_cast<std::time_t>(*st.epoch_utc_us / 1'000'000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[40];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm);
    meta("from", text);
  }
  meta("wall time", r::duration_text(num(s, "wall_seconds")));
  meta("threads", count_text(num(s, "threads")));
  if (field(s, "stopped_early").is_boolean() && field(s, "stopped_early").get<bool>()) {
    meta("status", "stopped early");
  }
  out += "</div></div>";
  const json& assertions = arr(s, "assertions");
  std::size_t failed = 0;
  for (const auto& a : assertions) failed += field(a, "passed") == true ? 0 : 1;
  if (assertions.empty()) {
    out += "<div class=\"badge none\">NO ASSERTIONS<small>nothing to check</small></div>";
  } else {
    out += std::string("<div class=\"badge ") + (failed ? "fail\">FAIL" : "pass\">PASS") +
           "<small>" + std::to_string(assertions.size() - failed) + " of " +
           std::to_string(assertions.size()) + " assertions passed</small></div>";
  }
  return out + "</header>";
}

double battery_median_of(const json& s, const store_figures& st) {
  if (st.battery_twins > 0) return st.battery_median;
  // Without the store: the lowest fleet median (the fleet that needs attention first).
  double lowest = std::nan("");
  for (const auto& [name, f] : obj(s, "per_fleet").items()) {
    const double m = num(f, "battery_life_years_median");
    if (!std::isnan(m) && (std::isnan(lowest) || m < lowest)) lowest = m;
  }
  return lowest;
}

std::string cards_html(const json& s, const store_figures& st) {
  const double added = num(s, "notes_added");
  const double delivered = num(s, "notes_delivered");
  double ratio = num(s, "delivered_ratio");
  if (std::isnan(ratio) && added > 0) ratio = delivered / added;
  const double sessions = num(s, "sessions");
  const double failures = num(s, "session_failures");
  const json& latency = obj(s, "delivery_latency");
  std::string out = "<div class=\"cards\">";
  out += card("Twins", count_text(num(s, "twins")),
              count_text(num(s, "activations")) + " firmware wakes");
  out += card("Notes delivered", percent_text(ratio),
              count_text(delivered) + " of " + count_text(added) + " added",
              std::isnan(ratio) ? ""
              : ratio >= 0.99   ? "good"
              : ratio >= 0.9    ? "warn"
                                : "bad");
  out += card("Sessions", count_text(sessions),
              r::number_text(num(s, "bytes_uplink") / 1024 / 1024) + " MiB up · " +
                  r::number_text(num(s, "bytes_downlink") / 1024 / 1024) + " MiB down");
  const double failure_ratio = sessions > 0 ? failures / sessions : std::nan("");
  out += card("Session failures", count_text(failures),
              (std::isnan(failure_ratio) ? std::string("-") : percent_text(failure_ratio)) +
                  " of sessions · " + count_text(num(s, "sessions_refused")) + " refused",
              std::isnan(failure_ratio) ? ""
              : failure_ratio < 0.01    ? "good"
              : failure_ratio < 0.05    ? "warn"
                                        : "bad");
  out += card("Delivery latency p50", r::duration_text(num(latency, "p50_s")),
              "p90 " + r::duration_text(num(latency, "p90_s")));
  out += card("Delivery latency p99", r::duration_text(num(latency, "p99_s")),
              "max " + r::duration_text(num(latency, "max_s")));
  const double life = battery_median_of(s, st);
  out += card("Battery life (median)", years_text(life),
              st.battery_twins > 0 ? "min " + years_text(st.battery_min) + " · projected"
                                   : "projected, lowest fleet median",
              std::isnan(life) ? ""
              : life >= 5      ? "good"
              : life >= 2      ? "warn"
                               : "bad");
  return out + "</div>";
}

// A time chart of `lines` over `x` with its legend, or a note when there is nothing to draw.
std::string time_chart_body(const std::vector<double>& x, std::vector<r::series> lines,
                            r::time_chart style,
                            const std::string& empty_why = "No data for this run") {
  if (x.empty() || lines.empty() || !any_value(lines)) return empty_panel(empty_why);
  style.x_s = x;
  style.lines = std::move(lines);
  return r::legend_html(style.lines) + r::time_chart_svg(style);
}

std::string network_section(const json& s, const store_figures& st) {
  const json& timeline = arr(s, "network_timeline");
  const auto x = times_of(timeline);
  const std::string connected_body =
      time_chart_body(x, keyed_series(timeline, "connected"), {.stacked = true});
  const std::string trouble_body =
      time_chart_body(x,
                      {field_series(timeline, "on_fallback", "on fallback RAT", "#e0b400"),
                       field_series(timeline, "failing", "failing", "#fa6400"),
                       field_series(timeline, "dark", "dark (no coverage)", "#e02f44"),
                       field_series(timeline, "never", "never connected", "#8e96a3")},
                      {.fill = false});
  // Random access per sample interval: the reconnect storm after an outage shows here.
  const std::string access_body =
      time_chart_body(x,
                      {field_series(timeline, "attach_attempts", "attach attempts", "#3274d9"),
                       field_series(timeline, "reconnects",
                                    "of which re-registrations after an outage", "#8f3bb8")},
                      {.fill = false}, "No random access in this run");
  const std::string collisions_body = time_chart_body(
      x, {field_series(timeline, "access_collisions", "access collisions", "#e02f44")},
      {.bars = true}, "No access collision in this run");
  std::string sub_status;
  if (!st.radio_status.empty()) {
    sub_status = " At the end: ";
    bool first = true;
    for (const auto& [status, n] : st.radio_status) {
      sub_status +=
          (first ? "" : ", ") + esc(status.empty() ? "unknown" : status) + " " + count_text(n);
      first = false;
    }
    sub_status += ".";
  }
  return "<h2 class=\"section\">Network</h2><div class=\"panels\">" +
         panel("Connected twins by RAT",
               "Twins whose last radio session succeeded, by RAT, hourly (stacked).",
               connected_body) +
         panel("Twins in trouble",
               "On a fallback RAT, failing their last session, out of coverage, or never "
               "connected." +
                   sub_status,
               trouble_body) +
         panel("Random access per interval",
               "Attach attempts (a session's random access, a LoRa frame, a modem "
               "re-registering when its sites return) in each sample interval.",
               access_body) +
         panel("Access collisions per interval",
               "RACH preamble collisions and LoRa frames lost to collisions, per sample "
               "interval.",
               collisions_body) +
         "</div>";
}

std::string sessions_section(const json& s, const store_figures& st) {
  const json& cloud = arr(s, "cloud_timeline");
  std::string hourly_body;
  if (cloud.empty()) {
    hourly_body = empty_panel();
  } else {
    r::time_chart c;
    c.x_s = times_of(cloud);
    c.bars = true;
    c.stacked = true;
    c.lines.push_back(field_series(cloud, "sessions", "accepted", "#3274d9"));
    if (!st.refused_by_hour.empty()) {
      r::series refused{"refused by the cloud", "#e02f44", {}};
      for (const double at : c.x_s) {
        const auto it = st.refused_by_hour.find(at);
        refused.y.push_back(it == st.refused_by_hour.end() ? 0.0 : it->second);
      }
      c.lines.push_back(std::move(refused));
    }
    hourly_body = r::legend_html(c.lines) + r::time_chart_svg(c);
  }
  std::string per_rat_body;
  const json& per_rat = obj(s, "per_rat");
  if (per_rat.empty()) {
    per_rat_body = empty_panel();
  } else {
    r::bar_chart c;
    r::series sessions{"sessions", "#3274d9", {}};
    r::series failures{"failed", "#fa6400", {}};
    r::series no_coverage{"of which no coverage", "#e02f44", {}};
    for (const auto& [rat, v] : per_rat.items()) {
      c.categories.push_back(rat);
      sessions.y.push_back(num(v, "sessions"));
      failures.y.push_back(num(v, "session_failures"));
      no_coverage.y.push_back(num(v, "no_coverage_failures"));
    }
    c.values = {sessions, failures, no_coverage};
    per_rat_body = r::legend_html(c.values) + r::bar_chart_svg(c);
  }
  return "<h2 class=\"section\">Sessions</h2><div class=\"panels\">" +
         panel("Sessions per hour at the cloud",
               "Sessions the management service accepted" +
                   std::string(st.refused_by_hour.empty() ? "" : ", and refused (twins.sqlite)") +
                   ", by hour of arrival.",
               hourly_body) +
         panel("Radio sessions and failures by RAT",
               "Totals over the run: attempted, failed (no coverage, attach, transfer, "
               "refusal) and failed for lack of coverage.",
               per_rat_body) +
         "</div>";
}

std::string latency_panel(const json& s) {
  const json& latency = obj(s, "delivery_latency");
  const json& bins = arr(latency, "histogram");
  std::vector<double> edges;
  for (const auto& b : bins) {
    if (num(b, "le_s") > 0 && num(b, "count") >= 0) edges.push_back(num(b, "le_s"));
  }
  std::string body;
  if (edges.empty()) {
    body = empty_panel("No Note was delivered in this run");
  } else {
    // Bins are log-spaced; summary.json lists only non-empty ones, so take the spacing from
    // the closest pair (10 per decade when there is a single bin).
    double ratio = std::pow(10.0, 0.1);
    double closest = 0;
    for (std::size_t i = 1; i < edges.size(); ++i) {
      const double q = edges[i] / edges[i - 1];
      if (q > 1.0001 && (closest == 0 || q < closest)) closest = q;
    }
    if (closest > 0) ratio = closest;
    r::log_histogram h;
    for (const auto& b : bins) {
      const double le = num(b, "le_s");
      if (!(le > 0)) continue;
      h.bins.push_back({le / ratio, le, num(b, "count")});
    }
    h.markers = {{"p50", num(latency, "p50_s"), "#1b7f37"},
                 {"p90", num(latency, "p90_s"), "#c47f00"},
                 {"p99", num(latency, "p99_s"), "#c4162a"}};
    std::erase_if(h.markers, [](const auto& m) { return std::isnan(m.x); });
    body = r::log_histogram_svg(h);
  }
  return panel("Delivery latency",
               "From note.add on the device to storage at the cloud, Notes per log-spaced bin. "
               "p50 " +
                   esc(r::duration_text(num(latency, "p50_s"))) + " · p90 " +
                   esc(r::duration_text(num(latency, "p90_s"))) + " · p99 " +
                   esc(r::duration_text(num(latency, "p99_s"))) + " · max " +
                   esc(r::duration_text(num(latency, "max_s"))) + ".",
               body);
}

std::string events_panel(const json& s) {
  const json& cloud = arr(s, "cloud_timeline");
  std::string body;
  std::string sub = "Sessions plus Notes stored, per second, hourly means.";
  if (cloud.empty()) {
    body = empty_panel();
  } else {
    r::time_chart c;
    c.x_s = times_of(cloud);
    c.lines.push_back(field_series(cloud, "events_per_s", "events/s", "#a352cc"));
    c.y_unit = "/s";
    double peak = 0;
    double sum = 0;
    for (const double v : c.lines[0].y) {
      if (std::isnan(v)) continue;
      peak = std::max(peak, v);
      sum += v;
    }
    sub += " Peak " + esc(r::number_text(peak)) + "/s, mean " +
           esc(r::number_text(sum / static_cast<double>(c.x_s.size()))) + "/s.";
    body = r::time_chart_svg(c);
  }
  return panel("Events per second at the cloud", sub, body);
}

std::string battery_section(const json& s, const store_figures& st) {
  std::string body;
  if (!st.present) {
    body = empty_panel("No per-twin data: " + st.missing_reason);
  } else if (st.battery_twins == 0) {
    body = empty_panel("No twin has a projected battery life");
  } else {
    r::bar_chart c;
    r::series twins{"twins", "#56a64b", {}};
    for (std::size_t b = 0; b < st.battery_bins.size(); ++b) {
      const double lo = static_cast<double>(b) * st.battery_bin_years;
      const bool overflow = st.battery_overflow && b + 1 == st.battery_bins.size();
      c.categories.push_back(overflow ? "≥ " + r::number_text(lo)
                                      : r::number_text(lo) + "–" +
                                            r::number_text(lo + st.battery_bin_years));
      twins.y.push_back(st.battery_bins[b]);
    }
    c.values = {twins};
    c.x_title = "projected years";
    body = r::bar_chart_svg(c);
  }
  std::vector<std::vector<cell>> rows;
  for (const auto& [name, f] : obj(s, "per_fleet").items()) {
    rows.push_back({text_cell(name), num_cell(count_text(num(f, "twins"))),
                    num_cell(r::number_text(num(f, "battery_mah_used_mean"))),
                    num_cell(years_text(num(f, "battery_life_years_min"))),
                    num_cell(years_text(num(f, "battery_life_years_p10"))),
                    num_cell(years_text(num(f, "battery_life_years_median")))});
  }
  const std::string table =
      rows.empty()
          ? empty_panel("No fleets in summary.json")
          : table_html({text_cell("fleet"), num_cell("twins"), num_cell("mAh used (mean)"),
                        num_cell("life min"), num_cell("life p10"), num_cell("life median")},
                       rows);
  std::string sub = "Projected from each twin's drain over the run (twins.sqlite).";
  if (st.battery_twins > 0) {
    sub += " " + esc(count_text(static_cast<double>(st.battery_twins))) + " twins; median " +
           esc(years_text(st.battery_median)) + ", min " + esc(years_text(st.battery_min)) +
           (st.battery_overflow ? "; the last bar holds the top 1%." : ".");
  }
  return "<h2 class=\"section\">Battery</h2><div class=\"panels\">" +
         panel("Projected battery life", sub, body) +
         panel("By fleet",
               "Mean charge drawn over the run and projected life; " +
                   esc(r::number_text(num(s, "battery_mah_used_max"))) +
                   " mAh drawn at most by one twin.",
               table) +
         "</div>";
}

std::string firmware_panel(const json& s) {
  const json& samples = arr(s, "firmware_versions");
  auto versions = keyed_series(samples, "versions", 1);
  std::string body;
  std::string sub = "Twins by firmware reported to the cloud (name@version), hourly.";
  if (samples.empty() || versions.empty()) {
    body = empty_panel("No firmware version was reported in this run");
  } else if (versions.size() == 1) {
    r::bar_chart c;
    c.categories = {versions[0].name};
    c.values = {{"twins at the end", versions[0].color, {versions[0].y.back()}}};
    body = r::bar_chart_svg(c);
    sub += " One version throughout.";
  } else {
    r::time_chart c;
    c.x_s = times_of(samples);
    c.lines = versions;
    c.stacked = true;
    body = r::legend_html(versions) + r::time_chart_svg(c);
  }
  return panel("Firmware versions", sub, body);
}

std::string dfu_panel(const json& s) {
  const json& campaigns = arr(obj(s, "dfu"), "campaigns");
  std::string body;
  if (campaigns.empty()) {
    body = empty_panel("No firmware update campaign in this run");
  } else {
    std::vector<std::vector<cell>> rows;
    for (const auto& c : campaigns) {
      const double halted = num(c, "halted_at_s");
      rows.push_back(
          {{esc(str(c, "name")) + "<div class=\"dim\">" + esc(str(c, "image")) + "</div>", false},
           text_cell(str(c, "fleet")),
           num_cell(num(c, "started_at_s") < 0 ? "after run"
                                               : r::time_label(num(c, "started_at_s"))),
           num_cell(count_text(num(c, "twins_targeted"))),
           num_cell(count_text(num(c, "applied"))),
           num_cell(count_text(num(c, "failed"))),
           num_cell(count_text(num(c, "rolled_back"))),
           num_cell(halted < 0 || std::isnan(halted) ? "-" : r::time_label(halted)),
           num_cell(r::number_text(num(c, "bytes_down") / 1024) + " KiB")});
    }
    body = table_html({text_cell("campaign"), text_cell("fleet"), num_cell("started"),
                       num_cell("targeted"), num_cell("applied"), num_cell("failed"),
                       num_cell("rolled back"), num_cell("halted"), num_cell("down")},
                      rows);
  }
  return panel("Firmware update campaigns",
               "Factor 8 (docs/cloud-dfu.md): twins reached, applied, failed and rolled back.",
               body);
}

std::string assertions_section(const json& s) {
  const json& assertions = arr(s, "assertions");
  std::string body;
  if (assertions.empty()) {
    body = empty_panel("This scenario has no assertions");
  } else {
    std::vector<std::vector<cell>> rows;
    for (const auto& a : assertions) {
      const bool passed = field(a, "passed") == true;
      const json& measured = field(a, "measured");
      rows.push_back(
          {{std::string("<span class=\"pill ") + (passed ? "pass\">PASS" : "fail\">FAIL") +
                "</span>",
            false},
           text_cell(str(a, "name")),
           {"<code>" + esc(str(a, "expect")) + "</code>", false},
           num_cell(measured.is_number() ? r::number_text(measured.get<double>()) : "no value"),
           text_cell(str(a, "detail"))});
    }
    body = table_html({text_cell(""), text_cell("assertion"), text_cell("expect"),
                       num_cell("measured"), text_cell("detail")},
                      rows);
  }
  return "<h2 class=\"section\">Assertions</h2><div class=\"panels\">" +
         panel("Assertions", "The scenario's <code>assert</code> checks against summary.json.",
               body) +
         "</div>";
}

std::string run_figures_panel(const json& s) {
  std::vector<std::pair<std::string, std::string>> kv = {
      {"notes added", count_text(num(s, "notes_added"))},
      {"notes delivered", count_text(num(s, "notes_delivered"))},
      {"notes in flight", count_text(num(s, "notes_in_flight"))},
      {"notes lost", count_text(num(s, "notes_lost"))},
      {"duplicates discarded", count_text(num(s, "duplicates_discarded"))},
      {"sessions refused", count_text(num(s, "sessions_refused"))},
      {"env updates sent", count_text(num(s, "env_updates_sent"))},
      {"requests", count_text(num(s, "requests"))},
      {"request errors", count_text(num(obj(s, "request_errors"), "total"))},
      {"module wakes", count_text(num(s, "module_wakes"))},
      {"penalty blocked", count_text(num(s, "penalty_blocked"))},
      {"backhaul failures", count_text(num(s, "backhaul_failures"))},
      {"timeline events", count_text(num(s, "timeline_events"))},
      {"kernel windows", count_text(num(s, "windows"))},
      {"activations / wall s", r::number_text(num(s, "activations_per_wall_second"))},
      {"battery mAh mean", r::number_text(num(s, "battery_mah_used_mean"))}};
  double resets = 0;
  for (const auto& [cause, n] : obj(s, "firmware_resets").items()) {
    if (n.is_number()) resets += n.get<double>();
  }
  kv.emplace_back("firmware resets", count_text(resets));
  for (const auto& [tag, n] : obj(obj(s, "request_errors"), "by_tag").items()) {
    if (n.is_number()) kv.emplace_back("errors: " + tag, count_text(n.get<double>()));
  }
  return panel("Run figures", "Totals from summary.json.", kv_html(kv));
}

std::string auth_panel(const json& s) {
  const json& a = obj(s, "auth");
  if (a.empty()) return "";
  std::vector<std::pair<std::string, std::string>> kv = {
      {"sessions verified", count_text(num(a, "sessions_verified"))},
      {"handshakes", count_text(num(a, "handshakes"))},
      {"resumed", count_text(num(a, "resumed"))},
      {"attack sessions", count_text(num(a, "attack_sessions"))},
      {"attacks accepted", count_text(num(a, "attack_sessions_accepted"))},
      {"downlinks refused by devices", count_text(num(a, "downlinks_rejected_by_devices"))},
      {"cert rotations", count_text(num(a, "cert_rotations"))},
      {"hardware replacements", count_text(num(a, "hardware_replacements"))}};
  for (const auto& [reason, n] : obj(a, "rejected").items()) {
    if (n.is_number()) kv.emplace_back("rejected: " + reason, count_text(n.get<double>()));
  }
  return panel("Authentication and identity", "Factors 9 and 11 (docs/cloud-auth.md).",
               kv_html(kv));
}

void rollout_rows(const json& list, bool moves, std::vector<std::vector<cell>>& rows) {
  for (const auto& e : list) {
    const std::string what =
        moves ? str(e, "from") + " → " + str(e, "to")
              : str(e, "scope") + (str(e, "target").empty() ? "" : " " + str(e, "target")) + ": " +
                    str(e, "name") + (field(e, "delete") == true ? " (delete)" : "");
    rows.push_back({text_cell(moves ? "fleet move" : "env change"), text_cell(what),
                    num_cell(r::time_label(num(e, "at_s"))),
                    num_cell(count_text(num(e, "twins_reached")) + " / " +
                             count_text(num(e, "twins_targeted"))),
                    num_cell(seconds_cell(field(e, "reached_50_s"))),
                    num_cell(seconds_cell(field(e, "reached_90_s"))),
                    num_cell(seconds_cell(field(e, "reached_99_s")))});
  }
}

std::string config_panel(const json& s) {
  const json& c = obj(s, "config");
  if (c.empty()) return "";
  std::vector<std::vector<cell>> rows;
  rollout_rows(arr(c, "env_changes"), false, rows);
  rollout_rows(arr(c, "fleet_moves"), true, rows);
  std::string body;
  if (!rows.empty()) {
    body = table_html({text_cell("change"), text_cell("what"), num_cell("at"), num_cell("reached"),
                       num_cell("50%"), num_cell("90%"), num_cell("99%")},
                      rows);
  }
  const json& logs = obj(c, "logs");
  const json& health = obj(c, "health");
  body +=
      "<div style=\"margin-top:10px\">" +
      kv_html({{"twins moved", count_text(num(c, "twins_moved"))},
               {"refused (decommissioned)", count_text(num(c, "sessions_refused_decommissioned"))},
               {"log lines uploaded", count_text(num(logs, "lines_uploaded"))},
               {"log lines dropped", count_text(num(logs, "lines_dropped"))},
               {"silent events", count_text(num(health, "silent_events"))},
               {"silent at end", count_text(num(health, "silent_at_end"))}}) +
      "</div>";
  return panel("Configuration rollouts",
               "Factors 4 and 10: time after each change by which 50/90/99% of the targeted "
               "twins had it (docs/cloud-config.md).",
               body);
}

std::string location_time_panel(const json& s) {
  const json& loc = obj(s, "location");
  const json& t = obj(s, "time");
  if (loc.empty() && t.empty()) return "";
  std::string body;
  std::vector<std::vector<cell>> rows;
  for (const auto& [kind, k] : obj(loc, "by_kind").items()) {
    const json& e = obj(k, "error_m");
    rows.push_back({text_cell(kind), num_cell(count_text(num(k, "count"))),
                    num_cell(r::number_text(num(e, "p50")) + " m"),
                    num_cell(r::number_text(num(e, "p90")) + " m"),
                    num_cell(r::number_text(num(e, "p99")) + " m"),
                    num_cell(percent_text(num(k, "within_estimate")))});
  }
  if (!rows.empty()) {
    body = table_html({text_cell("fix kind"), num_cell("fixes"), num_cell("error p50"),
                       num_cell("p90"), num_cell("p99"), num_cell("within estimate")},
                      rows);
  }
  const json& residual = obj(t, "residual_error_ms");
  const json& drift = obj(t, "drift_ppm");
  body += "<div style=\"margin-top:10px\">" +
          kv_html({{"twins located", count_text(num(loc, "twins_located"))},
                   {"twins unlocated", count_text(num(loc, "twins_unlocated"))},
                   {"best error p50", r::number_text(num(obj(loc, "best_error_m"), "p50")) + " m"},
                   {"notes reconciled", count_text(num(t, "notes_reconciled"))},
                   {"time error p50", r::duration_text(num(residual, "p50") / 1000)},
                   {"time error p99", r::duration_text(num(residual, "p99") / 1000)},
                   {"never synced", count_text(num(t, "twins_never_synced"))},
                   {"|drift| p90", r::number_text(num(drift, "abs_p90")) + " ppm"}}) +
          "</div>";
  return panel("Location and time", "Factors 6 and 7 (docs/cloud-location-time.md).", body);
}

std::string routes_panel(const json& s) {
  const json& routes = obj(s, "routes");
  if (routes.empty()) return "";
  std::vector<std::vector<cell>> rows;
  for (const auto& [name, r_] : obj(routes, "routes").items()) {
    rows.push_back(
        {text_cell(name), text_cell(str(r_, "sink")), num_cell(count_text(num(r_, "events"))),
         num_cell(count_text(num(r_, "delivered"))), num_cell(count_text(num(r_, "retried"))),
         num_cell(count_text(num(r_, "failed"))), num_cell(count_text(num(r_, "queued_at_end"))),
         text_cell(str(r_, "last_error"))});
  }
  std::string body;
  if (!rows.empty()) {
    body = table_html(
        {text_cell("route"), text_cell("sink"), num_cell("events"), num_cell("delivered"),
         num_cell("retried"), num_cell("failed"), num_cell("queued"), text_cell("last error")},
        rows);
  }
  const json& web = obj(routes, "web");
  const json& db = obj(routes, "db");
  const json& inbound = obj(routes, "inbound");
  body +=
      "<div style=\"margin-top:10px\">" +
      kv_html(
          {{"web requests", count_text(num(web, "requests"))},
           {"web answered", count_text(num(web, "answered"))},
           {"web errors", count_text(num(web, "errors"))},
           {"db up / down", count_text(num(db, "up")) + " / " + count_text(num(db, "down"))},
           {"db conflicts", count_text(num(db, "conflicts"))},
           {"inbound sent", count_text(num(inbound, "sent"))},
           {"inbound delivered", count_text(num(inbound, "delivered"))},
           {"queue overflow (out)", count_text(num(obj(routes, "queue_overflow"), "outbound"))}}) +
      "</div>";
  return panel("Routes, web and .db", "Factors 1, 3 and 5 (docs/cloud-routes.md).", body);
}

std::string external_panel(const json& s) {
  const json& e = obj(s, "external");
  if (e.empty()) return "";
  std::vector<std::pair<std::string, std::string>> kv;
  for (const auto& [k, v] : e.items()) {
    if (v.is_number()) kv.emplace_back(k, count_text(v.get<double>()));
  }
  return panel("External twins", "Hardware or emulators in the loop (docs/firmware.md).",
               kv_html(kv));
}

std::string page_html(const json& s, const store_figures& st, const std::filesystem::path& dir,
                      const std::vector<std::string>& notes) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      esc(str(s, "scenario")) + " · twelvefold report</title><style>" + stylesheet +
      "</style></head><body>";
  out += header_html(s, st, dir);
  out += "<main>";
  out += cards_html(s, st);
  out += network_section(s, st);
  out += sessions_section(s, st);
  out += "<h2 class=\"section\">Delivery and cloud load</h2><div class=\"panels\">" +
         latency_panel(s) + events_panel(s) + "</div>";
  out += battery_section(s, st);
  out += "<h2 class=\"section\">Firmware</h2><div class=\"panels\">" + firmware_panel(s) +
         dfu_panel(s) + "</div>";
  out += assertions_section(s);
  out += "<h2 class=\"section\">Cloud factors and totals</h2><div class=\"panels\">" +
         run_figures_panel(s) + auth_panel(s) + config_panel(s) + location_time_panel(s) +
         routes_panel(s) + external_panel(s) + "</div>";
  for (const auto& n : notes) out += "<p class=\"note\">Note: " + esc(n) + "</p>";
  out += "</main><footer>Generated by <code>twelvefold report</code> from " +
         esc((dir / "summary.json").string()) + (st.present ? " and twins.sqlite" : "") +
         ". Hover a chart for values. Data: timeseries.csv, latency_histogram.csv.</footer>";
  out += "</body></html>\n";
  return out;
}

}  // namespace

std::expected<report_files, report_error> write_report(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return std::unexpected(report_error{true, dir.string() + ": no such directory (give a run's "
                                                             "output directory)"});
  }
  const auto summary_path = dir / "summary.json";
  std::ifstream in(summary_path, std::ios::binary);
  if (!in) {
    return std::unexpected(report_error{true, summary_path.string() +
                                                  ": no such file (not a run's output "
                                                  "directory?)"});
  }
  std::stringstream text;
  text << in.rdbuf();
  json summary;
  try {
    summary = json::parse(text.str());
  } catch (const json::parse_error& e) {
    return std::unexpected(report_error{true, summary_path.string() + ": not valid JSON at byte " +
                                                  std::to_string(e.byte) + ": " + e.what()});
  }
  if (!summary.is_object()) {
    return std::unexpected(
        report_error{true, summary_path.string() + ": expected a JSON object at the top level"});
  }
  report_files files;
  const store_figures store = read_store(dir);
  if (!store.present) {
    files.notes.push_back("no per-twin battery histogram: " + store.missing_reason);
  }
  auto csv = write_csv_reports(dir, summary, store.epoch_utc_us);
  if (!csv) return std::unexpected(report_error{false, csv.error()});
  const auto html_path = dir / "report.html";
  if (auto ok = write_file_atomically(html_path, page_html(summary, store, dir, files.notes));
      !ok) {
    return std::unexpected(report_error{false, ok.error()});
  }
  files.written.push_back(html_path);
  files.written.insert(files.written.end(), csv->begin(), csv->end());
  return files;
}

}  // namespace twelvefold::sim
