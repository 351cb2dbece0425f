// Private to the module emulation: its less common state, the request handlers, and the field
// reader they share.
#pragma once

#include <cstdint>
#include <deque>
#include <expected>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "module_json.hpp"
#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {

namespace detail {

// Reads a request's fields with their types checked, remembering the first problem, so that a
// handler reads everything, then checks ok() once before it changes anything. A JSON null
// counts as absent, as the Notecard treats it. Type errors read "field 'NAME': expected TYPE".
class fields {
 public:
  explicit fields(const json_value& request) : request_(request) {}

  json_value find(std::string_view name) const;  // absent when missing or null
  // Escaped strings are decoded into storage that lives until the next request.
  std::optional<std::string_view> string(std::string_view name);
  std::optional<bool> boolean(std::string_view name);
  // Integers; a number with a fractional part is rejected, 60.0 is taken as 60.
  std::optional<std::int64_t> integer(std::string_view name);
  std::optional<double> number(std::string_view name);
  json_value object(std::string_view name);  // absent, or an object
  json_value array(std::string_view name);   // absent, or an array

  // Records a problem found by the handler's own checks (the first one is kept).
  void fail(std::string text);
  [[nodiscard]] bool ok() const { return error_.empty(); }
  [[nodiscard]] std::unexpected<std::string> failure() {
    return std::unexpected(std::move(error_));
  }

 private:
  const json_value& request_;
  std::string error_;
};

// "field 'NAME': expected TYPE": every wrong-type error names the field and what it should be.
std::string type_error(std::string_view name, std::string_view expected);
// A string's decoded text with storage until the next request.
std::string_view keep_text(const json_value& string_value);
// Drops the decoded strings of the previous request.
void reset_request_scratch();

// An integer read from a JSON number (whole numbers written as 60.0 count), or nullopt.
std::optional<std::int64_t> integer_of(const json_value& number);

// Notefile kinds by suffix; invalid when the suffix is unknown or the name before it empty.
enum class notefile_kind : std::uint8_t { invalid, qo, qos, qi, qis, db, dbs, dbx };
notefile_kind classify_notefile(std::string_view file);
constexpr bool is_outbound(notefile_kind k) {
  return k == notefile_kind::qo || k == notefile_kind::qos;
}
constexpr bool is_inbound(notefile_kind k) {
  return k == notefile_kind::qi || k == notefile_kind::qis;
}
constexpr bool is_database(notefile_kind k) {
  return k == notefile_kind::db || k == notefile_kind::dbs || k == notefile_kind::dbx;
}
constexpr bool is_replicated(notefile_kind k) {
  return k == notefile_kind::db || k == notefile_kind::dbs;
}

// Base64 (RFC 4648, standard alphabet; padding optional on input).
std::optional<std::size_t> base64_decoded_size(std::string_view text);  // nullopt: invalid
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);
std::string base64_encode(std::span<const std::uint8_t> bytes);

// IEEE 754 half precision, round to nearest even; out-of-range values become infinities.
std::uint16_t float_to_half(float value);
float half_to_float(std::uint16_t bits);

// "key:value;key:value" voltage-variable settings (hub.set voutbound, ...): the value for
// `mode`, or nullopt when the text has none for it.
std::optional<std::string_view> voltage_variable(std::string_view text, std::string_view mode);

}  // namespace detail

namespace detail {
// A handler's outcome: nothing (its answer is in the writer), or the text of the err.
using reply = std::expected<void, std::string>;
using handler = reply (*)(module&, const json_value&, json_writer&, std::int64_t);
}  // namespace detail

// A Note stored on the device in an inbound queue or a database Notefile.
struct stored_note {
  std::string id;
  std::string body_json;  // "" when the Note has no body
  std::string payload_b64;
  std::int64_t utc_s = 0;         // UTC when added or last changed (0 if time was unknown)
  std::int64_t modified_us = 0;   // virtual time of the same
  std::uint64_t change = 0;       // the file's change counter at the last change (trackers)
  std::uint64_t sent_change = 0;  // the change the open session carries up, 0 if none
  bool deleted = false;           // a tombstone, kept until the deletion has gone up
  bool dirty = false;             // changed on the device and not yet acknowledged
};

struct notefile {
  std::vector<stored_note> notes;  // inbound: queue order; databases: insertion order
  std::uint64_t changes = 0;       // change counter
  std::uint64_t next_id = 1;       // generated ids
  std::map<std::string, std::uint64_t, std::less<>> trackers;  // name -> last change returned
};

