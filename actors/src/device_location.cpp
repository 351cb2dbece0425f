#include "device_location.hpp"

#include <algorithm>
#include <cmath>

namespace twelvefold::actors {
namespace {

bool cellular(models::rat r) {
  return r == models::rat::lte_m || r == models::rat::nb_iot || r == models::rat::gprs ||
         r == models::rat::umts;
}

std::int32_t to_e7(double deg) { return static_cast<std::int32_t>(std::lround(deg * 1e7)); }

}  // namespace

device_location::device_location(const world& w) : world_(w) {
  regions_.resize(w.regions.size());
  for (std::size_t g = 0; g < w.regions.size(); ++g) {
    const region_spec& region = w.regions[g];
    for (const models::cell_site& site : region.cells) {
      if (site.technology == models::rat::wifi) {
        regions_[g].aps.push_back(models::ranging_site_for(site, region.environment));
      } else if (cellular(site.technology)) {
        regions_[g].cells.push_back(models::ranging_site_for(site, region.environment));
        regions_[g].cell_rat.push_back(static_cast<std::uint8_t>(site.technology));
      }
    }
  }
}

twin_location_state device_location::initial_state(twin_index twin) const {
  twin_location_state s;
  s.drift_ppm = static_cast<float>(models::clock_drift_ppm({}, world_.seed, twin));
  return s;
}

bool device_location::read_gnss(twin_index twin, std::string_view name, bool powered,
                                std::int64_t now_us, twin_location_state& state, double& value,
                                double& charge_mah) const {
  charge_mah = 0;
  if (name != "gnss_ok" && name != "gnss_lat" && name != "gnss_lon") return false;
  if (!powered) {
    // The receiver is off (card.location.mode off): no fix, nothing drawn.
    value = 0;
    return true;
  }
  if (state.attempt_us != now_us) {
    state.attempt_us = now_us;
    const twin_spec& spec = world_.twins[twin];
    const models::environment_kind env = world_.regions[world_.fleet_of(twin).region].environment;
    models::random_stream rng(world_.seed,
                              (static_cast<std::uint64_t>(now_us / 1'000'000) << 32) | twin,
                              models::stream_purpose::gnss);
    const double since_s = state.fix_us < 0 ? -1.0 : (now_us - state.fix_us) / 1e6;
    const models::gnss_fix fix = models::attempt_gnss_fix(gnss_, env, spec.position, since_s, rng);
    charge_mah = fix.charge_mah;
    state.fix_ok = fix.available;
    if (fix.available) {
      state.fix_us = now_us;
      state.lat_e7 = to_e7(fix.position.lat_deg);
      state.lon_e7 = to_e7(fix.position.lon_deg);
      state.accuracy_m = static_cast<float>(fix.accuracy_m);
      state.fix_pending = true;
    }
  }
  if (name == "gnss_ok") {
    value = state.fix_ok ? 1.0 : 0.0;
  } else if (!state.fix_ok) {
    value = 0;
  } else {
    value = (name == "gnss_lat" ? state.lat_e7 : state.lon_e7) / 1e7;
  }
  return true;
}

void device_location::fill_uplink(twin_index twin, const twin_location_state& state, bool scan,
                                  std::uint64_t scan_index, std::int64_t now_us,
                                  uplink_fields& fields) const {
  const twin_spec& spec = world_.twins[twin];
  fields.clock_drift_ppm = state.drift_ppm;
  fields.local_ms = static_cast<std::uint64_t>(
      models::local_elapsed_us(std::max<std::int64_t>(0, now_us - spec.boot_us), state.drift_ppm) /
      1000);
  if (state.fix_pending && state.fix_us >= 0) {
    uplink_gnss_fix& g = fields.gnss.emplace();
    g.lat_e7 = state.lat_e7;
    g.lon_e7 = state.lon_e7;
    g.accuracy_m = state.accuracy_m;
    g.age_s = static_cast<std::uint32_t>(
        models::local_elapsed_us(now_us - state.fix_us, state.drift_ppm) / 1'000'000);
  }
  if (!scan) return;
  const region_sites& sites = regions_[world_.fleet_of(twin).region];
  const auto& rats = world_.model_of(twin).rats;
  // The modem measures the bands of the RATs it has; a cell+Wi-Fi module also lists APs.
  std::vector<models::ranging_site> bands;
  for (std::size_t i = 0; i < sites.cells.size(); ++i) {
    if (std::find(rats.begin(), rats.end(), static_cast<models::rat>(sites.cell_rat[i])) !=
        rats.end()) {
      bands.push_back(sites.cells[i]);
    }
  }
  const auto index = static_cast<std::uint32_t>(scan_index);
  for (const models::scan_entry& e :
       models::simulate_scan(bands, spec.position, scan_.cell_sensitivity_dbm, scan_.max_cells,
                             scan_.measurement_sigma_db, world_.seed, twin, index)) {
    fields.cells.push_back({e.site_id, e.rx_dbm});
  }
  for (const models::scan_entry& e :
       models::simulate_scan(sites.aps, spec.position, scan_.wifi_sensitivity_dbm, scan_.max_aps,
                             scan_.measurement_sigma_db, world_.seed, twin, index | 0x8000'0000u)) {
    fields.aps.push_back({e.site_id, e.rx_dbm});
  }
}

}  // namespace twelvefold::actors
