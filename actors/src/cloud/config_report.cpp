// The "config" object of summary.json (see config_report.hpp).
#include "cloud/config_report.hpp"

#include <nlohmann/json.hpp>

namespace twelvefold::actors::cloud {
namespace {

using json = nlohmann::ordered_json;

// Seconds, or null when that share of the targeted twins was never reached.
json seconds_or_null(std::int64_t us) { return us < 0 ? json(nullptr) : json(us / 1e6); }

json propagation(const change_stats& c) {
  json j;
  j["at_s"] = c.at_us / 1e6;
  j["version"] = c.version;
  j["twins_targeted"] = c.twins_targeted;
  j["twins_reached"] = c.delays_us.size();
  j["reached_50_s"] = seconds_or_null(c.reached_us(50));
  j["reached_90_s"] = seconds_or_null(c.reached_us(90));
  j["reached_99_s"] = seconds_or_null(c.reached_us(99));
  j["reached_all_s"] = seconds_or_null(c.reached_us(100));
  return j;
}

}  // namespace

std::string config_report_json(const config_state& config, const health_monitor& health,
                               const log_totals& logs,
                               std::uint64_t sessions_refused_decommissioned) {
  json changes = json::array();
  json moves = json::array();
  for (const change_stats& c : config.changes()) {
    json p = propagation(c);
    json j;
    j["at_s"] = p["at_s"];
    if (c.what == change_stats::kind::env) {
      j["scope"] = c.scope;
      j["target"] = c.target;
      j["name"] = c.name;
      j["delete"] = c.remove;
    } else {
      const auto arrow = c.target.find("->");
      j["from"] = c.target.substr(0, arrow);
      j["to"] = c.target.substr(arrow + 2);
      // Twins moved into a decommissioned fleet are not waited for (never targeted), but they
      // moved: say how many, so the report does not read as "nothing happened".
      j["twins_moved"] = c.twins_moved;
    }
    for (auto it = p.begin(); it != p.end(); ++it) {
      if (it.key() != "at_s") j[it.key()] = it.value();
    }
    (c.what == change_stats::kind::env ? changes : moves).push_back(std::move(j));
  }
  json by_level = json::object();
  for (std::uint32_t level : {3U, 4U, 6U, 7U}) {
    std::uint64_t n = logs.by_level[level];
    if (level == 3) n += logs.by_level[0] + logs.by_level[1] + logs.by_level[2];
    if (level == 6) n += logs.by_level[5];
    by_level[std::string(log_level_name(level))] = n;
  }
  json j;
  j["env_changes"] = std::move(changes);
  j["fleet_moves"] = std::move(moves);
  j["twins_moved"] = config.twins_moved();
  j["sessions_refused_decommissioned"] = sessions_refused_decommissioned;
  j["logs"] = {{"lines_uploaded", logs.lines_uploaded},
               {"hub_log_lines", logs.hub_log_lines},
               {"lines_dropped", logs.lines_dropped},
               {"bytes_uploaded", logs.bytes_uploaded},
               {"by_level", by_level}};
  j["health"] = {{"silent_events", health.silent_events()},
                 {"recovered_events", health.recovered_events()},
                 {"silent_at_end", health.silent_now()}};
  return j.dump();
}

}  // namespace twelvefold::actors::cloud
