// Scenario loading and validation (see scenario.hpp).
#include "twelvefold/sim/scenario.hpp"
#include "twelvefold/sim/scenario_source.hpp"
#include "twelvefold/sim/summary.hpp"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "serial_rule.hpp"
#include "twelvefold/actors/routes_report.hpp"
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

// Top-level keys of summary.json (what an assertion's metric path may start with).
const std::set<std::string>& known_summary_keys() {
  static const std::set<std::string> keys = [] {
    std::set<std::string> k;
    const auto document = summary_document(run_summary{});
    for (auto it = document.begin(); it != document.end(); ++it) k.insert(it.key());
    return k;
  }();
  return keys;
}

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

// Factor 9 / 11 timeline events (docs/cloud-auth.md): serials and fleets must exist, rates
// must be finite and at most one per second.
// A serial that names a twin of the scenario: a fleet's serial prefix (the builder's rule,
// serial_rule.hpp), then its 1-based number in 7 digits.
bool known_serial(const Scenario& s, std::string_view serial) {
  for (const auto& fleet : s.fleets()) {
    if (serial_in_fleet(serial, serial_prefix(fleet.serial_prefix(), fleet.name()),
                        fleet.count())) {
      return true;
    }
  }
  return false;
}

void check_auth_event(const locator& loc, const pb::TextFormat::ParseInfoTree* et,
                      const scenario::v1::TimelineEvent& ev, const std::string& who,
                      const Scenario& s, const std::set<std::string>& fleet_names,
                      std::vector<diagnostic>& errors) {
  auto at = [&](const pb::TextFormat::ParseInfoTree* tree, const pb::Message& m, const char* f,
                int i,
                std::string text) { errors.push_back(loc.at(tree, m, f, i, std::move(text))); };
  auto check_rate = [&](const pb::TextFormat::ParseInfoTree* tree, const pb::Message& m,
                        const char* field, bool has, double value) {
    if (has && !(value >= 0 && value <= 3600)) {
      at(tree, m, field, -1, who + field + " must be within [0, 3600] per hour");
    }
  };
  auto check_fleet = [&](const pb::TextFormat::ParseInfoTree* tree, const pb::Message& m,
                         const std::string& fleet) {
    if (!fleet.empty() && !fleet_names.contains(fleet)) {
      at(tree, m, "fleet", -1,
         who + "unknown fleet " + quoted(fleet) + " (defined: " + join_names(fleet_names) + ")");
    }
  };
  auto check_serial = [&](const pb::TextFormat::ParseInfoTree* tree, const pb::Message& m,
                          const char* field, int i, const std::string& serial) {
    if (serial.empty()) {
      at(tree, m, field, i, who + "a serial is required");
    } else if (!known_serial(s, serial)) {
      at(tree, m, field, i,
         who + "unknown serial " + quoted(serial) +
             " (a fleet's serial_prefix followed by 7 digits, 1..count)");
    }
  };
  if (ev.has_key_compromise()) {
    const auto& k = ev.key_compromise();
    const auto* kt = loc.nested(et, ev, "key_compromise", -1);
    if (k.fleet().empty() && k.serials_size() == 0) {
      at(et, ev, "key_compromise", -1, who + "key_compromise needs a fleet or serials");
    }
    check_fleet(kt, k, k.fleet());
    for (int i = 0; i < k.serials_size(); ++i) check_serial(kt, k, "serials", i, k.serials(i));
    check_rate(kt, k, "clone_sessions_per_hour", k.has_clone_sessions_per_hour(),
               k.clone_sessions_per_hour());
    check_rate(kt, k, "replays_per_hour", k.has_replays_per_hour(), k.replays_per_hour());
  } else if (ev.has_spoof_attack()) {
    const auto& sp = ev.spoof_attack();
    const auto* st = loc.nested(et, ev, "spoof_attack", -1);
    check_fleet(st, sp, sp.fleet());
    check_rate(st, sp, "sessions_per_hour", sp.has_sessions_per_hour(), sp.sessions_per_hour());
    check_rate(st, sp, "malformed_per_hour", sp.has_malformed_per_hour(), sp.malformed_per_hour());
  } else if (ev.has_cert_rotation()) {
    const auto& c = ev.cert_rotation();
    if (!c.overlap().empty()) {
      if (auto d = parse_duration_us(c.overlap()); !d) {
        at(loc.nested(et, ev, "cert_rotation", -1), c, "overlap", -1,
           who + "cert_rotation overlap: " + d.error());
      }
    }
  } else if (ev.has_hardware_replacement()) {
    const auto& h = ev.hardware_replacement();
    if (h.serial().empty()) {
      at(et, ev, "hardware_replacement", -1, who + "hardware_replacement needs a serial");
    } else {
      check_serial(loc.nested(et, ev, "hardware_replacement", -1), h, "serial", -1, h.serial());
    }
  }
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

// Factor 8: the images DFU campaigns deliver (docs/cloud-dfu.md).
void check_firmware_images(const locator& loc, const pb::TextFormat::ParseInfoTree* root,
                           const Scenario& s, const std::filesystem::path& base_dir,
                           const load_options& options, scenario_file& out,
                           std::map<std::string, bool>& kinds, std::vector<diagnostic>& errors) {
  if (s.firmware_images_size() > 254) {
    errors.push_back(loc.at(root, s, "firmware_images", 254, "at most 254 firmware_images"));
  }
  for (int i = 0; i < s.firmware_images_size(); ++i) {
    const auto& image = s.firmware_images(i);
    const auto* it = loc.nested(root, s, "firmware_images", i);
    const std::string who = "firmware image " + quoted(image.name()) + ": ";
    auto at = [&](const char* field, std::string text) {
      errors.push_back(loc.at(it, image, field, -1, std::move(text)));
    };
    if (image.name().empty()) at("name", "firmware image name is required");
    if (kinds.contains(image.name())) at("name", who + "defined twice");
    if (image.version().empty()) at("version", who + "version is required (e.g. \"2.2.0\")");
    std::filesystem::path resolved;
    std::uint64_t size = image.size_bytes();
    if (!image.image().empty()) {
      std::vector<std::filesystem::path> tried;
      resolved = resolve_firmware(image.image(), base_dir, options, tried);
      if (resolved.empty()) {
        std::string where;
        for (const auto& p : tried) where += "\n    " + p.string();
        at("image",
           who + "firmware image " + quoted(image.image()) + " not found; looked in:" + where);
      } else if (!image.has_size_bytes()) {
        std::error_code ec;
        size = std::filesystem::file_size(resolved, ec);
      }
    } else if (!image.has_size_bytes()) {
      at("size_bytes", who + "an asset (no `image`) needs size_bytes");
    }
    if (image.has_size_bytes() && (image.size_bytes() == 0 || image.size_bytes() >= (1ULL << 32))) {
      at("size_bytes", who + "size_bytes must be within [1, 4294967295]");
    }
    kinds[image.name()] = !image.image().empty();
    out.firmware_image_paths.push_back(resolved);
    out.firmware_image_sizes.push_back(size);
  }
}

void check_dfu_campaign(const locator& loc, const pb::TextFormat::ParseInfoTree* ct,
                        const scenario::v1::DfuCampaign& c, const std::string& who,
                        const std::set<std::string>& fleets,
                        const std::map<std::string, bool>& images, std::set<std::string>& names,
                        std::vector<diagnostic>& errors) {
  auto at = [&](const pb::TextFormat::ParseInfoTree* tree, const pb::Message& m, const char* f,
                int index,
                std::string text) { errors.push_back(loc.at(tree, m, f, index, std::move(text))); };
  const std::string me = who + "dfu_campaign " + quoted(c.name()) + ": ";
  if (c.name().empty()) at(ct, c, "name", -1, who + "dfu_campaign name is required");
  if (!names.insert(c.name()).second) at(ct, c, "name", -1, me + "defined twice");
  if (names.size() > 254) at(ct, c, "name", -1, me + "at most 254 DFU campaigns");
  if (!fleets.contains(c.fleet())) {
    at(ct, c, "fleet", -1,
       me + "unknown fleet " + quoted(c.fleet()) + " (defined: " + join_names(fleets) + ")");
  }
  if (c.kind() != "" && c.kind() != "host" && c.kind() != "asset") {
    at(ct, c, "kind", -1, me + "kind " + quoted(c.kind()) + " is not \"host\" or \"asset\"");
  }
  const auto image = images.find(c.image());
  if (image == images.end()) {
    std::set<std::string> defined;
    for (const auto& [name, host] : images) defined.insert(name);
    at(ct, c, "image", -1,
       me + "unknown image " + quoted(c.image()) + " (firmware_images: " + join_names(defined) +
           ")");
  } else if (c.kind() != "asset" && !image->second) {
    at(ct, c, "image", -1,
       me + "image " + quoted(c.image()) + " is an asset (no `image` file): use kind \"asset\"");
  }
  double last_percent = 0;
  std::int64_t last_after_us = -1;
  for (int k = 0; k < c.stages_size(); ++k) {
    const auto& stage = c.stages(k);
    const auto* st = loc.nested(ct, c, "stages", k);
    const std::string which = me + "stage " + std::to_string(k + 1) + ": ";
    if (stage.percent() == 0 || stage.percent() > 100) {
      at(st, stage, "percent", -1, which + "percent must be within [1, 100]");
    } else if (stage.percent() <= last_percent) {
      at(st, stage, "percent", -1,
         which + "percent must increase from stage to stage (previous " +
             std::to_string(static_cast<int>(last_percent)) + ", got " +
             std::to_string(stage.percent()) + ")");
    }
    last_percent = std::max<double>(last_percent, stage.percent());
    if (auto after = parse_duration_us(stage.after()); !after) {
      at(st, stage, stage.after().empty() ? "percent" : "after", -1,
         which + "after: " + after.error());
    } else if (*after < last_after_us) {
      at(st, stage, "after", -1, which + "after must not be earlier than the previous stage's");
    } else {
      last_after_us = *after;
    }
  }
  if (!(c.apply_failure_rate() >= 0 && c.apply_failure_rate() <= 1)) {
    at(ct, c, "apply_failure_rate", -1, me + "apply_failure_rate must be within [0, 1]");
  }
  if (c.has_health_gate()) {
    const auto& g = c.health_gate();
    const auto* gt = loc.nested(ct, c, "health_gate", -1);
    if (!(g.max_failure_rate() >= 0 && g.max_failure_rate() <= 1)) {
      at(gt, g, "max_failure_rate", -1, me + "health_gate max_failure_rate must be within [0, 1]");
    }
    if (auto window = parse_duration_us(g.window()); !window || *window <= 0) {
      const std::string text =
          me + "health_gate window: " + (window ? std::string("must be positive") : window.error());
      errors.push_back(g.window().empty() ? loc.at(ct, c, "health_gate", -1, text)
                                          : loc.at(gt, g, "window", -1, text));
    }
    if (g.metric() != "" && g.metric() != "apply_failures" && g.metric() != "reboots" &&
        g.metric() != "silent") {
      at(gt, g, "metric", -1,
         me + "health_gate metric " + quoted(g.metric()) +
             " is not one of \"apply_failures\", \"reboots\", \"silent\"");
    }
    if (g.has_min_samples() && g.min_samples() == 0) {
      at(gt, g, "min_samples", -1, me + "health_gate min_samples must be at least 1");
    }
  } else if (c.rollback()) {
    at(ct, c, "rollback", -1, me + "rollback needs a health_gate (it is what triggers it)");
  }
  if (c.diagnostic()) {
    if (auto after = parse_duration_us(c.revert_after()); !after || *after <= 0) {
      at(ct, c, c.revert_after().empty() ? "diagnostic" : "revert_after", -1,
         me + "a diagnostic image needs revert_after (e.g. \"1d\")" +
             (after ? std::string() : ": " + after.error()));
    }
  } else if (!c.revert_after().empty()) {
    at(ct, c, "revert_after", -1, me + "revert_after is only for diagnostic: true");
  }
}

// Config (docs/cloud-config.md) -----------------------------------------------------------

// The env vars the platform itself reads (logs, factor 10) must hold a value it understands.
std::string reserved_env_error(const std::string& name, const std::string& value) {
  if (name == "_log_level" && value != "error" && value != "warn" && value != "info" &&
      value != "debug" && value != "off") {
    return "_log_level " + quoted(value) +
           " is not one of \"error\", \"warn\", \"info\", \"debug\", \"off\"";
  }
  if (name == "_log_cadence" && value != "session") {
    auto d = parse_duration_us(value);
    if (!d || *d <= 0 || *d > 366LL * 86'400'000'000LL) {
      return "_log_cadence " + quoted(value) +
             " is neither \"session\" nor a positive duration of at most a year (e.g. \"6h\")";
    }
  }
  return {};
}

bool lifecycle_known(const std::string& v) {
  return v.empty() || v == "quarantine" || v == "operational" || v == "repair" ||
         v == "decommissioned";
}

template <class At>
void check_env_vars(const google::protobuf::RepeatedPtrField<scenario::v1::EnvVar>& vars,
                    const std::string& who, At&& at) {
  for (int e = 0; e < vars.size(); ++e) {
    if (auto why = reserved_env_error(vars.Get(e).name(), vars.Get(e).value()); !why.empty()) {
      at(e, who + why);
    }
  }
}

void check_config(const locator& loc, const Scenario& s, const std::set<std::string>& fleet_names,
                  const std::set<std::string>& model_names,
                  const std::set<std::string>& region_names, std::vector<diagnostic>& errors) {
  const auto* root = loc.root();
  auto at = [&](const pb::TextFormat::ParseInfoTree* tree, const pb::Message& m, const char* f,
                int index,
                std::string text) { errors.push_back(loc.at(tree, m, f, index, std::move(text))); };
  auto known_fleet = [&](const std::string& name) {
    return "unknown fleet " + quoted(name) + " (defined: " + join_names(fleet_names) + ")";
  };
  int rule_fleets = 0;
  for (int i = 0; i < s.fleets_size(); ++i) {
    const auto& fleet = s.fleets(i);
    const auto* ft = loc.nested(root, s, "fleets", i);
    const std::string who = "fleet " + quoted(fleet.name()) + ": ";
    if (!lifecycle_known(fleet.lifecycle())) {
      at(ft, fleet, "lifecycle", -1,
         who + "lifecycle " + quoted(fleet.lifecycle()) +
             " is not one of \"quarantine\", \"operational\", \"repair\", \"decommissioned\"");
    }
    if (!fleet.watchdog().empty()) {
      auto d = parse_duration_us(fleet.watchdog());
      if (!d || *d <= 0) {
        at(ft, fleet, "watchdog", -1,
           who + "watchdog: " + (d ? std::string("must be positive") : d.error()));
      }
    }
    check_env_vars(fleet.env(), who,
                   [&](int e, std::string text) { at(ft, fleet, "env", e, std::move(text)); });
    if (!fleet.has_rule()) continue;
    ++rule_fleets;
    const auto& rule = fleet.rule();
    const auto* rt = loc.nested(ft, fleet, "rule", -1);
    if (rule.device_model().empty() && rule.region().empty() && rule.serial_prefix().empty() &&
        rule.home_fleet().empty()) {
      at(ft, fleet, "rule", -1,
         who +
             "an empty rule would match every twin; set device_model, region, serial_prefix "
             "or home_fleet");
    }
    if (!rule.device_model().empty() && !model_names.contains(rule.device_model())) {
      at(rt, rule, "device_model", -1,
         who + "rule: unknown device model " + quoted(rule.device_model()) +
             " (defined: " + join_names(model_names) + ")");
    }
    if (!rule.region().empty() && !region_names.contains(rule.region())) {
      at(rt, rule, "region", -1,
         who + "rule: unknown region " + quoted(rule.region()) +
             " (defined: " + join_names(region_names) + ")");
    }
    if (!rule.home_fleet().empty() && !fleet_names.contains(rule.home_fleet())) {
      at(rt, rule, "home_fleet", -1, who + "rule: " + known_fleet(rule.home_fleet()));
    }
  }
  if (s.fleets_size() > 65535) {  // a twin's home fleet is kept in 16 bits
    at(root, s, "fleets", 0, "at most 65535 fleets are supported");
  }
  if (rule_fleets > 64) {
    at(root, s, "fleets", 0,
       std::to_string(rule_fleets) + " fleets have a membership rule; at most 64 may");
  }
  check_env_vars(s.env(), "",
                 [&](int e, std::string text) { at(root, s, "env", e, std::move(text)); });
  for (int i = 0; i < s.device_env_size(); ++i) {
    const auto& d = s.device_env(i);
    const auto* dt = loc.nested(root, s, "device_env", i);
    const std::string who = "device_env " + quoted(d.serial()) + ": ";
    if (d.serial().empty()) {
      at(root, s, "device_env", i, "device_env: serial is required");
    } else if (!known_serial(s, d.serial())) {
      at(dt, d, "serial", -1, who + "no twin has this serial");
    }
    for (int e = 0; e < d.env_size(); ++e) {
      if (d.env(e).name().empty()) at(dt, d, "env", e, who + "env var without a name");
    }
    check_env_vars(d.env(), who,
                   [&](int e, std::string text) { at(dt, d, "env", e, std::move(text)); });
  }
}

// A config timeline event (EnvChange or FleetMove); `who` prefixes the messages.
void check_config_event(const locator& loc, const Scenario& s,
                        const pb::TextFormat::ParseInfoTree* et,
                        const scenario::v1::TimelineEvent& ev,
                        const std::set<std::string>& fleet_names, const std::string& who,
                        std::vector<diagnostic>& errors) {
  auto at = [&](const pb::TextFormat::ParseInfoTree* tree, const pb::Message& m, const char* f,
                int index,
                std::string text) { errors.push_back(loc.at(tree, m, f, index, std::move(text))); };
  auto known_fleet = [&](const std::string& name) {
    return "unknown fleet " + quoted(name) + " (defined: " + join_names(fleet_names) + ")";
  };
  if (ev.has_env_change()) {
    const auto& c = ev.env_change();
    const auto* ct = loc.nested(et, ev, "env_change", -1);
    // A missing field has no location of its own: point at the env_change block.
    if (c.name().empty()) at(et, ev, "env_change", -1, who + "env_change needs a name");
    if (c.scope() == "fleet") {
      if (!fleet_names.contains(c.fleet())) at(ct, c, "fleet", -1, who + known_fleet(c.fleet()));
    } else if (c.scope() == "device") {
      if (!known_serial(s, c.serial())) {
        at(ct, c, "serial", -1, who + "no twin has serial " + quoted(c.serial()));
      }
    } else if (c.scope() != "project") {
      at(ct, c, "scope", -1,
         who + "scope " + quoted(c.scope()) + " is not one of \"project\", \"fleet\", \"device\"");
    }
    if (c.scope() != "fleet" && !c.fleet().empty()) {
      at(ct, c, "fleet", -1, who + "`fleet` only goes with scope \"fleet\"");
    }
    if (c.scope() != "device" && !c.serial().empty()) {
      at(ct, c, "serial", -1, who + "`serial` only goes with scope \"device\"");
    }
    if (!c.delete_()) {
      if (auto why = reserved_env_error(c.name(), c.value()); !why.empty()) {
        at(ct, c, "value", -1, who + why);
      }
    }
    return;
  }
  const auto& m = ev.fleet_move();
  const auto* mt = loc.nested(et, ev, "fleet_move", -1);
  if (m.to_fleet().empty()) {
    at(et, ev, "fleet_move", -1, who + "fleet_move needs to_fleet");
  } else if (!fleet_names.contains(m.to_fleet())) {
    at(mt, m, "to_fleet", -1, who + known_fleet(m.to_fleet()));
  }
  if (!m.from_fleet().empty() && !fleet_names.contains(m.from_fleet())) {
    at(mt, m, "from_fleet", -1, who + known_fleet(m.from_fleet()));
  }
  if (m.from_fleet().empty() && m.serials_size() == 0) {
    at(et, ev, "fleet_move", -1, who + "fleet_move needs from_fleet or serials");
  }
  if (m.count() > 0 && m.percent() != 0) {
    at(mt, m, "percent", -1, who + "give count or percent, not both");
  }
  if (m.percent() != 0 && !(m.percent() > 0 && m.percent() <= 100)) {
    at(mt, m, "percent", -1, who + "percent must be within (0, 100]");
  }
  if (m.serials_size() > 0 && (m.count() > 0 || m.percent() != 0)) {
    at(mt, m, "serials", 0, who + "serials name the twins: count and percent do not apply");
  }
  for (int i = 0; i < m.serials_size(); ++i) {
    if (!known_serial(s, m.serials(i))) {
      at(mt, m, "serials", i, who + "no twin has serial " + quoted(m.serials(i)));
    }
  }
}

// Routes, web routes and their timeline events (factors 1, 3, 5; docs/cloud-routes.md).
bool is_json_object(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  return !j.is_discarded() && j.is_object();
}

void check_simulated(const locator& loc, const pb::TextFormat::ParseInfoTree* tree,
                     const scenario::v1::SimulatedEndpoint& sim, const std::string& who,
                     std::vector<diagnostic>& errors) {
  auto at = [&](const char* field, std::string text) {
    errors.push_back(loc.at(tree, sim, field, -1, who + std::move(text)));
  };
  if (sim.has_latency_ms_median() && !(sim.latency_ms_median() >= 0)) {
    at("latency_ms_median", "latency_ms_median must be >= 0");
  }
  if (sim.has_latency_ms_p99() &&
      !(sim.latency_ms_p99() >= (sim.has_latency_ms_median() ? sim.latency_ms_median() : 200))) {
    at("latency_ms_p99", "latency_ms_p99 must be >= latency_ms_median (default 200)");
  }
  if (sim.has_error_rate() && !(sim.error_rate() >= 0 && sim.error_rate() <= 1)) {
    at("error_rate", "error_rate must be within [0, 1]");
  }
  if (sim.has_status_on_error() && (sim.status_on_error() < 100 || sim.status_on_error() > 599)) {
    at("status_on_error", "status_on_error must be an HTTP status within [100, 599]");
  }
  if (sim.has_status_ok() && (sim.status_ok() < 100 || sim.status_ok() > 599)) {
    at("status_ok", "status_ok must be an HTTP status within [100, 599]");
  }
  if (!sim.body().empty() && !is_json_object(sim.body())) {
    at("body", "body must be a JSON object, e.g. {\"ok\":true}");
  }
}

void check_routes(const locator& loc, const Scenario& s, const std::set<std::string>& fleets,
                  std::set<std::string>& web_route_names, std::vector<diagnostic>& errors) {
  const auto* root = loc.root();
  std::set<std::string> names;
  for (int i = 0; i < s.routes_size(); ++i) {
    const auto& r = s.routes(i);
    const auto* rt = loc.nested(root, s, "routes", i);
    const std::string who = "route " + quoted(r.name()) + ": ";
    auto at = [&](const pb::TextFormat::ParseInfoTree* t, const pb::Message& m, const char* f,
                  int index, std::string text) {
      errors.push_back(loc.at(t, m, f, index, who + std::move(text)));
    };
    if (r.name().empty()) at(rt, r, "name", -1, "a route needs a name");
    if (!names.insert(r.name()).second) at(rt, r, "name", -1, "defined twice");
    for (int k = 0; k < r.notefiles_size(); ++k) {
      if (r.notefiles(k).empty()) at(rt, r, "notefiles", k, "empty Notefile glob");
    }
    for (int k = 0; k < r.fleets_size(); ++k) {
      if (!fleets.contains(r.fleets(k))) {
        at(rt, r, "fleets", k,
           "unknown fleet " + quoted(r.fleets(k)) + " (defined: " + join_names(fleets) + ")");
      }
    }
    if (r.has_max_attempts() && (r.max_attempts() < 1 || r.max_attempts() > 100)) {
      at(rt, r, "max_attempts", -1, "max_attempts must be within [1, 100]");
    }
    if (r.has_backoff_max_ms() && r.backoff_max_ms() > 600'000) {
      at(rt, r, "backoff_max_ms", -1, "backoff_max_ms must be at most 600000 (10 minutes)");
    }
    if (r.has_backoff_initial_ms() &&
        r.backoff_initial_ms() > (r.has_backoff_max_ms() ? r.backoff_max_ms() : 5000)) {
      at(rt, r, "backoff_initial_ms", -1, "backoff_initial_ms must be <= backoff_max_ms");
    }
    if (r.has_queue_limit() && r.queue_limit() == 0) {
      at(rt, r, "queue_limit", -1, "queue_limit must be at least 1");
    }
    if (r.has_drain_timeout_ms() && r.drain_timeout_ms() > 600'000) {
      at(rt, r, "drain_timeout_ms", -1, "drain_timeout_ms must be at most 600000");
    }
    const auto& sink = r.sink();
    const auto* st = loc.nested(rt, r, "sink", -1);
    switch (sink.kind_case()) {
      case scenario::v1::Sink::KIND_NOT_SET:
        at(rt, r, "name", -1,
           "a route needs a sink: `sink { store {} }`, `sink { ndjson { path: ... } }`, "
           "`sink { http { url: ... } }` or `sink { mqtt { url: ... } }`");
        break;
      case scenario::v1::Sink::kStore:
        break;
      case scenario::v1::Sink::kNdjson:
        if (sink.ndjson().path().empty()) {
          at(loc.nested(st, sink, "ndjson", -1), sink.ndjson(), "path", -1, "ndjson needs a path");
        }
        break;
      case scenario::v1::Sink::kHttp: {
        const auto* ht = loc.nested(st, sink, "http", -1);
        if (auto url = actors::parse_endpoint_url(sink.http().url(), "http"); !url) {
          at(ht, sink.http(), "url", -1, "url: " + url.error());
        }
        for (int k = 0; k < sink.http().headers_size(); ++k) {
          if (sink.http().headers(k).name().empty()) {
            at(ht, sink.http(), "headers", k, "a header needs a name");
          }
        }
        if (sink.http().has_timeout_ms() &&
            (sink.http().timeout_ms() == 0 || sink.http().timeout_ms() > 600'000)) {
          at(ht, sink.http(), "timeout_ms", -1, "timeout_ms must be within [1, 600000]");
        }
        break;
      }
      case scenario::v1::Sink::kMqtt: {
        const auto* mt = loc.nested(st, sink, "mqtt", -1);
        if (auto url = actors::parse_endpoint_url(sink.mqtt().url(), "mqtt"); !url) {
          at(mt, sink.mqtt(), "url", -1, "url: " + url.error());
        }
        if (sink.mqtt().qos() > 1) at(mt, sink.mqtt(), "qos", -1, "qos must be 0 or 1");
        break;
      }
    }
  }
  for (int i = 0; i < s.web_routes_size(); ++i) {
    const auto& w = s.web_routes(i);
    const auto* wt = loc.nested(root, s, "web_routes", i);
    const std::string who = "web route " + quoted(w.name()) + ": ";
    if (w.name().empty()) errors.push_back(loc.at(wt, w, "name", -1, "a web route needs a name"));
    if (!web_route_names.insert(w.name()).second) {
      errors.push_back(loc.at(wt, w, "name", -1, who + "defined twice"));
    }
    if (w.has_simulated()) {
      check_simulated(loc, loc.nested(wt, w, "simulated", -1), w.simulated(), who, errors);
    } else if (w.url().empty()) {
      errors.push_back(
          loc.at(wt, w, "name", -1, who + "needs `simulated { ... }` or `url: \"http://...\"`"));
    } else if (auto url = actors::parse_endpoint_url(w.url(), "http"); !url) {
      errors.push_back(loc.at(wt, w, "url", -1, who + "url: " + url.error()));
    }
  }
}

// Checks a RouteRepoint, DbUpdate or InboundNote; false when the event is none of them.
bool check_routes_event(const locator& loc, const pb::TextFormat::ParseInfoTree* et,
                        const Scenario& s, const scenario::v1::TimelineEvent& ev,
                        const std::string& who, const std::set<std::string>& fleets,
                        const std::set<std::string>& web_routes, std::vector<diagnostic>& errors) {
  auto target = [&](const pb::TextFormat::ParseInfoTree* t, const pb::Message& m,
                    const std::string& fleet, const std::string& serial) {
    if (fleet.empty() == serial.empty()) {
      errors.push_back(loc.at(t, m, "fleet", -1, who + "give exactly one of fleet or serial"));
    } else if (!fleet.empty() && !fleets.contains(fleet)) {
      errors.push_back(loc.at(
          t, m, "fleet", -1,
          who + "unknown fleet " + quoted(fleet) + " (defined: " + join_names(fleets) + ")"));
    } else if (!serial.empty() && !known_serial(s, serial)) {
      errors.push_back(loc.at(t, m, "serial", -1,
                              who + "no device has serial " + quoted(serial) +
                                  " (a fleet's serial prefix and a number within its count, "
                                  "7 digits, e.g. \"METERS-0000001\")"));
    }
  };
  if (ev.has_route_repoint()) {
    const auto& rp = ev.route_repoint();
    const auto* t = loc.nested(et, ev, "route_repoint", -1);
    if (!web_routes.contains(rp.route())) {
      errors.push_back(loc.at(t, rp, "route", -1,
                              who + "unknown web route " + quoted(rp.route()) +
                                  " (defined: " + join_names(web_routes) + ")"));
    }
    if (rp.has_simulated()) {
      check_simulated(loc, loc.nested(t, rp, "simulated", -1), rp.simulated(), who, errors);
    } else if (auto url = actors::parse_endpoint_url(rp.url(), "http"); !url) {
      errors.push_back(
          loc.at(t, rp, "url", -1,
                 who + (rp.url().empty() ? std::string("needs `simulated { ... }` or `url: ...`")
                                         : "url: " + url.error())));
    }
    return true;
  }
  if (ev.has_db_update()) {
    const auto& u = ev.db_update();
    const auto* t = loc.nested(et, ev, "db_update", -1);
    target(t, u, u.fleet(), u.serial());
    if (!u.file().ends_with(".db") && !u.file().ends_with(".dbs")) {
      errors.push_back(loc.at(t, u, "file", -1,
                              who + "file " + quoted(u.file()) +
                                  " is not a replicated database Notefile (*.db or *.dbs)"));
    }
    if (u.note_id().empty())
      errors.push_back(loc.at(t, u, "note_id", -1, who + "note_id is required"));
    if (!u.delete_() && !u.body().empty() && !is_json_object(u.body())) {
      errors.push_back(loc.at(t, u, "body", -1, who + "body must be a JSON object"));
    }
    return true;
  }
  if (ev.has_inbound_note()) {
    const auto& n = ev.inbound_note();
    const auto* t = loc.nested(et, ev, "inbound_note", -1);
    target(t, n, n.fleet(), n.serial());
    if (!n.file().ends_with(".qi") && !n.file().ends_with(".qis")) {
      errors.push_back(
          loc.at(t, n, "file", -1,
                 who + "file " + quoted(n.file()) + " is not an inbound queue (*.qi or *.qis)"));
    }
    if (!n.body().empty() && !is_json_object(n.body())) {
      errors.push_back(loc.at(t, n, "body", -1, who + "body must be a JSON object"));
    }
    return true;
  }
  return false;
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
  for (int i = 0; i < s.assertions_size(); ++i) {
    const auto& a = s.assertions(i);
    const auto* atree = loc.nested(root, s, "assertions", i);
    auto spec = parse_assertion(a, out.epoch_utc_us);
    if (!spec) {
      // The message starts with the field it is about ("expect: ...", "from: ...").
      const std::string field = spec.error().substr(0, spec.error().find(':'));
      at(atree, a, field.c_str(), -1, "assertions[" + std::to_string(i) + "]: " + spec.error());
      continue;
    }
    const std::string& root_key = spec->path.front();
    if (!known_summary_keys().contains(root_key)) {
      at(atree, a, "expect", -1,
         "assertions[" + std::to_string(i) + "]: expect: summary.json has no metric " +
             quoted(root_key) + " (see docs/outputs.md)");
      continue;
    }
    out.assertions.push_back(std::move(*spec));
  }
  if (s.has_scale() && !(s.scale() > 0 && s.scale() <= 1000)) {
    at(root, s, "scale", -1, "scale must be within (0, 1000]");
  }
  if (!s.store().retention().empty()) {
    if (auto r = parse_duration_us(s.store().retention()); !r || *r <= 0) {
      at(loc.nested(root, s, "store", -1), s.store(), "retention", -1,
         "retention: " + (r ? std::string("must be positive") : r.error()));
    }
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
    if (fleet.count() == 0 && !fleet.has_rule() && fleet.lifecycle().empty()) {
      // An empty fleet is a move target or a rule fleet: it says so with lifecycle or rule.
      at(ft, fleet, "count", -1,
         who + "count must be at least 1 (a fleet that starts empty sets `lifecycle` or `rule`)");
    }
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
  // Firmware images a DFU campaign can deliver: name -> true for a host image (has a file).
  std::map<std::string, bool> image_kinds;
  std::set<std::string> campaign_names;
  check_firmware_images(loc, root, s, base_dir, options, out, image_kinds, errors);
  std::set<std::string> web_route_names;
  check_routes(loc, s, fleet_names, web_route_names, errors);
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
    } else if (ev.has_dfu_campaign()) {
      check_dfu_campaign(loc, loc.nested(et, ev, "dfu_campaign", -1), ev.dfu_campaign(), who,
                         fleet_names, image_kinds, campaign_names, errors);
    } else if (ev.has_key_compromise() || ev.has_spoof_attack() || ev.has_cert_rotation() ||
               ev.has_hardware_replacement()) {
      check_auth_event(loc, et, ev, who, s, fleet_names, errors);
    } else if (ev.has_env_change() || ev.has_fleet_move()) {
      check_config_event(loc, s, et, ev, fleet_names, who, errors);
    } else if (check_routes_event(loc, et, s, ev, who, fleet_names, web_route_names, errors)) {
      // route_repoint, db_update, inbound_note: checked above
    } else {
      at(et, ev, "at", -1,
         who +
             "an event needs one of sunset, outage, env_change, fleet_move, dfu_campaign, "
             "key_compromise, spoof_attack, cert_rotation, hardware_replacement");
    }
  }
  check_config(loc, s, fleet_names, model_names, region_names, errors);
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

namespace {

// Text that was expanded before (resume): every line maps to itself, nothing is substituted.
expanded_source verbatim_source(const std::string& text, const std::string& display_name,
                                const std::map<std::string, std::string>& params) {
  expanded_source out;
  out.text = text;
  out.params = params;
  out.files = {display_name};
  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (int line = 1; line <= lines; ++line) out.lines.push_back({display_name, line});
  return out;
}

}  // namespace

std::expected<scenario_file, std::vector<diagnostic>> parse_scenario(
    const std::string& text, const std::string& display_name, const std::filesystem::path& base_dir,
    const load_options& options) {
  auto source = options.already_expanded
                    ? std::expected<expanded_source, std::vector<diagnostic>>(
                          verbatim_source(text, display_name, options.params))
                    : expand_scenario_source(text, display_name, base_dir, options.params);
  if (!source) return std::unexpected(std::move(source.error()));
  auto locate_all = [&](std::vector<diagnostic> found) {
    for (diagnostic& d : found) d = source->locate(std::move(d));
    return found;
  };
  std::vector<diagnostic> errors;
  auto spec = std::make_shared<Scenario>();
  pb::TextFormat::Parser parser;
  syntax_errors collector(display_name, errors);
  pb::TextFormat::ParseInfoTree tree;
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(source->text, spec.get())) {
    if (errors.empty()) errors.push_back({display_name, 0, 0, "not a valid scenario"});
    return std::unexpected(locate_all(std::move(errors)));
  }
  errors.clear();  // warnings only
  scenario_file out;
  out.path = display_name;
  out.params = source->params;
  out.files = source->files;
  out.expanded_text = source->text;
  out.base_dir = base_dir;
  check(locator(display_name, &tree), *spec, base_dir, options, out, errors);
  if (!errors.empty()) return std::unexpected(locate_all(std::move(errors)));
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
