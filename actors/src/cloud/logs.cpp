// Logs (see logs.hpp).
#include "cloud/logs.hpp"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

namespace twelvefold::actors::cloud {

std::optional<std::uint8_t> parse_log_level(std::string_view text) {
  if (text == "error") return log_error;
  if (text == "warn") return log_warn;
  if (text == "info") return log_info;
  if (text == "debug") return log_debug;
  if (text == "off") return 0;
  return std::nullopt;
}

std::string_view log_level_name(std::uint32_t level) {
  switch (level) {
    case 0:
    case 1:
    case 2:
    case log_error:
      return "error";
    case log_warn:
      return "warn";
    case 5:
    case log_info:
      return "info";
    default:
      return "debug";
  }
}

std::optional<std::int64_t> parse_log_cadence_us(std::string_view text) {
  if (text == "session") return 0;
  if (text.empty()) return std::nullopt;
  std::int64_t total_us = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), value);
    if (ec != std::errc{} || end == text.data() + i || value < 0 ||
        end == text.data() + text.size())
      return std::nullopt;
    i = static_cast<std::size_t>(end - text.data());
    std::int64_t scale = 0;
    switch (text[i]) {
      case 'd':
        scale = 86'400'000'000LL;
        break;
      case 'h':
        scale = 3'600'000'000LL;
        break;
      case 'm':
        scale = 60'000'000LL;
        break;
      case 's':
        scale = 1'000'000LL;
        break;
      default:
        return std::nullopt;
    }
    if (value > 366LL * 86'400'000'000LL / scale) return std::nullopt;
    total_us += value * scale;
    ++i;
  }
  return total_us;
}

void log_buffer::add(twin_index twin, std::int64_t at_us, std::uint8_t level,
                     std::uint8_t threshold, std::string_view text) {
  if (level > threshold) return;  // less severe than asked for
  entry& e = pending_[twin];
  if (e.lines.size() >= max_lines_per_twin) {
    ++e.dropped;
    ++dropped_total_;
    return;
  }
  e.lines.push_back({at_us, level, std::string(text.substr(0, max_text_bytes))});
}

std::vector<const log_line*> log_buffer::take(twin_index twin, std::int64_t now_us,
                                              std::int64_t cadence_us, std::uint32_t& dropped) {
  std::vector<const log_line*> out;
  dropped = 0;
  auto it = pending_.find(twin);
  if (it == pending_.end()) return out;
  entry& e = it->second;
  e.in_flight = 0;
  e.dropped_in_flight = 0;
  const bool due =
      e.lines.empty() || cadence_us <= 0 || now_us - e.lines.front().at_us >= cadence_us;
  if (!due) return out;
  out.reserve(e.lines.size());
  for (const log_line& line : e.lines) out.push_back(&line);
  e.in_flight = static_cast<std::uint32_t>(e.lines.size());
  e.dropped_in_flight = e.dropped;
  dropped = e.dropped;
  return out;
}

void log_buffer::settle(twin_index twin, bool success) {
  auto it = pending_.find(twin);
  if (it == pending_.end()) return;
  entry& e = it->second;
  if (success) {
    e.lines.erase(e.lines.begin(),
                  e.lines.begin() + std::min<std::size_t>(e.in_flight, e.lines.size()));
    e.dropped -= std::min(e.dropped, e.dropped_in_flight);
  }
  e.in_flight = 0;
  e.dropped_in_flight = 0;
  if (e.lines.empty() && e.dropped == 0) pending_.erase(it);
}

void log_totals::record(twin_index twin, std::int64_t arrival_us, std::uint32_t age_s,
                        std::uint32_t level, const std::string& text, std::size_t encoded_bytes,
                        std::vector<cloud_event>& events) {
  const std::int64_t at_us = arrival_us - static_cast<std::int64_t>(age_s) * 1'000'000;
  ++lines_uploaded;
  bytes_uploaded += encoded_bytes;
  ++by_level[std::min<std::uint32_t>(level, 7)];
  nlohmann::ordered_json body = {
      {"level", log_level_name(level)}, {"text", text}, {"age_s", age_s}};
  events.push_back({twin, at_us, "log", "",
                    body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
                    ""});
}

void log_totals::record_hub_log(twin_index twin, std::int64_t arrival_us, std::uint32_t age_s,
                                const std::string& body_json, std::size_t encoded_bytes,
                                std::vector<cloud_event>& events) {
  std::string text = body_json;
  std::uint32_t level = log_info;
  const auto body = nlohmann::json::parse(body_json, nullptr, false);
  if (body.is_object()) {
    if (auto it = body.find("text"); it != body.end() && it->is_string()) text = *it;
    if (auto it = body.find("alert"); it != body.end() && it->is_boolean() && it->get<bool>()) {
      level = log_error;
    }
  }
  ++hub_log_lines;
  record(twin, arrival_us, age_s, level, text, encoded_bytes, events);
}

}  // namespace twelvefold::actors::cloud
