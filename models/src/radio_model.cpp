// The per-RAT model factory and site defaults (see radio_model.hpp).
#include "twelvefold/models/radio_model.hpp"

#include <utility>

#include "twelvefold/models/gprs.hpp"
#include "twelvefold/models/lorawan.hpp"
#include "twelvefold/models/lte_m.hpp"
#include "twelvefold/models/nb_iot.hpp"
#include "twelvefold/models/ntn.hpp"
#include "twelvefold/models/umts.hpp"
#include "twelvefold/models/wifi.hpp"

namespace twelvefold::models {

std::unique_ptr<radio_model> make_radio_model(rat technology, environment_kind environment,
                                              geo_point region_center, std::vector<cell_site> sites,
                                              const constellation_spec& constellation) {
  switch (technology) {
    case rat::lte_m:
      return std::make_unique<lte_m_model>(lte_m_params{}, environment, region_center,
                                           std::move(sites));
    case rat::nb_iot:
      return make_nb_iot_model(nb_iot_params{}, environment, region_center, std::move(sites));
    case rat::gprs:
      return make_gprs_model(gprs_params{}, environment, region_center, std::move(sites));
    case rat::umts:
      return make_umts_model(umts_params{}, environment, region_center, std::move(sites));
    case rat::wifi:
      return make_wifi_model(wifi_params{}, environment, region_center, std::move(sites));
    case rat::lorawan:
      return make_lorawan_model(lorawan_params{}, environment, region_center, std::move(sites));
    case rat::ntn:
      return make_ntn_model(ntn_params{}, environment, constellation);
  }
  return nullptr;
}

cell_site default_site(rat technology) {
  cell_site s;
  s.technology = technology;
  switch (technology) {
    case rat::lte_m:
    case rat::nb_iot:
      // LTE band 20 macro cell (TR 36.888 / TR 45.820 reference: 46 dBm, sector antenna);
      // NB-IoT in-band on the same carrier.
      s.height_m = 30;
      s.tx_power_dbm = 46;
      s.frequency_mhz = 800;
      s.antenna_gain_dbi = 15;
      break;
    case rat::gprs:
      // GSM 900 macro BTS: one 20 W TRX, sector antenna.
      s.height_m = 30;
      s.tx_power_dbm = 43;
      s.frequency_mhz = 900;
      s.antenna_gain_dbi = 15;
      break;
    case rat::umts:
      // UMTS band I NodeB, 20 W (COST-231-Hata is published up to 2000 MHz; 2100 MHz is the
      // usual planning extrapolation).
      s.height_m = 30;
      s.tx_power_dbm = 43;
      s.frequency_mhz = 2100;
      s.antenna_gain_dbi = 15;
      break;
    case rat::wifi:
      // Indoor access point on 2.4 GHz channel 6: 20 dBm (the EU 100 mW EIRP limit), ceiling
      // or wall height, small omni antenna.
      s.height_m = 2.5;
      s.tx_power_dbm = 20;
      s.frequency_mhz = 2437;
      s.antenna_gain_dbi = 2;
      break;
    case rat::lorawan:
      // Outdoor gateway on a mast or rooftop, 868.1 MHz, fiberglass omni; 14 dBm in RX1.
      s.height_m = 30;
      s.tx_power_dbm = 14;
      s.frequency_mhz = 868.1;
      s.antenna_gain_dbi = 3;
      break;
    case rat::ntn:
      // Satellites come from the constellation; a site is only a placeholder.
      s.height_m = 0;
      s.tx_power_dbm = 0;
      s.frequency_mhz = 2000;
      s.antenna_gain_dbi = 0;
      break;
  }
  return s;
}

}  // namespace twelvefold::models
