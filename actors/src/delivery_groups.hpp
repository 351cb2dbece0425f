// Notes stored and their delivery latency per fleet and per region, for summary.json's
// per_fleet / per_region (docs/outputs.md): one latency histogram per group, nothing per twin.
// A twin counts in its home fleet (the scenario's; fleet moves do not re-attribute).
//
// Thread: one owner (the solution service).
#pragma once

#include <memory>
#include <vector>

#include "twelvefold/actors/latency_histogram.hpp"
#include "twelvefold/actors/services.hpp"
#include "twelvefold/actors/world.hpp"

namespace twelvefold::actors {

class delivery_groups {
 public:
  explicit delivery_groups(std::shared_ptr<const world> w);

  void add(twin_index twin, double latency_s);
  [[nodiscard]] std::vector<group_delivery> fleets() const { return summarise(fleets_); }
  [[nodiscard]] std::vector<group_delivery> regions() const { return summarise(regions_); }

 private:
  static std::vector<group_delivery> summarise(
      const std::vector<std::unique_ptr<latency_histogram>>& groups);

  std::shared_ptr<const world> world_;
  std::vector<std::unique_ptr<latency_histogram>> fleets_;   // index: fleet
  std::vector<std::unique_ptr<latency_histogram>> regions_;  // index: region
};

}  // namespace twelvefold::actors
