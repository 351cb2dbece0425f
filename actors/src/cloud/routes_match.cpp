// Pure logic of Note routing (see routes_match.hpp).
#include "cloud/routes_match.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace twelvefold::actors::cloud {

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point (the last '*'): linear for the patterns used.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool route_filter::matches(std::string_view file, std::uint32_t fleet) const {
  if (!fleets.empty() && std::find(fleets.begin(), fleets.end(), fleet) == fleets.end()) {
    return false;
  }
  if (notefiles.empty()) return true;
  return std::any_of(notefiles.begin(), notefiles.end(),
                     [&](const std::string& glob) { return glob_match(glob, file); });
}

std::uint32_t backoff_delay_ms(std::uint32_t attempt, std::uint32_t initial_ms,
                               std::uint32_t max_ms) {
  if (attempt <= 1) return 0;
  std::uint64_t delay = initial_ms;
  for (std::uint32_t k = 2; k < attempt && delay < max_ms; ++k) delay *= 2;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(delay, max_ms));
}

std::string utc_text(std::int64_t utc_us) {
  using namespace std::chrono;
  const sys_time<microseconds> when{microseconds{utc_us}};
  const auto day = floor<days>(when);
  const year_month_day date{day};
  const hh_mm_ss time{when - day};
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()),
                static_cast<int>(time.subseconds().count()));
  return text;
}

std::string event_json(const event_fields& e) {
  nlohmann::ordered_json j;
  j["route"] = e.route;
  j["kind"] = e.kind;
  j["serial"] = e.serial;
  j["fleet"] = e.fleet;
  j["file"] = e.file;
  if (!e.note_id.empty()) j["note"] = e.note_id;
  if (e.seq != 0) j["seq"] = e.seq;
  j["at_us"] = e.at_us;
  j["received"] = utc_text(e.epoch_utc_us + e.at_us);
  if (e.device_utc_s != 0) j["when"] = e.device_utc_s;
  if (e.deleted) j["deleted"] = true;
  // Bodies are the device's compact JSON; anything that does not parse (a corrupt Note) is
  // passed on as a string rather than breaking the line format.
  auto body = nlohmann::ordered_json::parse(e.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    j["body_text"] = e.body;
  } else {
    j["body"] = std::move(body);
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string expand_topic(std::string_view topic_template, std::string_view serial,
                         std::string_view file, std::string_view fleet) {
  std::string out;
  out.reserve(topic_template.size() + 32);
  for (std::size_t i = 0; i < topic_template.size();) {
    auto take = [&](std::string_view key, std::string_view value) {
      if (topic_template.substr(i, key.size()) != key) return false;
      out += value;
      i += key.size();
      return true;
    };
    if (take("{serial}", serial) || take("{file}", file) || take("{fleet}", fleet)) continue;
    out += topic_template[i++];
  }
  return out;
}

}  // namespace twelvefold::actors::cloud
