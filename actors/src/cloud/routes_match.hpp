// Pure logic of Note routing (docs/cloud-routes.md): which routes a Note goes to, the JSON
// text of a routed event, MQTT topic templates, and the retry back-off schedule of real sinks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace twelvefold::actors::cloud {

// Shell-style glob over a Notefile name: '*' any run of characters, '?' one character.
bool glob_match(std::string_view pattern, std::string_view text);

// What a route selects. Empty lists match everything.
struct route_filter {
  std::vector<std::string> notefiles;  // globs
  std::vector<std::uint32_t> fleets;   // fleet indexes into world::fleets
  [[nodiscard]] bool matches(std::string_view file, std::uint32_t fleet) const;
};

// Delay before attempt `attempt` (2 = the first retry): initial * 2^(attempt-2), at most
// `max_ms`. Attempt 1 has no delay.
std::uint32_t backoff_delay_ms(std::uint32_t attempt, std::uint32_t initial_ms,
                               std::uint32_t max_ms);

// One routed event as sinks see it: a JSON object on one line (no trailing newline).
struct event_fields {
  std::string_view route;
  std::string_view kind;  // "note" | "db"
  std::string_view serial;
  std::string_view fleet;
  std::string_view file;
  std::string_view note_id;  // databases only
  std::uint64_t seq = 0;     // outbound Notes only
  std::int64_t at_us = 0;    // arrival at the cloud, virtual us since the epoch
  std::int64_t epoch_utc_us = 0;
  std::int64_t device_utc_s = 0;  // the module's stamp, 0 when it had no time
  std::string_view body;          // compact JSON (the Note's body)
  bool deleted = false;
};
std::string event_json(const event_fields& e);

// "{serial}", "{file}", "{fleet}" in an MQTT topic template replaced.
std::string expand_topic(std::string_view topic_template, std::string_view serial,
                         std::string_view file, std::string_view fleet);

// RFC 3339 UTC with microseconds ("2026-01-01T00:00:00.000000Z").
std::string utc_text(std::int64_t utc_us);

}  // namespace twelvefold::actors::cloud
