// serial_port: the module's newline-delimited JSON wire (the protocol is in serial_port.hpp).
#include "twelvefold/shim/serial_port.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

namespace twelvefold::shim {
namespace {

constexpr std::string_view line_end = "\r\n";
constexpr std::string_view crc_name = "\"crc\":\"";
constexpr std::string_view hex_upper = "0123456789ABCDEF";

std::optional<std::uint32_t> parse_hex(std::string_view text) {
  std::uint32_t value = 0;
  for (const char c : text) {
    std::uint32_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<std::uint32_t>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    value = value * 16 + digit;
  }
  return value;
}

void append_hex(std::string& out, std::uint32_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i) out.push_back(hex_upper[(value >> (4 * i)) & 0xF]);
}

bool is_blank(std::string_view line) {
  return std::ranges::all_of(line, [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// A request's CRC field, when it ends with one in note-c's layout.
struct crc_field {
  std::uint16_t seq = 0;
  std::optional<std::uint32_t> crc;  // nullopt: the field is there but its digits are not hex
  std::string request;               // the text without the field
};

std::optional<crc_field> split_crc(std::string_view line) {
  while (!line.empty() && static_cast<unsigned char>(line.back()) <= ' ') line.remove_suffix(1);
  const std::size_t length = line.size();
  if (length < serial_port::crc_field_bytes + 2 || line.back() != '}') return std::nullopt;
  const std::size_t at = length - 1 - serial_port::crc_field_bytes;  // the ',' (or ' ')
  if ((line[at] != ',' && line[at] != ' ') || line.substr(at + 1, crc_name.size()) != crc_name ||
      line[at + 12] != ':' || line[at + 21] != '"') {
    return std::nullopt;
  }
  crc_field field;
  const auto seq = parse_hex(line.substr(at + 8, 4));
  field.crc = parse_hex(line.substr(at + 13, 8));
  if (!seq) field.crc.reset();
  field.seq = static_cast<std::uint16_t>(seq.value_or(0));
  field.request.reserve(at + 1);
  field.request.append(line.substr(0, at)).push_back('}');
  return field;
}

// Appends the CRC field to an answer (note-c's crcAdd layout, which its crcError checks).
std::string with_crc(std::string answer, std::uint16_t seq) {
  const std::uint32_t crc = crc32(answer);
  const bool empty_object = answer.find(':') == std::string::npos;
  answer.pop_back();  // the closing brace
  answer.push_back(empty_object ? ' ' : ',');
  answer.append(crc_name);
  append_hex(answer, seq, 4);
  answer.push_back(':');
  append_hex(answer, crc, 8);
  answer.append("\"}");
  return answer;
}

}  // namespace

void serial_port::write(std::string_view bytes, std::int64_t now_us) {
  // Longest line worth buffering: the largest request the module takes, plus its CRC field.
  const std::size_t limit = module_->limits().max_request_bytes + crc_field_bytes;
  while (!bytes.empty()) {
    const std::size_t newline = bytes.find('\n');
    const std::string_view chunk = bytes.substr(0, newline);
    line_bytes_ += chunk.size();
    if (line_.size() < limit) line_.append(chunk.substr(0, limit - line_.size()));
    if (newline == std::string_view::npos) return;
    complete_line(now_us);
    bytes.remove_prefix(newline + 1);
  }
}

void serial_port::complete_line(std::int64_t now_us) {
  std::string line = std::move(line_);
  const std::size_t length = line_bytes_;
  line_.clear();
  line_bytes_ = 0;
  if (length > module_->limits().max_request_bytes + crc_field_bytes) {
    ++stats_.oversize;
    ++stats_.lines;
    emit(module_->reject_oversize(length));
    return;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (is_blank(line)) {
    ++stats_.empty_lines;
    emit("");
    return;
  }
  ++stats_.lines;
  const auto field = split_crc(line);
  if (field) {
    if (!field->crc || *field->crc != crc32(field->request)) {
      ++stats_.crc_errors;
      emit(with_crc(module_->reject_request("crc mismatch: request corrupted on the wire {io}"),
                    field->seq));
      return;
    }
    module::answer answer = module_->respond(field->request, now_us);
    if (answer.reply) emit(with_crc(std::move(answer.text), field->seq));
    return;
  }
  module::answer answer = module_->respond(line, now_us);
  if (answer.reply) emit(answer.text);
}

void serial_port::emit(std::string_view line) {
  // Drop what has been read before growing: the buffer stays the size of one exchange.
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  }
  out_.append(line).append(line_end);
}

std::size_t serial_port::read(std::span<char> out) {
  const std::size_t count = std::min(out.size(), available());
  std::memcpy(out.data(), out_.data() + out_pos_, count);
  out_pos_ += count;
  return count;
}

int serial_port::read_byte() {
  if (available() == 0) return -1;
  return static_cast<unsigned char>(out_[out_pos_++]);
}

std::string serial_port::read_all() {
  std::string all = out_.substr(out_pos_);
  out_.clear();
  out_pos_ = 0;
  return all;
}

void serial_port::reset() {
  line_.clear();
  line_bytes_ = 0;
  out_.clear();
  out_pos_ = 0;
}

}  // namespace twelvefold::shim
