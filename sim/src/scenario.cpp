// Scenario loading and validation (see scenario.hpp).
#include "twelvefold/sim/scenario.hpp"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "twelvefold/models/battery.hpp"
#include "twelvefold/models/radio.hpp"
#include "twelvefold/scenario/v1/scenario.pb.h"
#include "twelvefold/shim/external_firmware.hpp"

namespace twelvefold::sim {
namespace {

namespace pb = google::protobuf;
using scenario::v1::Scenario;

constexpr std::uint64_t max_twins = 50'000'000;
constexpr const char* site_rats =
    "\"lte-m\", \"nb-iot\", \"gprs\", \"umts\", \"wifi\", \"lorawan\"";
constexpr const char* device_rats =
    "\"lte-m\", \"nb-iot\", \"gprs\", \"umts\", \"wifi\", \"lorawan\", \"ntn\"";
constexpr std::int64_t max_duration_us = 20LL * 365 * 86400 * 1'000'000;

// Collects the text-format parser's syntax errors as diagnostics.
class syntax_errors final : public pb::io::ErrorCollector {
 public:
  syntax_errors(std::string file, std::vector<diagnostic>& out)
      : file_(std::move(file)), out_(out) {}
  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    out_.push_back({file_, line + 1, column + 1, message});
  }
  void AddWarning(int line, pb::io::ColumnNumber column, const std::string& message) override {
    out_.push_back({file_, line + 1, column + 1, "warning: " + message});
  }

 private:
  std::string file_;
  std::vector<diagnostic>& out_;
};

// Finds where a field was written, to point semantic errors at the right line.
class locator {
 public:
  locator(std::string file, const pb::TextFormat::ParseInfoTree* tree)
      : file_(std::move(file)), tree_(tree) {}

  // The location of `field` (index-th value if repeated) in message tree `tree`; if the field
  // was not written, the location of the enclosing message (or the file).
  diagnostic at(const pb::TextFormat::ParseInfoTree* tree, const pb::Message& message,
                const char* field, int index, std::string text) const {
    diagnostic d{file_, 0, 0, std::move(text)};
    if (tree == nullptr) return d;
    const pb::FieldDescriptor* fd = message.GetDescriptor()->FindFieldByName(field);
    if (fd == nullptr) return d;
    const auto loc = tree->GetLocation(fd, fd->is_repeated() ? index : -1);
    if (loc.line >= 0) {
      d.line = loc.line + 1;
      d.column = loc.column + 1;
    }
    return d;
  }
  [[nodiscard]] const pb::TextFormat::ParseInfoTree* nested(
      const pb::TextFormat::ParseInfoTree* tree, const pb::Message& message, const char* field,
      int index) const {
    if (tree == nullptr) return nullptr;
    const pb::FieldDescriptor* fd = message.GetDescriptor()->FindFieldByName(field);
    return fd == nullptr ? nullptr : tree->GetTreeForNested(fd, fd->is_repeated() ? index : -1);
  }
  [[nodiscard]] const pb::TextFormat::ParseInfoTree* root() const { return tree_; }
  [[nodiscard]] const std::string& file() const { return file_; }

