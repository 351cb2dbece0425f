// module: note.template, and the encoder / decoder of templated Notes' binary records
// (layout and type hints in note_template.hpp).
#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json_kind;
using detail::json_value;
using detail::json_writer;
using detail::reply;

constexpr std::size_t max_string_field = 255;  // keeps one field below a LoRa frame

std::size_t width_of(template_type type) {
  switch (type) {
    case template_type::boolean:
    case template_type::int8:
    case template_type::uint8:
      return 1;
    case template_type::int16:
    case template_type::uint16:
    case template_type::float16:
      return 2;
    case template_type::int24:
    case template_type::uint24:
      return 3;
    case template_type::int32:
    case template_type::uint32:
    case template_type::float32:
      return 4;
    case template_type::int64:
    case template_type::uint64:
    case template_type::float64:
      return 8;
    case template_type::string:
      return 0;  // per field
  }
  return 0;
}

bool is_signed(template_type t) {
  return t == template_type::int8 || t == template_type::int16 || t == template_type::int24 ||
         t == template_type::int32 || t == template_type::int64;
}
bool is_unsigned(template_type t) {
  return t == template_type::uint8 || t == template_type::uint16 || t == template_type::uint24 ||
         t == template_type::uint32 || t == template_type::uint64;
}
bool is_float(template_type t) {
  return t == template_type::float16 || t == template_type::float32 || t == template_type::float64;
}

// The type a sample value asks for (see note_template.hpp), or an error.
std::expected<template_field, std::string> field_from_sample(std::string_view name,
                                                             const json_value& sample) {
  template_field field;
  field.name = name;
  switch (sample.kind()) {
    case json_kind::boolean:
      field.type = template_type::boolean;
      break;
    case json_kind::string: {
      field.type = template_type::string;
      const std::size_t length = detail::keep_text(sample).size();
      field.bytes =
          static_cast<std::uint16_t>(std::clamp<std::size_t>(length, 1, max_string_field));
      return field;
    }
    case json_kind::number: {
      const std::string_view raw = sample.raw();
      const bool fraction = raw.find_first_of(".eE") != std::string_view::npos;
      const double value = sample.number();
      const auto near = [&](double hint) { return std::fabs(value - hint) < 1e-9; };
      if (fraction && !detail::integer_of(sample)) {
        field.type = near(12.1)   ? template_type::float16
                     : near(18.1) ? template_type::float64
                                  : template_type::float32;  // 14.1, and leniently any other
      } else {
        struct hint {
          std::int64_t code;
          template_type type;
        };
        static constexpr std::array<hint, 10> hints{{
            {11, template_type::int8},
            {12, template_type::int16},
            {13, template_type::int24},
            {14, template_type::int32},
            {18, template_type::int64},
            {21, template_type::uint8},
            {22, template_type::uint16},
            {23, template_type::uint24},
            {24, template_type::uint32},
            {28, template_type::uint64},
        }};
        field.type = template_type::int32;  // leniently, any other integer
        const auto code = detail::integer_of(sample);
        for (const hint& h : hints) {
          if (code && *code == h.code) field.type = h.type;
        }
      }
      break;
    }
    default:
      return std::unexpected(
          detail::type_error(name,
                             "a type hint (true, 11..18, 21..28, 12.1 / 14.1 / 18.1 or a "
                             "sample string); objects and arrays are not templatable "
                             "{template-incompatible}"));
  }
  field.bytes = static_cast<std::uint16_t>(width_of(field.type));
  return field;
}

void put_le(std::vector<std::uint8_t>& out, std::uint64_t value, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i)
    out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

std::uint64_t get_le(std::span<const std::uint8_t> in, std::size_t bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes; ++i) value |= std::uint64_t{in[i]} << (8 * i);
  return value;
}

void put_float(std::vector<std::uint8_t>& out, double value, template_type type) {
  switch (type) {
    case template_type::float16:
      put_le(out, detail::float_to_half(static_cast<float>(value)), 2);
      break;
    case template_type::float32:
      put_le(out, std::bit_cast<std::uint32_t>(static_cast<float>(value)), 4);
      break;
    default:
      put_le(out, std::bit_cast<std::uint64_t>(value), 8);
      break;
  }
}

// Integer range of a template type.
std::pair<long double, long double> range_of(template_type type, std::size_t bytes) {
  const long double span = std::ldexp(1.0L, static_cast<int>(8 * bytes));
  if (is_signed(type)) return {-span / 2, span / 2 - 1};
  return {0, span - 1};
}

