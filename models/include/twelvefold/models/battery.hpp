// Batteries: capacity, the voltage curve of the chemistry, and projected life.
#pragma once

#include <cstdint>
#include <string_view>

namespace twelvefold::models {

enum class battery_kind : std::uint8_t { li_socl2, alkaline, lipo };
std::string_view battery_kind_name(battery_kind k);  // "li-socl2", "alkaline", "lipo"
bool parse_battery_kind(std::string_view name, battery_kind& out);

// Loaded voltage of one cell at state of charge `soc` (0..1, clamped; NaN = empty) for the
// chemistry (piecewise-linear curves from the datasheets cited in battery.cpp: Saft LS 33600,
// Energizer E91, a 1S LiPo). Packs of cells in series multiply it.
double battery_voltage_v(battery_kind kind, double soc);

// Years a battery of `capacity_mah` lasts at the average drain observed: `used_mah` over
// `observed_us` (with the self-discharge of the chemistry per year added). Infinite with no
// drain at all; 0 for a battery without capacity.
double projected_life_years(battery_kind kind, double capacity_mah, double used_mah,
                            std::int64_t observed_us);

}  // namespace twelvefold::models
