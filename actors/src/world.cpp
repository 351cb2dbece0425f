#include "twelvefold/actors/world.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>

namespace twelvefold::actors {

bool network_event::matches(std::size_t region_index, const models::cell_site& site) const {
  if (region >= 0 && static_cast<std::size_t>(region) != region_index) return false;
  if (technology >= 0 && technology != static_cast<std::int32_t>(site.technology)) return false;
  if (operator_id >= 0 && operator_id != static_cast<std::int32_t>(site.operator_id)) return false;
  if (!cells.empty() && std::find(cells.begin(), cells.end(), site.id) == cells.end()) return false;
  return true;
}

std::string world::serial_of(twin_index twin) const {
  const twin_spec& spec = twins[twin];
  char digits[16];
  std::snprintf(digits, sizeof digits, "%07u", spec.index_in_fleet + 1);
  return fleets[spec.fleet].serial_prefix + digits;
}

std::optional<twin_index> world::twin_of_serial(std::string_view serial) const {
  // Serials are a fleet's prefix and a 7-digit number (serial_of); prefixes may overlap, so
  // every fleet whose prefix fits is tried.
  for (const fleet_spec& fleet : fleets) {
    if (!serial.starts_with(fleet.serial_prefix)) continue;
    const std::string_view digits = serial.substr(fleet.serial_prefix.size());
    if (digits.size() != 7) continue;
    std::uint32_t number = 0;
    bool ok = true;
    for (char c : digits) {
      ok = ok && c >= '0' && c <= '9';
      number = number * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (ok && number >= 1 && number <= fleet.twin_count) return fleet.first_twin + number - 1;
  }
  return std::nullopt;
}

std::string world::device_id_of(twin_index twin) const {
  // 8-digit type allocation code of a fictitious Cat-M1 module, then a 7-digit number mixed
  // from the seed and the twin (bijective per seed, so ids never collide within a run).
  const std::uint64_t mixed = (static_cast<std::uint64_t>(twin) * 2654435761ULL + seed) % 10000000;
  char text[24];
  std::snprintf(text, sizeof text, "35%06u%07llu", 123456u, static_cast<unsigned long long>(mixed));
  return text;
}

}  // namespace twelvefold::actors