 private:
  std::string file_;
  const pb::TextFormat::ParseInfoTree* tree_;
};

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string join_names(const std::set<std::string>& names) {
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
  return text.empty() ? "none defined" : text;
}

bool looks_like_path(const std::string& firmware) {
  return firmware.find('/') != std::string::npos ||
         (firmware.size() > 3 && firmware.ends_with(".so"));
}

std::filesystem::path resolve_firmware(const std::string& firmware,
                                       const std::filesystem::path& base_dir,
                                       const load_options& options,
                                       std::vector<std::filesystem::path>& tried) {
  if (looks_like_path(firmware)) {
    std::filesystem::path p = firmware;
    if (p.is_relative()) p = base_dir / p;
    tried.push_back(p);
    return std::filesystem::exists(p) ? p : std::filesystem::path{};
  }
  std::vector<std::filesystem::path> dirs{base_dir};
  dirs.insert(dirs.end(), options.firmware_search_path.begin(), options.firmware_search_path.end());
  for (const auto& dir : dirs) {
    const std::filesystem::path p = dir / (firmware + ".so");
    tried.push_back(p);
    if (std::filesystem::exists(p)) return p;
  }
  return {};
}

void check_region(const locator& loc, const pb::TextFormat::ParseInfoTree* tree,
                  const scenario::v1::Region& region, std::set<std::uint32_t>& cell_ids,
                  std::vector<diagnostic>& errors) {
  auto at = [&](const char* field, int index, std::string text) {
    errors.push_back(loc.at(tree, region, field, index,
                            "region " + quoted(region.name()) + ": " + std::move(text)));
  };
  if (region.center_lat() < -90 || region.center_lat() > 90) {
    at("center_lat", -1, "center_lat must be within [-90, 90] degrees");
  }
  if (region.center_lon() < -180 || region.center_lon() > 180) {
    at("center_lon", -1, "center_lon must be within [-180, 180] degrees");
  }
  if (!(region.radius_km() > 0) || region.radius_km() > 2000) {
    at("radius_km", -1, "radius_km must be > 0 and at most 2000");
  }
  models::environment_kind env{};
  if (!models::parse_environment(region.environment(), env)) {
    at("environment", -1,
       "environment " + quoted(region.environment()) +
           " is not one of \"urban\", \"suburban\", \"rural\"");
  }
  for (int i = 0; i < region.cells_size(); ++i) {
    const auto& cell = region.cells(i);
    const auto* ct = loc.nested(tree, region, "cells", i);
    auto cat = [&](const char* field, std::string text) {
      errors.push_back(loc.at(ct, cell, field, -1,
                              "cell " + std::to_string(cell.id()) + ": " + std::move(text)));
    };
    if (!cell_ids.insert(cell.id()).second) cat("id", "cell id is used twice");
    models::rat rat{};
    if (!models::parse_rat(cell.rat(), rat) || rat == models::rat::ntn) {
      cat("rat", "rat " + quoted(cell.rat()) + " is not a site RAT (expected one of " +
                     std::string(site_rats) + "; satellites come from `constellation`)");
    }
    if (cell.lat() < -90 || cell.lat() > 90 || cell.lon() < -180 || cell.lon() > 180) {
      cat("lat", "lat/lon out of range");
    }
    if (cell.has_height_m() && !(cell.height_m() > 0 && cell.height_m() < 1000)) {
      cat("height_m", "height_m must be in (0, 1000)");
    }
    if (cell.has_frequency_mhz() &&
        !(cell.frequency_mhz() >= 150 && cell.frequency_mhz() <= 6000)) {
      cat("frequency_mhz", "frequency_mhz must be within [150, 6000]");
    }
  }
}

void check(const locator& loc, const Scenario& s, const std::filesystem::path& base_dir,
           const load_options& options, scenario_file& out, std::vector<diagnostic>& errors) {
  const auto* root = loc.root();
  auto at = [&](const pb::TextFormat::ParseInfoTree* tree, const pb::Message& m, const char* f,
                int index,
                std::string text) { errors.push_back(loc.at(tree, m, f, index, std::move(text))); };

  if (s.name().empty()) at(root, s, "name", -1, "name is required");
  if (s.epoch_utc().empty()) {
    at(root, s, "epoch_utc", -1, "epoch_utc is required (e.g. \"2026-01-01T00:00:00Z\")");
  } else if (auto epoch = parse_utc_us(s.epoch_utc()); !epoch) {
    at(root, s, "epoch_utc", -1, "epoch_utc: " + epoch.error());
  } else {
    out.epoch_utc_us = *epoch;
  }
  if (s.duration().empty()) {
    at(root, s, "duration", -1, "duration is required (e.g. \"1d\", \"36h\")");
  } else if (auto d = parse_duration_us(s.duration()); !d) {
    at(root, s, "duration", -1, "duration: " + d.error());
  } else if (*d <= 0 || *d > max_duration_us) {
    at(root, s, "duration", -1, "duration must be positive and at most 20 years");
  } else {
    out.duration_us = *d;
  }
  if (s.kernel().has_window_ms() &&
      (s.kernel().window_ms() < 10 || s.kernel().window_ms() > 60'000)) {
    at(loc.nested(root, s, "kernel", -1), s.kernel(), "window_ms", -1,
       "window_ms must be within [10, 60000]");
  }

  std::set<std::string> region_names;
  std::set<std::uint32_t> cell_ids;
  if (s.regions_size() == 0) at(root, s, "regions", 0, "at least one region is required");
  for (int i = 0; i < s.regions_size(); ++i) {
    const auto& region = s.regions(i);
    const auto* rt = loc.nested(root, s, "regions", i);
    if (region.name().empty()) at(rt, region, "name", -1, "region name is required");
    if (!region_names.insert(region.name()).second) {
      at(rt, region, "name", -1, "region " + quoted(region.name()) + " is defined twice");
    }
    check_region(loc, rt, region, cell_ids, errors);
  }

  std::set<std::string> model_names;
  std::set<std::string> external_models;
  std::map<std::string, std::string> external_endpoints;  // endpoint -> device model
  if (s.device_models_size() == 0) {
    at(root, s, "device_models", 0, "at least one device model is required");
  }
  for (int i = 0; i < s.device_models_size(); ++i) {
    const auto& model = s.device_models(i);
    const auto* mt = loc.nested(root, s, "device_models", i);
    const std::string who = "device model " + quoted(model.name()) + ": ";
    if (model.name().empty()) at(mt, model, "name", -1, "device model name is required");
    if (!model_names.insert(model.name()).second) {
      at(mt, model, "name", -1, who + "defined twice");
    }
    std::filesystem::path resolved;
    // Hardware / an emulator in the loop: no image to find, an endpoint to check instead.
    std::string external_where;
    if (!model.external().empty()) {
      const diagnostic where = loc.at(mt, model, "external", -1, "");
      external_where =
          where.file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
      if (!model.firmware().empty()) {
        at(mt, model, "external", -1,
           who +
               "`external` and `firmware` are mutually exclusive (the firmware runs either "
               "outside the simulator or inside it)");
      } else if (auto ok = shim::external_firmware::check_endpoint(model.external()); !ok) {
        at(mt, model, "external", -1,
           who + "external endpoint " + quoted(model.external()) + ": " + ok.error());
      } else if (const auto [it, fresh] =
                     external_endpoints.emplace(model.external(), model.name());
                 !fresh && !model.external().ends_with(":0") && model.external() != "pty") {
        at(mt, model, "external", -1,
           who + "external endpoint " + quoted(model.external()) +
               " is already used by device model " + quoted(std::as_const(it->second)) +
               " (one endpoint per device)");
      }
      external_models.insert(model.name());
    } else if (model.firmware().empty()) {
      at(mt, model, "firmware", -1, who + "firmware is required (an image name or a .so path)");
    } else {
      std::vector<std::filesystem::path> tried;
      resolved = resolve_firmware(model.firmware(), base_dir, options, tried);
      if (resolved.empty()) {
        std::string where;
        for (const auto& p : tried) where += "\n    " + p.string();
        at(mt, model, "firmware", -1,
           who + "firmware image " + quoted(model.firmware()) + " not found; looked in:" + where);
      }
    }
    out.firmware_paths.push_back(resolved);
    out.external_where.push_back(external_where);
    for (int r = 0; r < model.rats_size(); ++r) {
      models::rat rat{};
      if (!models::parse_rat(model.rats(r), rat)) {
        at(mt, model, "rats", r,
           who + "rat " + quoted(model.rats(r)) + " is not supported (supported: " + device_rats +
               ")");
      } else if (rat == models::rat::ntn && s.constellation().satellites() == 0) {
        at(mt, model, "rats", r, who + "rat \"ntn\" needs a `constellation` with satellites > 0");
      }
    }
    if (models::battery_kind kind{};
        !model.battery().empty() && !models::parse_battery_kind(model.battery(), kind)) {
      at(mt, model, "battery", -1,
         who + "battery " + quoted(model.battery()) +
             " is not one of \"li-socl2\", \"alkaline\", \"lipo\"");
    }
    if (model.has_battery_mah() && !(model.battery_mah() > 0)) {
      at(mt, model, "battery_mah", -1, who + "battery_mah must be > 0");
    }
    if (model.has_sleep_ua() && model.sleep_ua() < 0) {
      at(mt, model, "sleep_ua", -1, who + "sleep_ua must be >= 0");
    }
    if (model.has_mcu_active_ma() && model.mcu_active_ma() < 0) {
      at(mt, model, "mcu_active_ma", -1, who + "mcu_active_ma must be >= 0");
    }
  }

  std::set<std::string> fleet_names;
  std::uint64_t twins = 0;
  if (s.fleets_size() == 0) at(root, s, "fleets", 0, "at least one fleet is required");
  for (int i = 0; i < s.fleets_size(); ++i) {
    const auto& fleet = s.fleets(i);
    const auto* ft = loc.nested(root, s, "fleets", i);
    const std::string who = "fleet " + quoted(fleet.name()) + ": ";
    if (fleet.name().empty()) at(ft, fleet, "name", -1, "fleet name is required");
    if (!fleet_names.insert(fleet.name()).second) at(ft, fleet, "name", -1, who + "defined twice");
    if (fleet.count() == 0) at(ft, fleet, "count", -1, who + "count must be at least 1");
    twins += fleet.count();
    if (!model_names.contains(fleet.device_model())) {
      at(ft, fleet, "device_model", -1,
         who + "unknown device model " + quoted(fleet.device_model()) +
             " (defined: " + join_names(model_names) + ")");
    }
    if (!region_names.contains(fleet.region())) {
      at(ft, fleet, "region", -1,
         who + "unknown region " + quoted(fleet.region()) +
             " (defined: " + join_names(region_names) + ")");
    }
    for (int e = 0; e < fleet.env_size(); ++e) {
      if (fleet.env(e).name().empty()) at(ft, fleet, "env", e, who + "env var without a name");
    }
  }
  // An external model stands for one physical device (or emulator) on one endpoint.
  std::map<std::string, std::uint64_t> external_twins;
  for (int i = 0; i < s.fleets_size(); ++i) {
    const auto& fleet = s.fleets(i);
    if (!external_models.contains(fleet.device_model())) continue;
    external_twins[fleet.device_model()] += fleet.count();
    if (external_twins[fleet.device_model()] > 1) {
      at(loc.nested(root, s, "fleets", i), fleet, "count", -1,
         "fleet " + quoted(fleet.name()) + ": device model " + quoted(fleet.device_model()) +
             " is external (one device on one endpoint) and may back exactly one twin; give each "
             "device its own device model and endpoint");
    }
  }
  if (twins > max_twins) {
    at(root, s, "fleets", 0,
       "the fleets hold " + std::to_string(twins) + " twins; at most " + std::to_string(max_twins) +
           " fit in one process");
  }
  for (int e = 0; e < s.env_size(); ++e) {
    if (s.env(e).name().empty()) at(root, s, "env", e, "env var without a name");
  }
  if (s.has_constellation()) {
    const auto& c = s.constellation();
    const auto* ct = loc.nested(root, s, "constellation", -1);
    if (c.has_altitude_km() && !(c.altitude_km() >= 300 && c.altitude_km() <= 2000)) {
      at(ct, c, "altitude_km", -1, "constellation: altitude_km must be within [300, 2000] (LEO)");
    }
    if (c.has_planes() && (c.planes() == 0 || c.planes() > c.satellites())) {
      at(ct, c, "planes", -1, "constellation: planes must be within [1, satellites]");
    }
    if (c.has_min_elevation_deg() && !(c.min_elevation_deg() >= 0 && c.min_elevation_deg() < 90)) {
      at(ct, c, "min_elevation_deg", -1, "constellation: min_elevation_deg must be in [0, 90)");
    }
  }
  std::set<std::string> operators;
  for (const auto& region : s.regions()) {
    for (const auto& cell : region.cells()) {
      operators.insert(cell.operator_().empty() ? "default" : cell.operator_());
    }
  }
  for (int i = 0; i < s.timeline_size(); ++i) {
    const auto& ev = s.timeline(i);
    const auto* et = loc.nested(root, s, "timeline", i);
    const std::string who = "timeline[" + std::to_string(i) + "]: ";
    if (auto when = parse_event_time_us(ev.at(), out.epoch_utc_us); !when) {
      at(et, ev, "at", -1, who + "at: " + when.error());
    }
    auto check_filters = [&](const pb::Message& m, const pb::TextFormat::ParseInfoTree* ft,
                             const std::string& rat, const std::string& op,
                             const std::string& region) {
      models::rat parsed{};
      if (!rat.empty() && !models::parse_rat(rat, parsed)) {
        at(ft, m, "rat", -1, who + "unknown rat " + quoted(rat));
      }
      if (!op.empty() && !operators.contains(op)) {
        at(ft, m, "operator", -1,
           who + "unknown operator " + quoted(op) + " (operators: " + join_names(operators) + ")");
      }
      if (!region.empty() && !region_names.contains(region)) {
        at(ft, m, "region", -1, who + "unknown region " + quoted(region));
      }
    };
    if (ev.has_sunset()) {
      const auto& sunset = ev.sunset();
      const auto* st = loc.nested(et, ev, "sunset", -1);
      if (sunset.rat().empty()) at(st, sunset, "rat", -1, who + "sunset needs a rat");
      check_filters(sunset, st, sunset.rat(), sunset.operator_(), sunset.region());
    } else if (ev.has_outage()) {
      const auto& outage = ev.outage();
      const auto* ot = loc.nested(et, ev, "outage", -1);
      auto d = parse_duration_us(outage.duration());
      if (!d || *d <= 0) {
        at(ot, outage, "duration", -1,
           who + "outage duration: " + (d ? std::string("must be positive") : d.error()));
      }
      check_filters(outage, ot, outage.rat(), outage.operator_(), outage.region());
      for (int c = 0; c < outage.cells_size(); ++c) {
        if (!cell_ids.contains(outage.cells(c))) {
          at(ot, outage, "cells", c, who + "unknown cell " + std::to_string(outage.cells(c)));
        }
      }
    } else {
      at(et, ev, "at", -1, who + "an event needs `sunset { ... }` or `outage { ... }`");
    }
  }
}

}  // namespace

std::expected<std::int64_t, std::string> parse_duration_us(const std::string& text) {
  // A sequence of <number><unit> parts, units d h m s ms.
  std::int64_t total_us = 0;
  std::size_t i = 0;
  if (text.empty()) return std::unexpected("empty duration");
  while (i < text.size()) {
    std::int64_t value = 0;
    const char* begin = text.data() + i;
    auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
    if (ec != std::errc{} || end == begin || value < 0) {
      return std::unexpected("expected a number at " + quoted(text.substr(i)) +
                             " (format: e.g. \"1d\", \"36h\", \"1h30m\", \"90s\")");
    }
    i = static_cast<std::size_t>(end - text.data());
    std::size_t unit_end = i;
    while (unit_end < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_end]))) {
      ++unit_end;
    }
    const std::string unit = text.substr(i, unit_end - i);
    std::int64_t scale = 0;
    if (unit == "d") {
      scale = 86'400'000'000LL;
    } else if (unit == "h") {
      scale = 3'600'000'000LL;
    } else if (unit == "m") {
      scale = 60'000'000LL;
    } else if (unit == "s") {
      scale = 1'000'000LL;
    } else if (unit == "ms") {
      scale = 1'000LL;
    } else if (unit.empty()) {
      return std::unexpected("expected a unit right after " + std::to_string(value) + " in " +
                             quoted(text) + " (d, h, m, s or ms, e.g. \"1d\")");
    } else {
      return std::unexpected("unknown unit " + quoted(unit) + " (use d, h, m, s or ms)");
    }
    if (value > max_duration_us / scale) return std::unexpected("duration too long");
    total_us += value * scale;
    i = unit_end;
  }
  return total_us;
}

