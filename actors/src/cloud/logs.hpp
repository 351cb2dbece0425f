// Logs (factor 10, docs/cloud-config.md): the firmware's log lines as an event stream.
//
// Device side: a line the firmware logs (tf_log, and the shim's own errors) is kept when its
// level is at least as severe as the twin's env var `_log_level` (error | warn | info | debug |
// off; default warn), in a per-twin buffer of at most `max_lines_per_twin` lines (a line that
// does not fit is dropped and counted; text is cut at `max_text_bytes`). Lines go up in the
// session uplink according to `_log_cadence`: "session" (default) sends them with every
// session; a duration ("6h", "30m", ...) holds them until the oldest has waited that long.
// A session that fails keeps its lines for the next one. Only twins with pending lines hold a
// buffer: an idle twin costs nothing.
//
// hub.log lines travel as Notes in `hub_log_notefile` (the module's choice, like the Notecard's)
// and are stored as Notes; the management service also turns each into a `log` event (level
// info, error with "alert":true), unfiltered: the firmware asked for them explicitly.
//
// Cloud side: each line becomes a `log` event (body {"level","text"}, at the time it was
// logged) and is counted by level; log bytes on the air are part of the uplink.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "twelvefold/actors/messages.hpp"

namespace twelvefold::actors::cloud {

inline constexpr std::uint8_t log_error = 3;  // tf_log_level (firmware.h), syslog numbering
inline constexpr std::uint8_t log_warn = 4;
inline constexpr std::uint8_t log_info = 6;
inline constexpr std::uint8_t log_debug = 7;
inline constexpr std::uint8_t log_default_level = log_warn;
inline constexpr std::string_view hub_log_notefile = "_health_host.qo";  // shim::module

// "error" 3, "warn" 4, "info" 6, "debug" 7, "off" 0 (nothing passes); nullopt when unknown.
[[nodiscard]] std::optional<std::uint8_t> parse_log_level(std::string_view text);
[[nodiscard]] std::string_view log_level_name(std::uint32_t level);
// "session" -> 0; a duration of <number><unit> parts (d h m s) -> microseconds; else nullopt.
[[nodiscard]] std::optional<std::int64_t> parse_log_cadence_us(std::string_view text);

struct log_line {
  std::int64_t at_us = 0;
  std::uint8_t level = 0;
  std::string text;
};

// The device side: pending log lines of the twins of one shard.
class log_buffer {
 public:
  static constexpr std::size_t max_lines_per_twin = 32;
  static constexpr std::size_t max_text_bytes = 160;

  // `threshold`: the twin's _log_level; lines less severe are not kept (not counted either).
  void add(twin_index twin, std::int64_t at_us, std::uint8_t level, std::uint8_t threshold,
           std::string_view text);
  [[nodiscard]] bool has_lines(twin_index twin) const { return pending_.contains(twin); }

  // The lines a session starting at `now_us` carries under `cadence_us` (0: every session);
  // they stay buffered until settle(). `dropped` is set to the drops not yet reported.
  [[nodiscard]] std::vector<const log_line*> take(twin_index twin, std::int64_t now_us,
                                                  std::int64_t cadence_us, std::uint32_t& dropped);
  // The session started by take() ended: on success its lines and drop count are gone.
  void settle(twin_index twin, bool success);

  [[nodiscard]] std::uint64_t lines_dropped() const { return dropped_total_; }
  [[nodiscard]] std::size_t twins_pending() const { return pending_.size(); }

 private:
  struct entry {
    std::vector<log_line> lines;
    std::uint32_t in_flight = 0;
    std::uint32_t dropped = 0;  // not yet reported
    std::uint32_t dropped_in_flight = 0;
  };
  std::unordered_map<twin_index, entry> pending_;  // only twins with lines or drops to report
  std::uint64_t dropped_total_ = 0;
};

// The cloud side: counts of the log stream.
struct log_totals {
  std::uint64_t lines_uploaded = 0;
  std::uint64_t lines_dropped = 0;   // reported by devices
  std::uint64_t bytes_uploaded = 0;  // encoded LogLine bytes in uplinks
  std::array<std::uint64_t, 8> by_level{};

  // Records one line that arrived at `arrival_us`, logged `age_s` earlier, and appends its
  // `log` event (at the time it was logged; body {"level","text","age_s"}: age_s is how late
  // the line reached the cloud).
  void record(twin_index twin, std::int64_t arrival_us, std::uint32_t age_s, std::uint32_t level,
              const std::string& text, std::size_t encoded_bytes, std::vector<cloud_event>& events);
  // A hub.log Note ({"text": ..., "alert": bool}); a body that is not such an object still
  // counts, with its raw text.
  void record_hub_log(twin_index twin, std::int64_t arrival_us, std::uint32_t age_s,
                      const std::string& body_json, std::size_t encoded_bytes,
                      std::vector<cloud_event>& events);
  std::uint64_t hub_log_lines = 0;
};

}  // namespace twelvefold::actors::cloud