// Appends `text` truncated to `bytes` at a UTF-8 character boundary, zero-padded.
void put_string(std::vector<std::uint8_t>& out, std::string_view text, std::size_t bytes) {
  std::size_t length = std::min(text.size(), bytes);
  while (length > 0 && length < text.size() &&
         (static_cast<unsigned char>(text[length]) & 0xC0) == 0x80) {
    --length;  // never split a character
  }
  out.insert(out.end(), text.begin(), text.begin() + static_cast<std::ptrdiff_t>(length));
  out.insert(out.end(), bytes - length, 0);
}

// Floats print as the shortest text that reads back to the stored width, so 14.1 stored as a
// float32 reads 14.1, not 14.100000381469727.
void write_float(json_writer& out, double value, template_type type) {
  if (!std::isfinite(value)) {
    out.null();
    return;
  }
  std::array<char, 32> buffer{};
  const auto result =
      type == template_type::float64
          ? std::to_chars(buffer.data(), buffer.data() + buffer.size(), value)
          : std::to_chars(buffer.data(), buffer.data() + buffer.size(), static_cast<float>(value));
  out.raw(std::string_view(buffer.data(), result.ptr));
}

bool is_keyword(std::string_view name) {
  return name == "_time" || name == "_lat" || name == "_lon" || name == "_ltime";
}

}  // namespace

std::size_t note_template::record_bytes() const {
  std::size_t bytes = compact ? 0 : metadata_bytes;
  for (const template_field& field : fields) bytes += field.bytes;
  if (payload_length > 0) bytes += 2 + static_cast<std::size_t>(payload_length);
  return bytes;
}

std::expected<decoded_record, std::string> decode_template_record(
    const note_template& t, std::span<const std::uint8_t> record) {
  decoded_record out;
  std::size_t pos = 0;
  const auto need = [&](std::size_t bytes) { return pos + bytes <= record.size(); };
  if (!t.compact) {
    if (!need(note_template::metadata_bytes))
      return std::unexpected(std::string("record too short"));
    out.utc_s = static_cast<std::int64_t>(get_le(record.subspan(0), 4));
    out.lat = std::bit_cast<float>(static_cast<std::uint32_t>(get_le(record.subspan(4), 4)));
    out.lon = std::bit_cast<float>(static_cast<std::uint32_t>(get_le(record.subspan(8), 4)));
    out.location_utc_s = static_cast<std::int64_t>(get_le(record.subspan(12), 4));
    pos = note_template::metadata_bytes;
  }
  json_writer w(out.body_json);
  w.begin_object();
  for (const template_field& field : t.fields) {
    if (!need(field.bytes))
      return std::unexpected("record too short for field '" + field.name + "'");
    const auto bytes = record.subspan(pos, field.bytes);
    w.key(field.name);
    if (field.type == template_type::boolean) {
      w.boolean(bytes[0] != 0);
    } else if (field.type == template_type::string) {
      std::size_t length = 0;
      while (length < bytes.size() && bytes[length] != 0) ++length;
      w.string(std::string_view(reinterpret_cast<const char*>(bytes.data()), length));
    } else if (field.type == template_type::float16) {
      write_float(w, detail::half_to_float(static_cast<std::uint16_t>(get_le(bytes, 2))),
                  field.type);
    } else if (field.type == template_type::float32) {
      write_float(w, std::bit_cast<float>(static_cast<std::uint32_t>(get_le(bytes, 4))),
                  field.type);
    } else if (field.type == template_type::float64) {
      write_float(w, std::bit_cast<double>(get_le(bytes, 8)), field.type);
    } else {
      std::uint64_t raw = get_le(bytes, field.bytes);
      if (is_signed(field.type) && field.bytes < 8 && (raw >> (8 * field.bytes - 1)) != 0) {
        raw |= ~std::uint64_t{0} << (8 * field.bytes);  // sign-extend
      }
      if (is_unsigned(field.type) &&
          raw > std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
        w.raw(std::to_string(raw));
      } else {
        w.integer(static_cast<std::int64_t>(raw));
      }
    }
    pos += field.bytes;
  }
  w.end_object();
  if (pos < record.size()) {
    if (!need(2)) return std::unexpected(std::string("record has a truncated payload"));
    const std::size_t length = get_le(record.subspan(pos), 2);
    pos += 2;
    if (!need(length)) return std::unexpected(std::string("record has a truncated payload"));
    out.payload.assign(record.begin() + static_cast<std::ptrdiff_t>(pos),
                       record.begin() + static_cast<std::ptrdiff_t>(pos + length));
  }
  return out;
}