std::expected<std::int64_t, std::string> parse_event_time_us(const std::string& text,
                                                             std::int64_t epoch_utc_us) {
  if (text.empty()) return std::unexpected("required (an offset like \"30d\" or a UTC time)");
  if (text.find('T') != std::string::npos) {
    auto utc = parse_utc_us(text);
    if (!utc) return std::unexpected(utc.error());
    if (*utc < epoch_utc_us) return std::unexpected("before the scenario's epoch_utc");
    return *utc - epoch_utc_us;
  }
  return parse_duration_us(text);
}

std::expected<std::int64_t, std::string> parse_utc_us(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail) !=
          7 ||
      tail != 'Z' || text.back() != 'Z') {
    return std::unexpected("expected RFC 3339 UTC like \"2026-01-01T00:00:00Z\", got " +
                           quoted(text));
  }
  using namespace std::chrono;
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 60) {
    return std::unexpected("no such date or time: " + quoted(text));
  }
  const auto when = sys_days{date} + hours{h} + minutes{mi} + seconds{s};
  return duration_cast<microseconds>(when.time_since_epoch()).count();
}

std::vector<std::filesystem::path> default_firmware_search_path() {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("TWELVEFOLD_FIRMWARE_PATH")) {
    std::stringstream list(env);
    std::string dir;
    while (std::getline(list, dir, ':')) {
      if (!dir.empty()) dirs.emplace_back(dir);
    }
  }
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    dirs.push_back(exe.parent_path().parent_path() / "firmware");
    dirs.push_back(exe.parent_path().parent_path() / "lib" / "twelvefold" / "firmware");
  }
  return dirs;
}

