// Emulation of the communications module behind the harmonized API (HARMONIZED-API.md).
//
// One module per twin. The firmware talks to it through JSON requests (request(), or the byte
// serial wire of serial_port.hpp); the device actor talks to it through the typed interface
// below: what a session carries up and down (module_types.hpp), and what the world tells the
// module about its radio, power, position and firmware images. The module never blocks and
// never reads a clock: every call that depends on time takes the twin's virtual time.
//
// Thread: a module is used by one thread at a time.
//
// --- How the device actor drives a module ------------------------------------------------
//  after each activation (and whenever it handles a completion):
//      if (!m.sync_open() && m.sync_wanted(now)) { auto up = m.begin_session(now); ...send... }
//      on completion: m.end_sync(at, &downlink) or m.end_sync(at, nullptr) on failure.
//  to schedule wakes:  m.next_sync_us(now)  (a session the module will want on its own),
//                      m.attn_wake_us()     (ATTN: wake the host early),
//                      m.attn_watchdog_us() (ATTN watchdog: reset a host that went silent).
//  world feeds:        set_transport / set_voltage / set_location, offer_dfu / dfu_progress.
//  late web answers:   deliver_web_response (answers may also ride in sync_downlink).
//
// --- Semantics worth knowing (the firmware's view) ---------------------------------------
//  * Every request is validated completely before anything changes: an answer with "err" had
//    no effect. Errors carry a {tag}: {io} for unparseable / oversize requests, {not-supported}
//    for unknown requests and Notefile kinds, {note-noexist}, {env-not-modified},
//    {template-incompatible}, {dfu-not-ready}, {web-pending}, {web-queue-full}, ...
//  * Notefiles: .qo/.qos outbound queues (not readable on the device); .qi/.qis inbound queues
//    (filled by sessions, read and consumed with note.get / note.changes); .db/.dbs replicated
//    databases (Notes by id; device changes go up, cloud changes come down); .dbx local-only.
//  * hub.log lines are queued as Notes in log_notefile ("_health_host.qo", the Notecard's own
//    name for it) with body {"text":..., "alert":bool}; the cloud routes them by file name.
//  * web.get/put/post/delete: the module has no connection of its own between sessions, so
//    every web request is queued and goes up with the next session (it asks for one at once).
//    async:true answers {} at once. A synchronous request (no async) cannot block the firmware
//    across sessions in virtual time, so it answers {"err":"... {web-pending}"} and the firmware
//    polls: the same request (method, route, name, body, payload) repeated after the response
//    has arrived gets {"result":..., "body":...}; repeated before, it gets {web-pending} again
//    and is not queued twice. A request with `file` (a .dbx) also stores its response as the
//    Note `note` (or a generated id) of that file, as the Notecard's queued web transactions do.
//  * The registration penalty box belongs to the network's modem model (models::modem, with the
//    Notecard's timings: after 4 failures, 15 minutes, *1.25 + 15 per repeat, at most 3 days):
//    it sees the radio. The device actor passes the box's end in transport_info; the module
//    reflects it to the firmware (card.wireless.penalty, hub.sync.status, hub.status) and keeps
//    sync_wanted false inside it, unless hub.sync allow:true or card.wireless.penalty reset:true
//    lift it: then penalty_override() asks the modem to try the next session anyway.
//  * hub.set inbound (minutes) makes periodic mode sync on its own to fetch inbound data even
//    with nothing to send; voutbound / vinbound pick the interval by card.voltage's mode.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "twelvefold/shim/flat_env.hpp"
#include "twelvefold/shim/module_types.hpp"

namespace twelvefold::shim {

class module {
 public:
  static constexpr std::string_view log_notefile = "_health_host.qo";

  explicit module(module_limits limits = {});

  // Answers one request. `json` is the request text; `now_us` the twin's virtual time.
  // Never throws: malformed input, wrong types, unknown requests and oversize bodies all give
  // {"err":"... {tag}"}. A "cmd" request returns "{}" (the caller does not pass it on).
  std::string request(std::string_view json, std::int64_t now_us);
  // As request(), also saying whether an answer goes back: false for a well-formed "cmd"
  // (what a wire transport needs to know to stay silent).
  struct answer {
    std::string text;
    bool reply = true;
  };
  answer respond(std::string_view json, std::int64_t now_us);
  // For transports: the answer (counted as a failed request) to a request that could not be
  // delivered to the module, e.g. one too long to buffer or corrupted on the wire.
  std::string reject_request(std::string_view error_text);
  std::string reject_oversize(std::size_t request_bytes);
  [[nodiscard]] const module_limits& limits() const { return limits_; }