struct template_entry {
  note_template definition;
  bool dirty = true;  // new or changed since the cloud last acknowledged it
  bool in_session = false;
};

enum class web_state : std::uint8_t { queued, in_session, in_flight, answered };

struct web_entry {
  web_request request;
  web_state state = web_state::queued;
  std::string key;         // identity of a synchronous request, for the firmware's repeat
  std::string store_file;  // a .dbx to store the response in, "" if none
  std::string store_note;
  web_response response;
};

struct attn_state {
  static constexpr std::uint32_t watch_files = 1;
  static constexpr std::uint32_t watch_env = 2;
  static constexpr std::uint32_t watch_location = 4;
  static constexpr std::uint32_t watch_connected = 8;
  static constexpr std::uint32_t watch_wireless = 16;
  // Accepted, never fired: the device models no accelerometer, USB, AUX pins or signals yet.
  static constexpr std::uint32_t watch_unmodelled = 32;

  bool disabled = false;  // card.attn off:true
  bool armed = false;
  std::uint32_t watch = 0;
  std::vector<std::string> files;
  std::int32_t seconds = 0;  // the timeout given with arm / sleep
  std::optional<std::int64_t> timeout_us;
  std::vector<std::string> fired;  // what happened since arming: file names and keywords
  std::optional<std::int64_t> fired_us;
  bool sleeping = false;  // sleep mode: host power cut until timeout_us
  std::string sleep_payload;
  std::int64_t sleep_payload_utc_s = 0;
  std::int32_t watchdog_s = 0;  // 0: off
};

struct dfu_data {
  bool downloads_on = true;
  dfu_state state = dfu_state::idle;
  std::optional<dfu_image> image;
  std::size_t received = 0;
  std::string status;        // the reason of an error, or progress text
  bool outboard_on = false;  // card.dfu on
  std::string outboard_name;
  dfu_host_report report;
  bool report_dirty = false;
  bool report_in_session = false;
};

// card.voltage's mode (the readings themselves are module::power_reading, on the common path).
struct voltage_setting {
  std::string mode = "default";  // card.voltage mode: picks the thresholds below
  std::vector<std::pair<std::string, double>> thresholds;  // highest first; "" when default
};

// The state of everything but the common path (hub, note.add to queues, env, time), allocated
// the first time a twin uses any of it, so that idle fleets pay one pointer for it.
struct module::extended {
  std::map<std::string, notefile, std::less<>> files;
  std::map<std::string, template_entry, std::less<>> templates;
  std::vector<web_entry> web;  // at most max_web_requests: a vector, not a deque's 576-byte block
  std::uint64_t next_web_id = 1;
  attn_state attn;
  dfu_data dfu;
  voltage_setting voltage;
  std::int64_t last_request_us = 0;  // for the ATTN watchdog

  // Position and radio.
  std::optional<location_fix> location;
  location_mode gnss = location_mode::off;
  std::int32_t gnss_seconds = 3600;
  bool triangulate_cell = false;
  bool triangulate_wifi = false;
  bool triangulate_on = false;
  bool triangulate_usb = false;
  std::string wifi_text;
  std::int64_t wifi_utc_s = 0;
  std::int64_t last_scan_utc_s = 0;
  bool scan_in_session = false;
  std::string band;  // the last transport's band name, when the world gives one
  std::string transport_method = "-";
  std::int32_t transport_seconds = 3600;
  std::string wireless_mode = "auto";
  std::string apn;

  // hub.set extras.
  bool inbound_explicit = false;  // hub.set inbound given: periodic syncs fetch inbound data
  std::string voutbound;
  std::string vinbound;
};

// The handlers, as a nested class so that they reach module's private state without exposing
// the JSON layer in the public header. Each one validates every field before changing
// anything, so a request answered with an err has had no effect; it writes its answer's members
// into `out` (the braces and "id" are the caller's).
struct module::impl {
  using json_value = detail::json_value;
  using json_writer = detail::json_writer;
  using reply = detail::reply;
  using handler = detail::handler;

  // The handler of request `name`, or null.
  static handler find_handler(std::string_view name);