std::expected<std::vector<template_field>, std::string> module::impl::template_fields(
    const json_value& body) {
  std::vector<template_field> fields;
  for (const auto& member : body) {
    const std::string_view name = detail::keep_text(member.key());
    for (const template_field& existing : fields) {
      if (existing.name == name) {
        return std::unexpected(
            detail::type_error(name, "one entry per field {template-incompatible}"));
      }
    }
    auto field = field_from_sample(name, member.value());
    if (!field) return std::unexpected(std::move(field.error()));
    fields.push_back(std::move(*field));
  }
  return fields;
}

reply module::impl::apply_template(module& m, const template_entry& entry, const json_value& body,
                                   std::string_view payload_b64, outbound_note& note) {
  const shim::note_template& t = entry.definition;
  const auto incompatible = [&](std::string_view field, std::string_view why) {
    std::string text = "field '";
    text.append(field).append("': ").append(why).append(" (template of '").append(t.file);
    text.append("') {template-incompatible}");
    return std::unexpected(std::move(text));
  };
  // Every field of the Note must have a place in the record: nothing is dropped silently.
  if (body.present()) {
    for (const auto& member : body) {
      const std::string_view name = detail::keep_text(member.key());
      if (std::ranges::find(t.fields, name, &template_field::name) == t.fields.end()) {
        return incompatible(name, "not in the template");
      }
    }
  }
  const location_fix* where = nullptr;
  if (const extended* e = m.ext_.get(); e != nullptr && e->location) where = &*e->location;
  const std::int64_t location_utc = where != nullptr ? utc_or_zero(m, where->at_us) : 0;

  std::vector<std::uint8_t> record;
  record.reserve(t.record_bytes() + payload_b64.size());
  if (!t.compact) {
    put_le(record, static_cast<std::uint32_t>(note.stamped_utc_s), 4);
    put_le(record, std::bit_cast<std::uint32_t>(static_cast<float>(where ? where->lat_deg : 0)), 4);
    put_le(record, std::bit_cast<std::uint32_t>(static_cast<float>(where ? where->lon_deg : 0)), 4);
    put_le(record, static_cast<std::uint32_t>(location_utc), 4);
  }
  for (const template_field& field : t.fields) {
    const json_value value = body.present() ? body.find(field.name) : json_value{};
    const bool given = value.present() && value.kind() != json_kind::null;
    if (!given && t.compact && is_keyword(field.name)) {
      // Compact templates ask for the metadata they want by these names.
      const double filled = field.name == "_time"  ? double(note.stamped_utc_s)
                            : field.name == "_lat" ? (where ? where->lat_deg : 0)
                            : field.name == "_lon" ? (where ? where->lon_deg : 0)
                                                   : double(location_utc);
      if (is_float(field.type)) {
        put_float(record, filled, field.type);
      } else {
        put_le(record, static_cast<std::uint64_t>(static_cast<std::int64_t>(filled)), field.bytes);
      }
      continue;
    }
    switch (field.type) {
      case template_type::boolean:
        if (given && value.kind() != json_kind::boolean)
          return incompatible(field.name, "expected a boolean");
        record.push_back(given && value.boolean() ? 1 : 0);
        break;
      case template_type::string:
        if (given && value.kind() != json_kind::string)
          return incompatible(field.name, "expected a string");
        put_string(record, given ? detail::keep_text(value) : std::string_view{}, field.bytes);
        break;
      case template_type::float16:
      case template_type::float32:
      case template_type::float64: {
        if (given && value.kind() != json_kind::number)
          return incompatible(field.name, "expected a number");
        const double number = given ? value.number() : 0.0;
        const double limit = field.type == template_type::float16 ? 65504.0
                             : field.type == template_type::float32
                                 ? double(std::numeric_limits<float>::max())
                                 : std::numeric_limits<double>::max();
        if (!(std::fabs(number) <= limit))
          return incompatible(field.name, "out of the float's range");
        put_float(record, number, field.type);
        break;
      }
      default: {
        if (given && value.kind() != json_kind::number)
          return incompatible(field.name, "expected an integer");
        std::int64_t integer = 0;
        if (given) {
          const auto whole = detail::integer_of(value);
          if (whole) {
            integer = *whole;
          } else if (is_unsigned(field.type) && field.bytes == 8 &&
                     value.raw().find_first_of(".eE-") == std::string_view::npos) {
            // Above INT64_MAX but a valid uint64: carry the bits.
            std::uint64_t u = 0;
            const auto raw = value.raw();
            if (std::from_chars(raw.data(), raw.data() + raw.size(), u).ec != std::errc{}) {
              return incompatible(field.name, "out of the integer's range");
            }
            put_le(record, u, 8);
            break;
          } else {
            return incompatible(field.name, "expected an integer");
          }
        }
        const auto [low, high] = range_of(field.type, field.bytes);
        if (static_cast<long double>(integer) < low || static_cast<long double>(integer) > high) {
          return incompatible(field.name, "out of the integer's range");
        }
        put_le(record, static_cast<std::uint64_t>(integer), field.bytes);
      }
    }
  }
  if (!payload_b64.empty() || t.payload_length > 0) {
    const auto payload = detail::base64_decode(payload_b64).value_or(std::vector<std::uint8_t>{});
    if (t.payload_length >= 0 && payload.size() > static_cast<std::size_t>(t.payload_length)) {
      return incompatible("payload", "longer than the template's length");
    }
    if (payload.size() > 0xFFFF) return incompatible("payload", "longer than 65535 bytes");
    put_le(record, payload.size(), 2);
    record.insert(record.end(), payload.begin(), payload.end());
    if (t.payload_length > 0) record.insert(record.end(), t.payload_length - payload.size(), 0);
  }

  auto decoded = decode_template_record(t, record);
  if (!decoded) return std::unexpected(std::move(decoded.error()));
  note.body_json = std::move(decoded->body_json);
  note.encoded_size = static_cast<std::uint32_t>(record.size());
  note.templated = std::move(record);
  note.compact = t.compact;
  note.port = t.port;
  return {};
}

