// Config via fleets (see config.hpp).
#include "cloud/config.hpp"

#include <algorithm>
#include <cmath>

namespace twelvefold::actors::cloud {

std::string_view lifecycle_name(fleet_lifecycle stage) {
  switch (stage) {
    case fleet_lifecycle::quarantine:
      return "quarantine";
    case fleet_lifecycle::operational:
      return "operational";
    case fleet_lifecycle::repair:
      return "repair";
    case fleet_lifecycle::decommissioned:
      return "decommissioned";
  }
  return "operational";
}

bool parse_lifecycle(std::string_view text, fleet_lifecycle& out) {
  for (auto stage : {fleet_lifecycle::quarantine, fleet_lifecycle::operational,
                     fleet_lifecycle::repair, fleet_lifecycle::decommissioned}) {
    if (text == lifecycle_name(stage)) {
      out = stage;
      return true;
    }
  }
  return false;
}

bool parse_env_scope(std::string_view text, env_scope& out) {
  if (text == "project") {
    out = env_scope::project;
  } else if (text == "fleet") {
    out = env_scope::fleet;
  } else if (text == "device") {
    out = env_scope::device;
  } else {
    return false;
  }
  return true;
}

std::int64_t change_stats::reached_us(double percent) const {
  if (twins_targeted == 0) return -1;
  // The k-th arrival (1-based) with k = ceil(p * targeted): the delay by which p of them had it.
  const auto k = static_cast<std::size_t>(
      std::ceil(percent / 100.0 * static_cast<double>(twins_targeted) - 1e-9));
  if (k == 0) return 0;
  if (delays_us.size() < k) return -1;
  std::vector<std::int64_t> sorted = delays_us;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k - 1),
                   sorted.end());
  return sorted[k - 1];
}

config_state::config_state(const world& w) : w_(w) {
  const std::size_t n = w.twins.size();
  home_.resize(n);
  for (twin_index t = 0; t < n; ++t) home_[t] = static_cast<std::uint16_t>(w.twins[t].fleet);
  rule_bit_.assign(w.fleets.size(), -1);
  std::int8_t bits = 0;
  for (std::size_t f = 0; f < w.fleets.size(); ++f) {
    // The scenario loader refuses more than 64 rule fleets.
    if (w.fleets[f].rule.present && bits < 64) rule_bit_[f] = bits++;
  }
  if (bits > 0) {
    rule_mask_.resize(n);
    for (twin_index t = 0; t < n; ++t) rule_mask_[t] = rule_mask_for(t, home_[t]);
  }
  precedence_.resize(w.fleets.size());
  for (std::uint32_t f = 0; f < precedence_.size(); ++f) precedence_[f] = f;
  // Applied in this order, later wins: ascending priority; at equal priority, names in
  // descending order so that the name sorting first is applied last (and wins).
  std::sort(precedence_.begin(), precedence_.end(), [&](std::uint32_t a, std::uint32_t b) {
    const fleet_spec& fa = w.fleets[a];
    const fleet_spec& fb = w.fleets[b];
    if (fa.priority != fb.priority) return fa.priority < fb.priority;
    return fa.name > fb.name;
  });
  required_.assign(n, 1);
  sent_.assign(n, 0);
  for (const auto& [name, value] : w.project_env) project_[name] = {value, 1, 0};
  fleet_env_.resize(w.fleets.size());
  for (std::size_t f = 0; f < w.fleets.size(); ++f) {
    for (const auto& [name, value] : w.fleets[f].env) fleet_env_[f][name] = {value, 1, 0};
  }
  for (const device_env_spec& d : w.device_env) {
    auto& scope = device_env_[d.twin];
    for (const auto& [name, value] : d.env) scope[name] = {value, 1, 0};
  }
}

bool config_state::rule_matches(const membership_rule& rule, twin_index twin,
                                std::uint32_t home) const {
  if (!rule.present) return false;
  const twin_spec& spec = w_.twins[twin];
  const fleet_spec& birth = w_.fleets[spec.fleet];
  if (rule.device_model >= 0 && static_cast<std::uint32_t>(rule.device_model) != birth.device_model)
    return false;
  if (rule.region >= 0 && static_cast<std::uint32_t>(rule.region) != birth.region) return false;
  if (rule.home_fleet >= 0 && static_cast<std::uint32_t>(rule.home_fleet) != home) return false;
  if (!rule.serial_prefix.empty() && !w_.serial_of(twin).starts_with(rule.serial_prefix)) {
    return false;
  }
  return true;
}

std::uint64_t config_state::rule_mask_for(twin_index twin, std::uint32_t home) const {
  std::uint64_t mask = 0;
  for (std::size_t f = 0; f < rule_bit_.size(); ++f) {
    if (rule_bit_[f] >= 0 && rule_matches(w_.fleets[f].rule, twin, home)) {
      mask |= std::uint64_t{1} << rule_bit_[f];
    }
  }
  return mask;
}

bool config_state::member_of(twin_index twin, std::uint32_t fleet) const {
  if (home_[twin] == fleet) return true;
  const std::int8_t bit = rule_bit_[fleet];
  return bit >= 0 && !rule_mask_.empty() && ((rule_mask_[twin] >> bit) & 1U) != 0;
}

std::vector<std::uint32_t> config_state::fleets_of(twin_index twin) const {
  std::vector<std::uint32_t> out;
  for (std::uint32_t f : precedence_) {
    if (member_of(twin, f)) out.push_back(f);
  }
  return out;
}