  // hub
  static reply hub_set(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply hub_get(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply hub_sync(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply hub_sync_status(module& m, const json_value& req, json_writer& out,
                               std::int64_t now_us);
  static reply hub_status(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply hub_log(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  // notes
  static reply note_add(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply note_get(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply note_update(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply note_delete(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply note_changes(module& m, const json_value& req, json_writer& out,
                            std::int64_t now_us);
  static reply note_template(module& m, const json_value& req, json_writer& out,
                             std::int64_t now_us);
  static reply var_set(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply var_get(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  // env
  static reply env_get(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply env_default(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply env_set(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  // time and place
  static reply card_time(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply card_location(module& m, const json_value& req, json_writer& out,
                             std::int64_t now_us);
  static reply card_location_mode(module& m, const json_value& req, json_writer& out,
                                  std::int64_t now_us);
  static reply card_triangulate(module& m, const json_value& req, json_writer& out,
                                std::int64_t now_us);
  // web
  static reply web(module& m, web_method method, const json_value& req, json_writer& out,
                   std::int64_t now_us);
  static reply web_get(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply web_put(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply web_post(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply web_delete(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  // firmware update
  static reply dfu_status(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply dfu_get(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  static reply card_dfu(module& m, const json_value& req, json_writer& out, std::int64_t now_us);
  // radio, power, signals
  static reply card_wireless(module& m, const json_value& req, json_writer& out,
                             std::int64_t now_us);
  static reply card_wireless_penalty(module& m, const json_value& req, json_writer& out,
                                     std::int64_t now_us);
  static reply card_transport(module& m, const json_value& req, json_writer& out,
                              std::int64_t now_us);
  static reply card_voltage(module& m, const json_value& req, json_writer& out,
                            std::int64_t now_us);
  static reply card_attn(module& m, const json_value& req, json_writer& out, std::int64_t now_us);

  // --- shared helpers ---
  // hub.sync and note.add's sync:true: a session is wanted as soon as possible.
  static void request_sync(module& m, std::int64_t now_us);
  // UTC seconds at virtual time at_us, if the module has ever learned the time.
  static std::optional<std::int64_t> utc_s(const module& m, std::int64_t at_us);
  static std::int64_t utc_or_zero(const module& m, std::int64_t at_us);
  // Resolved environment entry (local > cloud > default), or null. Points into m.
  static const env_entry* resolve_env(const module& m, std::string_view name);
  // Drops the oldest notes of `queue` beyond max_queued_notes, counting them lost.
  static void enforce_queue_limit(module& m, std::deque<outbound_note>& queue);
  // Puts session notes back at the front of their queues, keeping their order.
  static void requeue_front(module& m, std::vector<outbound_note>& notes);
  // Appends a Note to an outbound queue; returns the queue's length afterwards.
  static std::size_t enqueue_outbound(module& m, outbound_note note);
  // Encodes `body` (a note.add body, or absent) with the template of `file` into `note`.
  static reply apply_template(module& m, const template_entry& entry, const json_value& body,
                              std::string_view payload_b64, outbound_note& note);
  // Parses a template body into fields; an error names the offending field.
  static std::expected<std::vector<template_field>, std::string> template_fields(
      const json_value& body);

  // Database and inbound Notefiles.
  static notefile& file_of(module& m, std::string_view name);
  static stored_note* find_note(notefile& file, std::string_view id);
  static void touch(notefile& file, stored_note& note, std::int64_t utc_s, std::int64_t now_us);
  // Writes a database Note (insert or replace) as the device; marks it to go up if replicated.
  static void put_db_note(module& m, std::string_view file_name, std::string_view id,
                          std::string body_json, std::string payload_b64, std::int64_t now_us);
  // Deletes a Note as the device: a tombstone in replicated files, gone in .dbx.
  static void delete_note(module& m, std::string_view file_name, notefile& file, stored_note& note,
                          std::int64_t now_us);
  static void apply_inbound(module& m, const inbound_note& note, std::int64_t now_us);

  // Sessions.
  static void collect_session(module& m, sync_uplink& up, bool everything, std::int64_t now_us);
  static void settle_session(module& m, bool success, std::int64_t now_us);
  static void apply_web_response(module& m, const web_response& response, std::int64_t now_us);
  static std::int32_t effective_minutes(const module& m, bool outbound);
  // Outbound work other than queued Notes (database changes, templates, a DFU report): it
  // rides the outbound interval like them.
  static bool other_outbound_pending(const extended& e);

  // ATTN events.
  static void attn_event(module& m, std::string_view what, std::int64_t now_us);
  static void attn_file_changed(module& m, std::string_view file, std::int64_t now_us);
  // The transport hints of factor 2 ("rat", "bitrate", "limited"), for every answer that
  // reports the radio.
  static void write_transport_hints(const module& m, json_writer& out);
  // card.voltage's mode for the current voltage ("usb", "high", "normal", "low", "dead").
  static std::string_view voltage_level(const module& m);
};

}  // namespace twelvefold::shim
