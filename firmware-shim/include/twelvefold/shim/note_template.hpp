// Note templates (note.template): a Notefile's schema, and the fixed-length binary records that
// templated Notes are encoded to so that fewer bytes go on the air.
//
// The type of each field comes from the sample value in the template body, after the public
// Notecard API's type hints:
//   true / false                 boolean, 1 byte
//   11, 12, 13, 14, 18           signed integer of 1, 2, 3, 4, 8 bytes
//   21, 22, 23, 24, 28           unsigned integer of 1, 2, 3, 4, 8 bytes
//   12.1, 14.1, 18.1             IEEE 754 float of 2, 4, 8 bytes
//   "text"                       string of at most as many bytes as the sample has (>= 1)
// Other numbers are taken leniently: any other integer as a 4-byte signed integer, any other
// fraction as a 4-byte float (firmware written against older references uses e.g. 1 or 1.1).
// Objects and arrays are not templatable.
//
// Record layout (little-endian, fields in the order the template lists them):
//   [metadata, unless format "compact"]  u32 UTC seconds the Note was added (0: unknown),
//                                        f32 latitude, f32 longitude, u32 UTC of that location
//   [each field]                         its fixed width; strings zero-padded to their size
//   [payload, if the template has one]   u16 length, then `payload_length` bytes zero-padded
// A template without `length` still accepts a payload: u16 length and the bytes, variable.
// In compact templates the keywords _time, _lat, _lon, _ltime are filled in by the module.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace twelvefold::shim {

enum class template_type : std::uint8_t {
  boolean,
  int8,
  int16,
  int24,
  int32,
  int64,
  uint8,
  uint16,
  uint24,
  uint32,
  uint64,
  float16,
  float32,
  float64,
  string,
};

struct template_field {
  std::string name;
  template_type type = template_type::int32;
  std::uint16_t bytes = 4;  // width in the record (strings: their maximum length)
};

struct note_template {
  std::string file;                    // e.g. "readings.qo"
  std::vector<template_field> fields;  // record order
  std::string body_json;               // the template body as the firmware gave it
  bool compact = false;                // format:"compact": no metadata header
  std::int32_t payload_length = -1;    // `length`; -1: none declared
  std::int32_t port = -1;              // LoRa / satellite port (1..100); -1: none

  static constexpr std::size_t metadata_bytes = 16;

  // Bytes of one record without payload (what note.template answers as "bytes").
  [[nodiscard]] std::size_t record_bytes() const;
};

// What a record carries, decoded (for the cloud side and tests).
struct decoded_record {
  std::string body_json;   // the fields, compact JSON in template order
  std::int64_t utc_s = 0;  // metadata (zero in compact records)
  double lat = 0;
  double lon = 0;
  std::int64_t location_utc_s = 0;
  std::vector<std::uint8_t> payload;
};

// Decodes a record made with `t`; an error when it is too short or malformed.
std::expected<decoded_record, std::string> decode_template_record(
    const note_template& t, std::span<const std::uint8_t> record);

}  // namespace twelvefold::shim
