// Shared by the module tests: short constructors for what the device actor hands a module, so
// tests name only the members that matter (designated initializers that skip string members
// trip -Wmissing-field-initializers).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim::testing {

// A Note for an inbound queue.
inline inbound_note queued(std::string file, std::string body_json, std::int64_t utc_s = 0,
                           std::string payload_b64 = {}) {
  inbound_note note;
  note.file = std::move(file);
  note.body_json = std::move(body_json);
  note.utc_s = utc_s;
  note.payload_b64 = std::move(payload_b64);
  return note;
}

// A database Note written (or, with deleted, removed) by the cloud.
inline inbound_note db_write(std::string file, std::string id, std::string body_json,
                             std::int64_t utc_s = 0, bool deleted = false) {
  inbound_note note;
  note.file = std::move(file);
  note.note_id = std::move(id);
  note.body_json = std::move(body_json);
  note.utc_s = utc_s;
  note.deleted = deleted;
  return note;
}

inline web_response web_answer(std::uint64_t id, std::int32_t result, std::string body_json = {}) {
  web_response response;
  response.id = id;
  response.result = result;
  response.body_json = std::move(body_json);
  return response;
}

inline transport_info radio(radio_access rat, bitrate_class bitrate, bool packet_limited = false,
                            bool registered = true) {
  transport_info t;
  t.rat = rat;
  t.bitrate = bitrate;
  t.packet_limited = packet_limited;
  t.registered = registered;
  return t;
}

}  // namespace twelvefold::shim::testing