  // --- sessions -------------------------------------------------------------------------
  // True when a session should start now: hub.sync (or sync:true, a web request) asked for one,
  // or outbound data is pending and the outbound interval has elapsed since the last attempt,
  // or (periodic mode) the inbound interval has; never in mode off or dfu, nor in a penalty box.
  [[nodiscard]] bool sync_wanted(std::int64_t now_us) const;
  // The earliest virtual time >= now_us at which sync_wanted becomes true if nothing else
  // happens, or nullopt when it never will (the firmware must ask).
  [[nodiscard]] std::optional<std::int64_t> next_sync_us(std::int64_t now_us) const;
  // Opens a session: moves up to max_notes_per_sync pending notes, every pending database
  // change, new templates and queued web requests into it and returns copies. While a session
  // is open no other starts. Marks the attempt time.
  sync_uplink begin_session(std::int64_t now_us);
  // As begin_session, carrying outbound notes only (everything else waits for a session opened
  // with begin_session). Kept for callers that move nothing but notes.
  std::vector<outbound_note> begin_sync(std::int64_t now_us);
  // Closes the open session. On success, acknowledged notes are removed and counted delivered,
  // the session's database changes and templates are settled, and time, environment, inbound
  // Notes, web responses, location and DFU offers are applied. On failure every item of the
  // session goes back, untouched (notes to the front of their queues).
  void end_sync(std::int64_t now_us, const sync_downlink* downlink /* null: failed */);
  [[nodiscard]] bool sync_open() const { return sync_open_; }
  // The firmware lifted the penalty box (hub.sync allow:true, card.wireless.penalty reset:true)
  // since the last session began: the next session asks the modem to try despite its box.
  [[nodiscard]] bool penalty_override() const { return penalty_override_; }
  // The answer to a web request that arrived after its session closed.
  void deliver_web_response(std::int64_t now_us, const web_response& response);
  // The modem registered again after losing service (an outage ended). A module whose last
  // session failed and that holds outbound data asks for a session now (as hub.sync would,
  // without counting a request); returns whether it did. Never in mode off, dfu or minimum.
  bool sync_after_reconnect(std::int64_t now_us);

  // --- the world, as the device actor models it -----------------------------------------
  void set_transport(std::int64_t now_us, const transport_info& transport);
  void set_voltage(std::int64_t now_us, double volts, bool usb_powered = false);
  // A position fix (GNSS by the device, or tower / triangulation by the cloud).
  void set_location(const location_fix& fix);

  // --- host firmware update (dfu.status / dfu.get / card.dfu) ----------------------------
  // The cloud offers an image; the module starts downloading it if downloads are on.
  void offer_dfu(std::int64_t now_us, dfu_image image);
  // Download progress (bytes received so far); the image is ready once all have arrived.
  void dfu_progress(std::int64_t now_us, std::size_t bytes_received);
  void dfu_failed(std::int64_t now_us, std::string_view reason);
  [[nodiscard]] dfu_state dfu() const;
  // card.dfu on and an image ready: the module itself should flash the host now (outboard
  // update). The device actor does so and reports with outboard_dfu_done.
  [[nodiscard]] bool outboard_dfu_wanted() const;
  void outboard_dfu_done(std::int64_t now_us, bool ok);
  // The version the firmware reported with dfu.status version ("" if never).
  [[nodiscard]] std::string host_version() const;

  // --- ATTN (card.attn) -----------------------------------------------------------------
  // The virtual time at which the module pulls ATTN to wake the host: an armed event that
  // already happened (inbound Notes in a watched file, env change, new location), or an armed
  // timeout / sleep; nullopt when nothing will. The device actor wakes the firmware then if
  // that is earlier than the wake the firmware asked for.
  [[nodiscard]] std::optional<std::int64_t> attn_wake_us() const;
  // card.attn sleep: the module has cut the host's power; the wake is a cold boot.
  [[nodiscard]] bool attn_host_powered_off() const;
  // card.attn watchdog: the time at which the module resets the host unless it makes a
  // request before; nullopt when the watchdog is off.
  [[nodiscard]] std::optional<std::int64_t> attn_watchdog_us() const;