env_map config_state::resolved_env(twin_index twin) const {
  env_map env;
  for (const auto& [name, v] : project_) env[name] = v.value;
  for (std::uint32_t f : precedence_) {
    if (!member_of(twin, f)) continue;
    for (const auto& [name, v] : fleet_env_[f]) env[name] = v.value;
  }
  if (auto it = device_env_.find(twin); it != device_env_.end()) {
    for (const auto& [name, v] : it->second) env[name] = v.value;
  }
  return env;
}

change_stats& config_state::begin_change(change_stats::kind what, std::int64_t at_us) {
  change_stats& c = changes_.emplace_back();
  c.what = what;
  c.at_us = at_us;
  c.version = ++version_;
  c.targets.assign((w_.twins.size() + 63) / 64, 0);
  return c;
}

void config_state::target(change_stats& c, twin_index twin) {
  required_[twin] = c.version;
  // A decommissioned twin is never served again: it is not waited for.
  if (decommissioned(twin)) return;
  c.targets[twin / 64] |= std::uint64_t{1} << (twin % 64);
  ++c.twins_targeted;
}

std::uint32_t config_state::apply(const env_change& change, std::int64_t at_us) {
  change_stats& c = begin_change(change_stats::kind::env, at_us);
  c.name = change.name;
  c.remove = change.remove;
  scope_map* scope = nullptr;
  switch (change.scope) {
    case env_scope::project:
      c.scope = "project";
      scope = &project_;
      break;
    case env_scope::fleet:
      c.scope = "fleet";
      c.target = w_.fleets[change.fleet].name;
      scope = &fleet_env_[change.fleet];
      break;
    case env_scope::device:
      c.scope = "device";
      c.target = w_.serial_of(change.twin);
      scope = &device_env_[change.twin];
      break;
  }
  store_dirty_ = true;
  if (change.remove) {
    if (auto it = scope->find(change.name); it != scope->end()) scope->erase(it);
    if (change.scope == env_scope::device && scope->empty()) device_env_.erase(change.twin);
  } else {
    (*scope)[change.name] = {change.value, c.version, at_us};
  }
  // Every twin in the scope is sent its environment again, even when a higher scope hides the
  // changed value: the cloud does not second-guess what a twin will make of it.
  switch (change.scope) {
    case env_scope::project:
      for (twin_index t = 0; t < home_.size(); ++t) target(c, t);
      break;
    case env_scope::fleet:
      for (twin_index t = 0; t < home_.size(); ++t) {
        if (member_of(t, change.fleet)) target(c, t);
      }
      break;
    case env_scope::device:
      target(c, change.twin);
      break;
  }
  return c.twins_targeted;
}

std::uint32_t config_state::apply(const fleet_move& move, std::int64_t at_us,
                                  std::vector<cloud_event>& events) {
  change_stats& c = begin_change(change_stats::kind::move, at_us);
  c.scope = "move";
  c.target = (move.from_fleet >= 0 ? w_.fleets[move.from_fleet].name : std::string("*")) + "->" +
             w_.fleets[move.to_fleet].name;
  const std::string_view stage = lifecycle_name(w_.fleets[move.to_fleet].lifecycle);
  std::uint32_t moved = 0;
  for (twin_index t : move.twins) {
    const std::uint32_t from = home_[t];
    if (from == move.to_fleet) continue;
    home_[t] = static_cast<std::uint16_t>(move.to_fleet);
    if (!rule_mask_.empty()) rule_mask_[t] = rule_mask_for(t, move.to_fleet);
    target(c, t);
    moved_.emplace_back(t, at_us);
    ++moved;
    events.push_back({t, at_us, "fleet.move", "",
                      "{\"from\":\"" + w_.fleets[from].name + "\",\"to\":\"" +
                          w_.fleets[move.to_fleet].name + "\",\"lifecycle\":\"" +
                          std::string(stage) + "\"}",
                      ""});
  }
  c.twins_moved = moved;
  ++moves_;
  twins_moved_ += moved;
  store_dirty_ = true;
  return moved;
}

void config_state::on_env_sent(twin_index twin, std::int64_t at_us) {
  const std::uint32_t from = sent_[twin];
  const std::uint32_t to = required_[twin];
  sent_[twin] = to;
  if (to <= from) return;
  auto it = std::upper_bound(changes_.begin(), changes_.end(), from,
                             [](std::uint32_t v, const change_stats& c) { return v < c.version; });
  const std::uint64_t bit = std::uint64_t{1} << (twin % 64);
  for (; it != changes_.end() && it->version <= to; ++it) {
    std::uint64_t& word = it->targets[twin / 64];
    if ((word & bit) == 0) continue;
    word &= ~bit;
    it->delays_us.push_back(at_us - it->at_us);
  }
}

std::vector<env_store_row> config_state::env_rows() const {
  std::vector<env_store_row> rows;
  for (const auto& [name, v] : project_)
    rows.push_back({"project", "", name, v.value, v.version, v.set_at_us});
  for (std::size_t f = 0; f < fleet_env_.size(); ++f) {
    for (const auto& [name, v] : fleet_env_[f]) {
      rows.push_back({"fleet", w_.fleets[f].name, name, v.value, v.version, v.set_at_us});
    }
  }
  std::vector<twin_index> twins;
  for (const auto& [twin, scope] : device_env_) twins.push_back(twin);
  std::sort(twins.begin(), twins.end());  // deterministic order
  for (twin_index t : twins) {
    for (const auto& [name, v] : device_env_.at(t)) {
      rows.push_back({"device", w_.serial_of(t), name, v.value, v.version, v.set_at_us});
    }
  }
  return rows;
}

}  // namespace twelvefold::actors::cloud
