// Config timeline events (see config_timeline.hpp).
#include "cloud/config_timeline.hpp"

#include <algorithm>
#include <cmath>

namespace twelvefold::actors::cloud {
namespace {

std::int32_t fleet_index(const world& w, const std::string& name) {
  for (std::size_t f = 0; f < w.fleets.size(); ++f) {
    if (w.fleets[f].name == name) return static_cast<std::int32_t>(f);
  }
  return -1;
}

}  // namespace

bool apply_config_event(config_state& config, const world& w,
                        const scenario::v1::TimelineEvent& event, std::int64_t at_us,
                        std::vector<cloud_event>& events) {
  if (event.has_env_change()) {
    const auto& e = event.env_change();
    env_change change;
    if (!parse_env_scope(e.scope(), change.scope)) return true;
    change.name = e.name();
    change.value = e.value();
    change.remove = e.delete_();
    if (change.scope == env_scope::fleet) {
      const std::int32_t f = fleet_index(w, e.fleet());
      if (f < 0) return true;
      change.fleet = static_cast<std::uint32_t>(f);
    } else if (change.scope == env_scope::device) {
      const auto twin = w.twin_of_serial(e.serial());
      if (!twin) return true;
      change.twin = *twin;
    }
    config.apply(change, at_us);
    return true;
  }
  if (event.has_fleet_move()) {
    const auto& m = event.fleet_move();
    fleet_move move;
    move.from_fleet = m.from_fleet().empty() ? -1 : fleet_index(w, m.from_fleet());
    const std::int32_t to = fleet_index(w, m.to_fleet());
    if (to < 0) return true;
    move.to_fleet = static_cast<std::uint32_t>(to);
    const auto in_from = [&](twin_index t) {
      return move.from_fleet < 0 ||
             config.home_fleet(t) == static_cast<std::uint32_t>(move.from_fleet);
    };
    if (m.serials_size() > 0) {
      for (const std::string& serial : m.serials()) {
        if (auto t = w.twin_of_serial(serial); t && in_from(*t)) move.twins.push_back(*t);
      }
    } else {
      std::vector<twin_index> members;
      for (twin_index t = 0; t < w.twins.size(); ++t) {
        if (in_from(t)) members.push_back(t);
      }
      std::size_t n = members.size();
      if (m.count() > 0) n = std::min<std::size_t>(n, m.count());
      if (m.percent() > 0) {
        n = std::min<std::size_t>(
            n, static_cast<std::size_t>(std::llround(m.percent() / 100.0 * members.size())));
      }
      members.resize(n);
      move.twins = std::move(members);
    }
    config.apply(move, at_us, events);
    return true;
  }
  return false;
}

}  // namespace twelvefold::actors::cloud
