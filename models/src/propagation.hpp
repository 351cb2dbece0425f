// Private to models/: path loss from fixed sites (cells, gateways, access points) to a device,
// computed by ns-3 propagation loss models used as pure calculators, plus the published closed
// forms they are calibrated and tested against. ns-3 types never appear here (this header is
// included by C++17 sources only, but keeps ns-3 behind a pointer all the same).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "twelvefold/models/geo.hpp"
#include "twelvefold/models/radio.hpp"

namespace twelvefold::models::detail {

// Thermal noise power spectral density kT at 290 K.
inline constexpr double thermal_noise_dbm_per_hz = -174.0;
inline constexpr double speed_of_light_m_per_s = 299'792'458.0;
// Hata needs positive antenna heights (log10); 1 m is the bottom of its validity range.
inline constexpr double min_antenna_height_m = 1.0;

double db_to_linear(double db);
// Noise power in `bandwidth_hz` behind a receiver of noise figure `noise_figure_db`, dBm.
double noise_floor_dbm(double bandwidth_hz, double noise_figure_db);

// ---- Published closed forms ----

// Friis free-space loss, dB (distance in m, frequency in Hz).
double free_space_loss_db(double distance_m, double frequency_hz);
// Okumura-Hata (Hata 1980) up to 1500 MHz, COST-231-Hata (COST 231 final report eq. 4.4.3)
// above, with the environment corrections of lte_m.cpp; `indoor` uses the urban (large city)
// form (the building loss is added separately). f in MHz, heights in m, distance in km.
double published_hata_db(environment_kind environment, double f_mhz, double hb_m, double hm_m,
                         double d_km);
// ITU-R P.1238 indoor site-general model: L = 20 log10(f_MHz) + N log10(d_m) + Lf(n) - 28.
double itu_p1238_loss_db(double f_mhz, double d_m, double distance_power_loss_coefficient,
                         double floor_penetration_db);
// Mean outdoor-to-indoor building loss, 3GPP TR 38.901 §7.4.3.1 low-loss model (standard
// multi-pane glass + concrete): PL_tw + mean PL_in. See propagation.cpp.
double o2i_building_loss_db(double frequency_hz);
// Standard deviation of the O2I loss around its mean (TR 38.901 Table 7.4.3-2, low loss).
inline constexpr double o2i_sigma_db = 4.4;

// ---- ns-3 site propagation ----

enum class terrain_model : std::uint8_t {
  hata,     // ns3::OkumuraHataPropagationLossModel (Hata / COST-231-Hata by frequency)
  cost231,  // ns3::Cost231PropagationLossModel (COST-231-Hata, 1500-2000 MHz)
  indoor,   // ns3::LogDistancePropagationLossModel parameterised as ITU-R P.1238
};

struct indoor_params {
  double distance_power_loss_coefficient = 30;  // N of ITU-R P.1238 (office, 2.4 GHz)
};

// Path loss from each site to a device. Each ns-3 model is calibrated once against the
// published closed form (their constant differences, see propagation.cpp); losses are floored
// at free space. Thread: not thread-safe (ns-3 objects, scratch device position).
class site_propagation {
 public:
  site_propagation(terrain_model terrain, environment_kind environment, geo_point center,
                   const std::vector<cell_site>& sites, double ue_height_m,
                   indoor_params indoor = {});
  ~site_propagation();
  site_propagation(const site_propagation&) = delete;
  site_propagation& operator=(const site_propagation&) = delete;

  // Moves the device; path_loss_db then refers to this position.
  void place_device(const geo_point& where) const;
  // Path loss between site `index` (as in the constructor's `sites`) and the device, dB.
  [[nodiscard]] double path_loss_db(std::size_t index) const;

 private:
  struct ns3_world;
  std::unique_ptr<ns3_world> world_;
};

// The best site of `technology` for a device at `where`: largest tx power + site antenna gain -
// path loss - extra_loss_db[i] (e.g. building loss per band; empty = none), among sites whose
// mask entry is true (an empty mask, or an index past its end, means up). Returns false when no
// site qualifies.
struct site_choice {
  std::size_t index = 0;
  double path_loss_db = 0;
};
bool best_site(const site_propagation& propagation, const std::vector<cell_site>& sites,
               const std::vector<double>& extra_loss_db, rat technology,
               const std::vector<bool>& site_up, const geo_point& where, site_choice& out);

}  // namespace twelvefold::models::detail