  // --- observation ----------------------------------------------------------------------
  [[nodiscard]] const module_counters& counters() const { return counters_; }
  // Requests answered with "err", by {tag} ("web-pending", "io", ...; "untagged" when the text
  // has none). Kept per thread, not per module, so that a module's memory does not grow: while
  // a tally is set, every module used on this thread adds each of its errors to it (a device
  // shard sets its own around the twins it runs). nullptr stops tallying. Returns the previous.
  using error_tally = std::map<std::string, std::uint64_t, std::less<>>;
  static error_tally* tally_errors_on_this_thread(error_tally* tally);
  // The tag of an error text: what is inside its last {...}, or "untagged".
  static std::string_view error_tag(std::string_view error_text);
  [[nodiscard]] std::size_t notes_pending() const;  // queued outbound, not in an open session
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
  // card.location.mode, for the device actor's GNSS duty cycle (seconds: periodic interval).
  [[nodiscard]] location_mode gnss_mode() const;
  [[nodiscard]] std::int32_t gnss_seconds() const;
  // card.transport method ("-" default, "cell", "wifi-cell", "ntn", ...) and card.wireless
  // mode ("auto", "m", "nb", "gprs"): which radios the firmware allows, in order.
  [[nodiscard]] std::string transport_method() const;
  [[nodiscard]] std::string wireless_mode() const;
  // End of the (modem's) penalty box, if the module is in one at now_us.
  [[nodiscard]] std::optional<std::int64_t> penalty_until_us(std::int64_t now_us) const;

 private:
  struct impl;
  struct extended;
  using env_scope = flat_env;
  // Owns the extended state; copies it deeply (twins can be copied like any value).
  class extended_ptr {
   public:
    extended_ptr() = default;
    extended_ptr(const extended_ptr& other);
    extended_ptr& operator=(const extended_ptr& other);
    extended_ptr(extended_ptr&& other) noexcept;
    extended_ptr& operator=(extended_ptr&& other) noexcept;
    ~extended_ptr();
    [[nodiscard]] extended* get() const { return p_.get(); }
    extended& ensure();

   private:
    std::unique_ptr<extended> p_;
  };

  // What the world last told the module of its radio (set_transport), packed: every twin gets
  // it after every session, so it lives here rather than in the extended state, which costs
  // ~1.2 KB per twin once allocated and which an idle sensor should never need.
  struct radio_reading {
    static constexpr std::int16_t absent = INT16_MIN;
    std::int64_t at_us = -1;  // -1: never told (the modem is off)
    std::uint32_t cell_id = 0;
    std::int16_t rssi_dbm = absent;
    std::int16_t rsrp_dbm = absent;
    std::int16_t rsrq_db = absent;
    std::int16_t sinr_db = absent;
    radio_access rat = radio_access::none;
    bitrate_class bitrate = bitrate_class::unknown;
    std::int8_t bars = 0;
    bool packet_limited = false;
    bool registered = false;
  };
  // The supply voltage readings (set_voltage) behind card.voltage, on every wake's path too.
  struct power_reading {
    double sum_v = 0;
    std::int64_t first_us = 0;
    double volts = 0;  // doubles, not floats: card.voltage answers with what it was given
    double min_v = 0;
    double max_v = 0;
    std::uint32_t samples = 0;  // 0: no reading yet
    bool usb = false;
  };

  extended& ext() { return ext_.ensure(); }  // the less common state, allocated on first use
  answer handle(std::string_view json, std::int64_t now_us);
  void count_error(std::string_view error_text);  // request_errors, and the thread's tally

  module_limits limits_;
  module_counters counters_;
  std::string product_;
  std::string serial_;
  hub_mode mode_ = hub_mode::periodic;
  std::int32_t outbound_minutes_ = 60;
  std::int32_t inbound_minutes_ = 60;
  bool sync_requested_ = false;
  bool sync_open_ = false;
  bool penalty_override_ = false;       // fits beside the flags above: no memory per twin
  std::uint32_t failures_ = 0;          // consecutive failed sessions (penalty box)
  std::int64_t sync_requested_us_ = 0;  // when hub.sync (or sync:true) last asked, if pending
  std::int64_t last_sync_attempt_us_ = 0;
  std::int64_t penalty_until_us_ = 0;
  std::uint64_t sync_attempts_ = 0;  // sessions begun (tells "never" from "at time 0")
  std::optional<std::int64_t> last_sync_success_us_;  // end of the last successful session
  std::uint64_t next_seq_ = 1;
  std::map<std::string, std::deque<outbound_note>, std::less<>> outbound_;
  std::vector<outbound_note> in_session_;
  env_scope env_default_;
  env_scope env_local_;
  env_scope env_cloud_;
  std::int64_t env_removed_us_ = -1;           // last time a variable disappeared (env.get time)
  std::optional<std::int64_t> utc_offset_us_;  // UTC = virtual time + offset, once known
  std::int64_t first_failure_us_ = 0;  // start of the current run of failures (penalty status)
  radio_reading radio_;
  power_reading power_;
  extended_ptr ext_;
};

}  // namespace twelvefold::shim