reply module::impl::note_template(module& m, const json_value& req, json_writer& out,
                                  std::int64_t /*now_us*/) {
  detail::fields f(req);
  const auto file = f.string("file");
  const json_value body = f.object("body");
  const auto length = f.integer("length");
  const auto port = f.integer("port");
  const auto format = f.string("format");
  const auto verify = f.boolean("verify");
  f.boolean("delete");
  if (f.ok() && !file) f.fail(detail::type_error("file", "a Notefile name (string)"));
  if (f.ok() && length && *length < -1) f.fail(detail::type_error("length", "bytes >= 0, or -1"));
  if (f.ok() && length && *length > 0xFFFF) f.fail(detail::type_error("length", "bytes <= 65535"));
  if (f.ok() && port && *port != -1 && (*port < 1 || *port > 100)) {
    f.fail(detail::type_error("port", "1..100, or -1"));
  }
  if (f.ok() && format && !format->empty() && *format != "compact" && *format != "default") {
    f.fail(detail::type_error("format", "\"compact\" or \"default\""));
  }
  if (!f.ok()) return f.failure();
  if (!detail::is_outbound(detail::classify_notefile(*file))) {
    return std::unexpected("notefile '" + std::string(*file) +
                           "': templates apply to outbound queues (.qo, .qos) {not-supported}");
  }

  if (body.present()) {
    auto fields = template_fields(body);
    if (!fields) return std::unexpected(std::move(fields.error()));
    template_entry entry;
    entry.definition.file = *file;
    entry.definition.fields = std::move(*fields);
    entry.definition.body_json = body.compact_text();
    entry.definition.compact = format && *format == "compact";
    entry.definition.payload_length = length ? static_cast<std::int32_t>(*length) : -1;
    entry.definition.port = port ? static_cast<std::int32_t>(*port) : -1;
    auto& templates = m.ext().templates;
    const auto it = templates.find(*file);
    // Declaring the same template again (firmware does at every boot) changes nothing.
    if (it == templates.end() || it->second.definition.body_json != entry.definition.body_json ||
        it->second.definition.compact != entry.definition.compact ||
        it->second.definition.payload_length != entry.definition.payload_length ||
        it->second.definition.port != entry.definition.port) {
      templates.insert_or_assign(std::string(*file), std::move(entry));
    }
  } else if (!verify.value_or(false)) {
    if (extended* e = m.ext_.get()) {
      if (const auto it = e->templates.find(*file); it != e->templates.end())
        e->templates.erase(it);
    }
    return {};
  }

  const extended* e = m.ext_.get();
  const auto it = e != nullptr ? e->templates.find(*file) : decltype(e->templates.end()){};
  if (e == nullptr || it == e->templates.end()) return {};
  const shim::note_template& t = it->second.definition;
  if (verify.value_or(false)) {
    out.field("template", true);
    out.key("body").raw(t.body_json);
    if (t.compact) out.field("format", "compact");
    if (t.payload_length >= 0) out.field("length", t.payload_length);
    if (t.port >= 0) out.field("port", t.port);
  }
  out.field("bytes", static_cast<std::uint64_t>(t.record_bytes()));
  return {};
}

}  // namespace twelvefold::shim
