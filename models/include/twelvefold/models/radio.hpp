// Radio access technologies and the infrastructure that serves them.
#pragma once

#include <cstdint>
#include <string_view>

#include "twelvefold/models/geo.hpp"

namespace twelvefold::models {

enum class rat : std::uint8_t { lte_m = 0 };
inline constexpr int rat_count = 1;

// Stable lower-case names used in scenarios, summary.json and the twin store ("lte-m").
std::string_view rat_name(rat r);
bool parse_rat(std::string_view name, rat& out);

// Propagation environment of a region: chooses the ns-3 loss model and its parameters.
enum class environment_kind : std::uint8_t { urban, suburban, rural };
std::string_view environment_name(environment_kind e);
bool parse_environment(std::string_view name, environment_kind& out);

struct cell_site {
  std::uint32_t id = 0;
  rat technology = rat::lte_m;
  geo_point position;
  double height_m = 30;
  double tx_power_dbm = 46;      // total eNB transmit power (3GPP TR 36.888 reference: 46 dBm)
  double frequency_mhz = 800;    // LTE band 20 downlink
  double antenna_gain_dbi = 15;  // sector antenna
};

}  // namespace twelvefold::models
