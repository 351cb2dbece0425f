// Delivery per fleet and region (see delivery_groups.hpp).
#include "delivery_groups.hpp"

namespace twelvefold::actors {

delivery_groups::delivery_groups(std::shared_ptr<const world> w) : world_(std::move(w)) {
  for (std::size_t f = 0; f < world_->fleets.size(); ++f) {
    fleets_.push_back(std::make_unique<latency_histogram>());
  }
  for (std::size_t g = 0; g < world_->regions.size(); ++g) {
    regions_.push_back(std::make_unique<latency_histogram>());
  }
}

void delivery_groups::add(twin_index twin, double latency_s) {
  // A world without fleets (unit tests of the service) has no groups to count in.
  if (twin >= world_->twins.size()) return;
  const std::uint32_t fleet = world_->twins[twin].fleet;
  if (fleet >= fleets_.size()) return;
  fleets_[fleet]->add(latency_s);
  const std::size_t region = world_->fleets[fleet].region;
  if (region < regions_.size()) regions_[region]->add(latency_s);
}

std::vector<group_delivery> delivery_groups::summarise(
    const std::vector<std::unique_ptr<latency_histogram>>& groups) {
  std::vector<group_delivery> out;
  out.reserve(groups.size());
  for (const auto& h : groups) {
    out.push_back({h->count(), h->quantile_s(0.50), h->quantile_s(0.90)});
  }
  return out;
}

}  // namespace twelvefold::actors
