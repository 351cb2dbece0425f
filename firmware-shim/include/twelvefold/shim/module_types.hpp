// The typed data the device actor exchanges with a twin's module (module.hpp): what a session
// carries up and down, and what the world tells the module (radio, power, position, firmware).
//
// Units are in the names. Times ending in _us are the twin's virtual time; _utc_s are UTC
// seconds as the module stamps them (0 while the module has never learned the time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "twelvefold/shim/note_template.hpp"

namespace twelvefold::shim {

struct module_limits {
  std::size_t max_queued_notes = 1000;   // per Notefile; the oldest is dropped beyond
  std::size_t max_request_bytes = 8192;  // larger requests get an err
  std::size_t max_notes_per_sync = 100;  // outbound notes carried by one session
  std::size_t max_payload_bytes = 250;   // untemplated Note payloads (the Notecard's limit)
  std::size_t max_web_requests = 16;     // queued and unanswered web.* requests
};

// One Note waiting in an outbound queue (.qo / .qos, and hub.log lines in _health_host.qo).
struct outbound_note {
  std::uint64_t seq = 0;           // per-module, strictly increasing: the cloud deduplicates on it
  std::string file;                // e.g. "data.qo"
  std::string body_json;           // the Note's body, compact JSON ("{}" when it has none);
                                   // for templated Notes, exactly what the record decodes to
  std::int64_t added_us = 0;       // twin's virtual time when added (true time; for latency)
  std::int64_t stamped_utc_s = 0;  // what the module stamped: UTC seconds, 0 if time was unknown
  std::string payload_b64;         // base64 payload, "" if none
  // Templated Notes: the binary record (note_template.hpp) that goes on the air instead of the
  // JSON. Empty for untemplated Notes.
  std::vector<std::uint8_t> templated;
  // Bytes this Note costs on the air before transport framing: the record size if templated,
  // else the JSON body plus the decoded payload.
  std::uint32_t encoded_size = 0;
  bool encrypted = false;  // .qos
  bool compact = false;    // templated with format "compact" (fit for LoRa / satellite)
  std::int32_t port = -1;  // the template's port, -1 if none
};

// A change to a replicated database Notefile (.db / .dbs) going up in a session.
struct db_change {
  std::string file;
  std::string note_id;
  std::string body_json;  // "{}" when the Note has no body
  std::string payload_b64;
  std::int64_t utc_s = 0;  // when the device changed it
  bool deleted = false;
  bool encrypted = false;  // .dbs
};

// A Note coming down from the cloud: appended to an inbound queue (.qi / .qis), or applied to a
// database Notefile (.db / .dbs: an upsert by note_id, or a delete).
struct inbound_note {
  std::string file;
  std::string note_id;    // database Notefiles only
  std::string body_json;  // must be a JSON object; "" means none
  std::string payload_b64;
  std::int64_t utc_s = 0;  // when the cloud added it
  bool deleted = false;    // database Notefiles: delete note_id
};

enum class web_method : std::uint8_t { get, put, post, del };

// A web.* request the firmware made, for the cloud to proxy to the named route.
struct web_request {
  std::uint64_t id = 0;  // per-module; the response names it
  web_method method = web_method::get;
  std::string route;  // a route configured in the cloud (never a URL)
  std::string name;   // path relative to the route, may carry a query
  std::string body_json;
  std::string payload_b64;
  std::string content;  // MIME type, "" for the default (application/json)
  std::int32_t timeout_s = 90;
  bool async = false;
  std::int64_t added_us = 0;
};

struct web_response {
  std::uint64_t id = 0;       // web_request::id
  std::int32_t result = 200;  // HTTP status; the cloud answers 504 when the route timed out
  std::string body_json;      // "" when none
  std::string payload_b64;
};

// Triangulation data the module gathers for the cloud (card.triangulate).
struct triangulation_scan {
  bool cell = false;      // the serving and neighbour cells (the device actor fills them in)
  bool wifi = false;      // the firmware's Wi-Fi access point list below
  std::string wifi_text;  // as card.triangulate's `text` (AT+CWLAP lines)
  std::int64_t wifi_utc_s = 0;
};

// What the firmware said about its own update (dfu.status version / stop / err).
struct dfu_host_report {
  std::string version;  // text or compact JSON object, as the firmware gave it
  std::string status;   // dfu.status stop's `status`, or ""
  std::string error;    // dfu.status stop's `err`, or ""
  std::int64_t utc_s = 0;
};

// Everything one session carries up. begin_session() fills it; end_sync() settles it.
struct sync_uplink {
  std::vector<outbound_note> notes;        // oldest first across files
  std::vector<db_change> db_changes;       // changed on the device since the last success
  std::vector<note_template> templates;    // new or changed since the last success
  std::vector<web_request> web_requests;   // queued web transactions
  std::optional<triangulation_scan> scan;  // when card.triangulate asks for one
  std::optional<dfu_host_report> dfu;      // when it changed since the last success
};

// A firmware image the cloud offers for the host MCU. The bytes are shared: a million twins
// offered the same image hold one copy.
struct dfu_image {
  std::string version;
  std::string name;  // file name shown by dfu.status
  std::string md5;   // hex, as the Notecard reports it
  std::string notes;
  std::shared_ptr<const std::vector<std::uint8_t>> bytes;
};

enum class location_source : std::uint8_t { gnss, triangulated, tower, fixed };

struct location_fix {
  double lat_deg = 0;
  double lon_deg = 0;
  std::int64_t at_us = 0;  // virtual time of the fix
  location_source source = location_source::gnss;
  double dop = 0;  // GNSS dilution of precision; 0 when not GNSS
};

// What a session brought back from the cloud.
struct sync_downlink {
  std::int64_t utc_us = 0;  // the cloud's time at session end (sets card.time)
  // The device's cloud-resolved environment (device > fleet > project), complete, replacing the
  // previous one. Local env.set values still win over it.
  std::map<std::string, std::string> env;
  bool env_changed = true;  // false: `env` is empty and the previous cloud environment stays
  std::uint64_t acked_through_seq = 0;  // every note with seq <= this is delivered
  // Applied in order after the session's own changes are settled: the cloud has merged them
  // already, so what comes down wins, except for Notes the device changed during the session.
  std::vector<inbound_note> inbound;
  std::vector<web_response> web_responses;  // answers to requests of this or earlier sessions
  std::optional<location_fix> location;     // a cloud-side position (triangulation, tower)
  std::optional<dfu_image> dfu;             // a host firmware image to download
};

// The radio as the device actor sees it; card.wireless, card.transport and hub.status report it
// to the firmware, including the transport hints (factor 2).
enum class radio_access : std::uint8_t { none, lte_m, nb_iot, gsm, umts, lte, wifi, lorawan, ntn };
enum class bitrate_class : std::uint8_t {
  unknown,
  very_low,  // < 1 kbit/s: LoRaWAN at high spreading factors, satellite
  low,       // 1..100 kbit/s: NB-IoT, GPRS
  medium,    // 0.1..1 Mbit/s: LTE-M
  high,      // > 1 Mbit/s: LTE, Wi-Fi
};

struct transport_info {
  radio_access rat = radio_access::none;
  bitrate_class bitrate = bitrate_class::unknown;
  bool packet_limited = false;  // small packets, compact templates only (LoRa, satellite)
  bool registered = false;      // attached to a network now
  std::int32_t bars = 0;        // 0..4
  std::optional<std::int32_t> rssi_dbm;
  std::optional<std::int32_t> rsrp_dbm;
  std::optional<std::int32_t> rsrq_db;
  std::optional<std::int32_t> sinr_db;
  std::uint32_t cell_id = 0;
  std::string band;  // e.g. "LTE BAND 20"; "" if unknown
  // The modem's registration penalty box ends then (0: not in one); the module reflects it.
  std::int64_t penalty_until_us = 0;
};

struct module_counters {
  std::uint64_t notes_added = 0;
  std::uint64_t notes_dropped = 0;    // lost to queue overflow
  std::uint64_t notes_delivered = 0;  // acknowledged by the cloud
  std::uint64_t requests = 0;
  std::uint64_t request_errors = 0;   // requests answered with "err"
  std::uint64_t notes_received = 0;   // inbound Notes stored (.qi/.qis/.db/.dbs from the cloud)
  std::uint64_t inbound_dropped = 0;  // inbound Notes lost to a full inbound queue
  std::uint64_t web_requests = 0;     // web.* requests queued for the cloud
  std::uint64_t web_responses = 0;    // responses received
};

enum class hub_mode : std::uint8_t { periodic, continuous, minimum, off, dfu };
enum class location_mode : std::uint8_t { off, periodic, continuous, fixed };
enum class dfu_state : std::uint8_t { idle, downloading, ready, error, completed };

}  // namespace twelvefold::shim
