#include "cloud/identity.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <tuple>

#include "twelvefold/scenario/v1/scenario.pb.h"

namespace twelvefold::actors {
namespace {

// splitmix64: a bijective 64-bit mix; identifiers derived with it are stable across runs.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t id_bits(const world& w, twin_index twin, std::uint32_t generation, char kind) {
  return mix(w.seed ^
             mix((static_cast<std::uint64_t>(twin) << 24) ^
                 (static_cast<std::uint64_t>(generation) << 8) ^ static_cast<unsigned char>(kind)));
}

// Luhn check digit (ITU-T E.118 ICCIDs end with one).
char luhn_digit(const std::string& digits) {
  int sum = 0;
  bool twice = true;  // the digit left of the check digit is doubled
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

}  // namespace

std::optional<twin_index> twin_of_serial(const world& w, std::string_view serial) {
  // Fleets are laid out back to back in twin order (fleet index ascending); their serials are
  // prefix + 7 digits counting from 1.
  for (std::uint32_t f = 0; f < w.fleets.size(); ++f) {
    const std::string& prefix = w.fleets[f].serial_prefix;
    if (serial.size() != prefix.size() + 7 || !serial.starts_with(prefix)) continue;
    std::uint32_t number = 0;
    const char* begin = serial.data() + prefix.size();
    auto [end, ec] = std::from_chars(begin, serial.data() + serial.size(), number);
    if (ec != std::errc{} || end != serial.data() + serial.size() || number == 0) continue;
    const auto first = std::partition_point(w.twins.begin(), w.twins.end(),
                                            [f](const twin_spec& t) { return t.fleet < f; });
    const auto twin = static_cast<std::size_t>(first - w.twins.begin()) + number - 1;
    if (twin < w.twins.size() && w.twins[twin].fleet == f &&
        w.twins[twin].index_in_fleet == number - 1) {
      return static_cast<twin_index>(twin);
    }
  }
  return std::nullopt;
}

std::string device_id_for(const world& w, twin_index twin, std::uint32_t generation) {
  if (generation == 0) return w.device_id_of(twin);
  // Same layout as world::device_id_of with the allocation code stepped by the generation:
  // the 7-digit part is bijective in the twin, so (twin, generation) never collide.
  const std::uint64_t mixed =
      (static_cast<std::uint64_t>(twin) * 2654435761ULL + w.seed) % 10000000;
  char text[32];
  std::snprintf(text, sizeof text, "35%06u%07llu", 123456u + generation % 800000u,
                static_cast<unsigned long long>(mixed));
  return text;
}

binding_row binding_for(const world& w, twin_index twin, std::uint32_t generation,
                        std::int64_t from_us, std::int64_t until_us) {
  binding_row row;
  row.serial = w.serial_of(twin);
  row.generation = generation;
  row.device_id = device_id_for(w, twin, generation);
  row.bound_from_us = from_us;
  row.bound_until_us = until_us;
  bool cellular = false;
  bool lora = false;
  bool wifi = false;
  for (models::rat r : w.model_of(twin).rats) {
    cellular |= r == models::rat::lte_m || r == models::rat::nb_iot || r == models::rat::gprs ||
                r == models::rat::umts || r == models::rat::ntn;
    lora |= r == models::rat::lorawan;
    wifi |= r == models::rat::wifi;
  }
  char text[40];
  if (cellular) {
    // MCC 001 / MNC 01 is the ITU test network: these SIMs exist nowhere else.
    std::snprintf(
        text, sizeof text, "00101%010llu",
        static_cast<unsigned long long>(id_bits(w, twin, generation, 'i') % 10000000000ULL));
    row.imsi = text;
    std::snprintf(
        text, sizeof text, "8901%014llu",
        static_cast<unsigned long long>(id_bits(w, twin, generation, 'c') % 100000000000000ULL));
    row.iccid = text;
    row.iccid += luhn_digit(row.iccid);
  }
  if (lora) {
    std::snprintf(text, sizeof text, "%016llX",
                  static_cast<unsigned long long>(id_bits(w, twin, generation, 'e')));
    row.dev_eui = text;
  }
  if (wifi) {
    const std::uint64_t bits = id_bits(w, twin, generation, 'm');
    // 0x02 in the first octet: a locally administered unicast address.
    std::snprintf(
        text, sizeof text, "02:%02x:%02x:%02x:%02x:%02x", static_cast<unsigned>(bits & 0xff),
        static_cast<unsigned>((bits >> 8) & 0xff), static_cast<unsigned>((bits >> 16) & 0xff),
        static_cast<unsigned>((bits >> 24) & 0xff), static_cast<unsigned>((bits >> 32) & 0xff));
    row.mac = text;
  }
  return row;
}

replacement_schedule::replacement_schedule(const world& w) {
  scenario::v1::TimelineEvent event;
  for (const cloud_timeline_event& e : w.cloud_timeline) {
    if (!event.ParseFromString(e.encoded) || !event.has_hardware_replacement()) continue;
    if (auto twin = twin_of_serial(w, event.hardware_replacement().serial())) {
      by_twin_.push_back({*twin, e.at_us});
    }
  }
  std::stable_sort(by_twin_.begin(), by_twin_.end(), [](const auto& a, const auto& b) {
    return std::tie(a.twin, a.at_us) < std::tie(b.twin, b.at_us);
  });
}

std::uint32_t replacement_schedule::generation_at(twin_index twin, std::int64_t at_us) const {
  auto lo = std::lower_bound(by_twin_.begin(), by_twin_.end(), twin,
                             [](const replacement& r, twin_index t) { return r.twin < t; });
  std::uint32_t generation = 0;
  for (; lo != by_twin_.end() && lo->twin == twin && lo->at_us <= at_us; ++lo) ++generation;
  return generation;
}

std::int64_t replacement_schedule::bound_from_us(twin_index twin, std::uint32_t generation) const {
  if (generation == 0) return 0;
  auto lo = std::lower_bound(by_twin_.begin(), by_twin_.end(), twin,
                             [](const replacement& r, twin_index t) { return r.twin < t; });
  for (std::uint32_t g = 1; lo != by_twin_.end() && lo->twin == twin; ++lo, ++g) {
    if (g == generation) return lo->at_us;
  }
  return -1;
}

}  // namespace twelvefold::actors
