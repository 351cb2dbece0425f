#include "twelvefold/actors/radio_world.hpp"

#include <algorithm>

namespace twelvefold::actors {

radio_world::radio_world(const world& w) : regions_(w.regions.size()) {
  for (std::size_t g = 0; g < w.regions.size(); ++g) {
    const region_spec& region = w.regions[g];
    for (int r = 0; r < models::rat_count; ++r) {
      const auto technology = static_cast<models::rat>(r);
      rat_sites& rs = regions_[g][static_cast<std::size_t>(r)];
      for (const models::cell_site& site : region.cells) {
        if (site.technology == technology) rs.sites.push_back(site);
      }
      const bool satellite = technology == models::rat::ntn && w.constellation.has_value();
      if (rs.sites.empty() && !satellite) continue;
      rs.model = models::make_radio_model(technology, region.environment, region.center, rs.sites,
                                          w.constellation.value_or(models::constellation_spec{}));
      rs.radio_outages.assign(rs.sites.size(), 0);
      rs.backhaul_outages.assign(rs.sites.size(), 0);
      rs.sunset.assign(rs.sites.size(), false);
      rs.up.assign(rs.sites.size(), true);
    }
  }
}

const models::radio_model* radio_world::model(std::size_t region, models::rat technology) const {
  return regions_[region][static_cast<std::size_t>(technology)].model.get();
}

const std::vector<bool>& radio_world::site_up(std::size_t region, models::rat technology) const {
  return regions_[region][static_cast<std::size_t>(technology)].up;
}

bool radio_world::backhaul_up(std::size_t region, models::rat technology,
                              std::uint32_t cell_id) const {
  const rat_sites& rs = regions_[region][static_cast<std::size_t>(technology)];
  for (std::size_t i = 0; i < rs.sites.size(); ++i) {
    if (rs.sites[i].id == cell_id) return rs.backhaul_outages[i] == 0;
  }
  return true;  // satellites (no sites) have their own ground segment
}

std::size_t radio_world::sites_up(std::size_t region, models::rat technology) const {
  const auto& up = site_up(region, technology);
  return static_cast<std::size_t>(std::count(up.begin(), up.end(), true));
}

void radio_world::refresh_up(rat_sites& r, std::size_t i) {
  r.up[i] = !r.sunset[i] && r.radio_outages[i] == 0;
}

std::size_t radio_world::apply(const network_event& event) {
  std::size_t changed = 0;
  for (std::size_t g = 0; g < regions_.size(); ++g) {
    for (rat_sites& rs : regions_[g]) {
      for (std::size_t i = 0; i < rs.sites.size(); ++i) {
        if (!event.matches(g, rs.sites[i])) continue;
        ++changed;
        switch (event.what) {
          case network_event::kind::sunset:
            rs.sunset[i] = true;
            break;
          case network_event::kind::outage_begin:
            ++(event.backhaul_only ? rs.backhaul_outages[i] : rs.radio_outages[i]);
            break;
          case network_event::kind::outage_end: {
            auto& count = event.backhaul_only ? rs.backhaul_outages[i] : rs.radio_outages[i];
            if (count > 0) --count;
            break;
          }
        }
        refresh_up(rs, i);
      }
    }
  }
  if (changed > 0) ++epoch_;
  return changed;
}

}  // namespace twelvefold::actors
