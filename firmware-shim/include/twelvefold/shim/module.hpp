// Emulation of the communications module behind the harmonized API (HARMONIZED-API.md).
//
// One module per twin. The firmware talks to it through JSON requests; the device actor talks
// to it through the typed sync interface below (what to upload, what came down). The module
// never blocks: hub.sync only marks a sync as wanted, as the real module syncs in background.
//
// Thread: a module is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twelvefold::shim {

struct module_limits {
  std::size_t max_queued_notes = 1000;   // per outbound Notefile; the oldest is dropped beyond
  std::size_t max_request_bytes = 8192;  // larger requests get an err
  std::size_t max_notes_per_sync = 100;  // notes carried by one session
};

// One Note waiting in an outbound queue.
struct outbound_note {
  std::uint64_t seq = 0;           // per-module, strictly increasing: the cloud deduplicates on it
  std::string file;                // e.g. "data.qo"
  std::string body_json;           // the Note's body, compact JSON
  std::int64_t added_us = 0;       // twin's virtual time when added (true time; for latency)
  std::int64_t stamped_utc_s = 0;  // what the module stamped: UTC seconds, 0 if time was unknown
};

// What one successful session brought back from the cloud.
struct sync_downlink {
  std::int64_t utc_us = 0;  // the cloud's time at session end (sets card.time)
  // The device's cloud-resolved environment (device > fleet > project), complete, replacing the
  // previous one. Local env.set values still win over it.
  std::map<std::string, std::string> env;
  bool env_changed = true;  // false: `env` is empty and the previous cloud environment stays
  std::uint64_t acked_through_seq = 0;  // every note with seq <= this is delivered
};

struct module_counters {
  std::uint64_t notes_added = 0;
  std::uint64_t notes_dropped = 0;    // lost to queue overflow
  std::uint64_t notes_delivered = 0;  // acknowledged by the cloud
  std::uint64_t requests = 0;
  std::uint64_t request_errors = 0;  // requests answered with "err"
};

enum class hub_mode : std::uint8_t { periodic, continuous, minimum, off, dfu };

class module {
 public:
  explicit module(module_limits limits = {});

  // Answers one request. `json` is the request text; `now_us` the twin's virtual time.
  // Never throws: malformed input, wrong types, unknown requests and oversize bodies all give
  // {"err":"... {tag}"}. A "cmd" request returns "{}" (the caller does not pass it on).
  std::string request(std::string_view json, std::int64_t now_us);

  // --- sync interface for the device actor ---
  // True when a session should start now: hub.sync was requested, or notes are pending and the
  // outbound interval (hub.set outbound, minutes) has elapsed since the last sync attempt.
  [[nodiscard]] bool sync_wanted(std::int64_t now_us) const;
  // Moves up to max_notes_per_sync pending notes into the session and returns copies of them.
  // While a session is open no other starts. Marks the attempt time.
  std::vector<outbound_note> begin_sync(std::int64_t now_us);
  // Closes the open session. On success, acknowledged notes are removed and counted delivered,
  // time and environment are updated; on failure every note of the session goes back to the
  // front of its queue, untouched.
  void end_sync(std::int64_t now_us, const sync_downlink* downlink /* null: failed */);
  [[nodiscard]] bool sync_open() const { return sync_open_; }

  // --- observation ---
  [[nodiscard]] const module_counters& counters() const { return counters_; }
  [[nodiscard]] std::size_t notes_pending() const;  // queued, not in an open session
  [[nodiscard]] std::size_t notes_in_session() const { return in_session_.size(); }
  // Notes still on the device (pending or in the open session) with seq > acked_through_seq:
  // those the cloud has not stored. Used to account for every Note at the end of a run.
  [[nodiscard]] std::size_t notes_not_stored(std::uint64_t acked_through_seq) const;
  [[nodiscard]] const std::string& product() const { return product_; }
  [[nodiscard]] const std::string& serial() const { return serial_; }
  [[nodiscard]] hub_mode mode() const { return mode_; }
  [[nodiscard]] bool time_known() const { return utc_offset_us_.has_value(); }
  // Resolved value of an environment variable (local > cloud > default), if any.
  [[nodiscard]] std::optional<std::string> env_value(std::string_view name) const;

 private:
  struct impl;
  std::string handle(std::string_view json, std::int64_t now_us);

  module_limits limits_;
  module_counters counters_;
  std::string product_;
  std::string serial_;
  hub_mode mode_ = hub_mode::periodic;
  std::int32_t outbound_minutes_ = 60;
  std::int32_t inbound_minutes_ = 60;
  bool sync_requested_ = false;
  bool sync_open_ = false;
  std::int64_t sync_requested_us_ = 0;  // when hub.sync (or sync:true) last asked, if pending
  std::int64_t last_sync_attempt_us_ = 0;
  std::uint64_t sync_attempts_ = 0;  // sessions begun (tells "never" from "at time 0")
  std::optional<std::int64_t> last_sync_success_us_;  // end of the last successful session
  std::uint64_t next_seq_ = 1;
  std::map<std::string, std::deque<outbound_note>, std::less<>> outbound_;
  std::vector<outbound_note> in_session_;
  std::map<std::string, std::string, std::less<>> env_default_;
  std::map<std::string, std::string, std::less<>> env_local_;
  std::map<std::string, std::string, std::less<>> env_cloud_;
  std::optional<std::int64_t> utc_offset_us_;  // UTC = virtual time + offset, once known
};

}  // namespace twelvefold::shim