std::expected<scenario_file, std::vector<diagnostic>> parse_scenario(
    const std::string& text, const std::string& display_name, const std::filesystem::path& base_dir,
    const load_options& options) {
  std::vector<diagnostic> errors;
  auto spec = std::make_shared<Scenario>();
  pb::TextFormat::Parser parser;
  syntax_errors collector(display_name, errors);
  pb::TextFormat::ParseInfoTree tree;
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(text, spec.get())) {
    if (errors.empty()) errors.push_back({display_name, 0, 0, "not a valid scenario"});
    return std::unexpected(std::move(errors));
  }
  errors.clear();  // warnings only
  scenario_file out;
  out.path = display_name;
  check(locator(display_name, &tree), *spec, base_dir, options, out, errors);
  if (!errors.empty()) return std::unexpected(std::move(errors));
  out.spec = std::move(spec);
  return out;
}

std::expected<scenario_file, std::vector<diagnostic>> load_scenario(
    const std::filesystem::path& path, const load_options& options) {
  std::filesystem::path file = path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) file = path / "scenario.txtpb";
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const std::string why = std::filesystem::exists(file, ec)
                                ? "cannot be read"
                                : (file == path ? "no such file"
                                                : "no such file (a scenario directory holds "
                                                  "scenario.txtpb)");
    return std::unexpected(std::vector<diagnostic>{{file.string(), 0, 0, why}});
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto loaded = parse_scenario(buffer.str(), file.string(), file.parent_path(), options);
  if (loaded) loaded->path = file;
  return loaded;
}

}  // namespace twelvefold::sim
