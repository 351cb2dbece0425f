// Radio access technologies and the infrastructure that serves them.
#pragma once

#include <cstdint>
#include <string_view>

#include "twelvefold/models/geo.hpp"

namespace twelvefold::models {

// Radio access technologies. The numeric values are stable (stored in twin stores).
enum class rat : std::uint8_t {
  lte_m = 0,    // 3GPP Cat-M1 (LTE-M)
  nb_iot = 1,   // 3GPP Cat-NB1/NB2
  gprs = 2,     // legacy 2G (GSM/GPRS)
  umts = 3,     // legacy 3G (UMTS/HSPA)
  wifi = 4,     // IEEE 802.11n 2.4 GHz
  lorawan = 5,  // LoRaWAN EU868
  ntn = 6,      // satellite non-terrestrial network (LEO)
};
inline constexpr int rat_count = 7;

// Stable lower-case names used in scenarios, summary.json and the twin store: "lte-m",
// "nb-iot", "gprs", "umts", "wifi", "lorawan", "ntn". parse_rat also accepts "2g" and "3g".
std::string_view rat_name(rat r);
bool parse_rat(std::string_view name, rat& out);

// Propagation environment of a region: chooses the ns-3 loss model and its parameters.
// `indoor` is urban propagation plus building penetration loss (devices inside buildings).
enum class environment_kind : std::uint8_t { urban, suburban, rural, indoor };
std::string_view environment_name(environment_kind e);
bool parse_environment(std::string_view name, environment_kind& out);

// A cell (LTE-M, NB-IoT, 2G, 3G), a Wi-Fi access point or a LoRaWAN gateway: a fixed site that
// serves one RAT. Defaults are for an LTE macro cell; make_radio_model() documents the
// per-RAT defaults callers should use when a scenario leaves a field out (default_site()).
struct cell_site {
  std::uint32_t id = 0;
  std::uint16_t operator_id = 0;  // index of the operator (network) running the site
  rat technology = rat::lte_m;
  geo_point position;
  double height_m = 30;
  double tx_power_dbm = 46;      // total eNB transmit power (3GPP TR 36.888 reference: 46 dBm)
  double frequency_mhz = 800;    // LTE band 20 downlink
  double antenna_gain_dbi = 15;  // sector antenna
};

}  // namespace twelvefold::models
