// The twin store's config tables (see config_state::take_store_rows in config.hpp).
#include <algorithm>

#include <nlohmann/json.hpp>

#include "cloud/config.hpp"

namespace twelvefold::actors::cloud {
namespace {

std::string rule_json(const world& w, const membership_rule& rule) {
  if (!rule.present) return "";
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (rule.device_model >= 0) j["device_model"] = w.device_models[rule.device_model].name;
  if (rule.region >= 0) j["region"] = w.regions[rule.region].name;
  if (!rule.serial_prefix.empty()) j["serial_prefix"] = rule.serial_prefix;
  if (rule.home_fleet >= 0) j["home_fleet"] = w.fleets[rule.home_fleet].name;
  return j.dump();
}

}  // namespace

config_rows config_state::take_store_rows() {
  config_rows rows;
  if (!store_dirty_) return rows;
  std::vector<std::uint64_t> home_count(w_.fleets.size(), 0);
  for (std::uint16_t f : home_) ++home_count[f];
  for (std::size_t f = 0; f < w_.fleets.size(); ++f) {
    const fleet_spec& fleet = w_.fleets[f];
    rows.fleets.push_back({fleet.name, std::string(lifecycle_name(fleet.lifecycle)),
                           rule_json(w_, fleet.rule), fleet.priority, fleet.watchdog_us / 1'000'000,
                           home_count[f]});
  }
  rows.env = env_rows();
  auto add_memberships = [&](twin_index t, std::int64_t since_us) {
    const std::string serial = w_.serial_of(t);
    for (std::uint32_t f : fleets_of(t)) {
      rows.memberships.push_back({serial, w_.fleets[f].name, f != home_[t], since_us});
    }
    return serial;
  };
  if (store_all_) {
    rows.all_memberships = true;
    for (twin_index t = 0; t < home_.size(); ++t) add_memberships(t, 0);
  } else {
    // A twin moved twice since the last write is written once, as of its last move.
    std::stable_sort(moved_.begin(), moved_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < moved_.size(); ++i) {
      if (i + 1 < moved_.size() && moved_[i + 1].first == moved_[i].first) continue;
      rows.membership_serials.push_back(add_memberships(moved_[i].first, moved_[i].second));
    }
  }
  moved_.clear();
  store_all_ = false;
  store_dirty_ = false;
  return rows;
}

}  // namespace twelvefold::actors::cloud
