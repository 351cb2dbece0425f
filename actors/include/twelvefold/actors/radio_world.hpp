// The network actor's view of the radio infrastructure over time: one radio model per region
// and RAT, and the state of every site (radio up, backhaul up, sunset). Timeline events
// (sunsets, outages) change site state; every change bumps the topology epoch so that cached
// link budgets know to recompute.
//
// Thread: owned by the network actor (the ns-3 objects inside the models are not thread-safe).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "twelvefold/actors/world.hpp"
#include "twelvefold/models/radio_model.hpp"

namespace twelvefold::actors {

class radio_world {
 public:
  explicit radio_world(const world& w);

  // The model of `technology` in `region`, or null when the region has no site of it (and, for
  // NTN, the scenario no constellation).
  [[nodiscard]] const models::radio_model* model(std::size_t region, models::rat technology) const;
  // Radio-up mask of the region's sites of `technology`, in the order the model was given.
  [[nodiscard]] const std::vector<bool>& site_up(std::size_t region, models::rat technology) const;
  // False while an outage cuts the site's backhaul (the radio works, nothing reaches the cloud).
  [[nodiscard]] bool backhaul_up(std::size_t region, models::rat technology,
                                 std::uint32_t cell_id) const;
  [[nodiscard]] std::uint64_t topology_epoch() const { return epoch_; }
  // Sites of `technology` in `region` that are up now / exist at all (sunset sites excluded).
  [[nodiscard]] std::size_t sites_up(std::size_t region, models::rat technology) const;

  // Applies a sunset or outage edge. Returns how many sites it changed.
  std::size_t apply(const network_event& event);

 private:
  struct rat_sites {
    std::unique_ptr<models::radio_model> model;
    std::vector<models::cell_site> sites;
    std::vector<std::uint16_t> radio_outages;     // outages currently holding the radio down
    std::vector<std::uint16_t> backhaul_outages;  // outages currently cutting the backhaul
    std::vector<bool> sunset;
    std::vector<bool> up;  // !sunset && radio_outages == 0
  };
  void refresh_up(rat_sites& r, std::size_t i);

  std::vector<std::array<rat_sites, models::rat_count>> regions_;
  std::uint64_t epoch_ = 1;
};

}  // namespace twelvefold::actors
