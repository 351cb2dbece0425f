#include "location.hpp"

#include <cmath>
#include <string_view>

namespace twelvefold::actors {
namespace {

constexpr std::array<std::string_view, 5> kind_names = {"none", "gnss", "triangulated", "wifi",
                                                        "cell"};

std::int32_t to_e7(double deg) { return static_cast<std::int32_t>(std::lround(deg * 1e7)); }
models::geo_point from_e7(std::int32_t lat_e7, std::int32_t lon_e7) {
  return {lat_e7 / 1e7, lon_e7 / 1e7};
}

}  // namespace

location_service::location_service(const world& w, location_params params)
    : world_(w), params_(params), best_(w.twins.size()), regions_(w.regions.size()) {
  for (std::size_t g = 0; g < w.regions.size(); ++g) {
    const region_spec& region = w.regions[g];
    for (const models::cell_site& site : region.cells) {
      if (site.technology == models::rat::wifi) {
        regions_[g].aps.emplace(site.id, models::ranging_site_for(site, region.environment));
      } else if (site.technology != models::rat::lorawan && site.technology != models::rat::ntn) {
        regions_[g].cells.emplace(site.id, models::ranging_site_for(site, region.environment));
      }
    }
  }
}

models::position_estimate location_service::solve(
    const std::unordered_map<std::uint32_t, models::ranging_site>& sites,
    const std::vector<std::pair<std::uint32_t, double>>& entries) {
  std::vector<models::range_measurement> ranges;
  ranges.reserve(entries.size());
  for (const auto& [id, rx_dbm] : entries) {
    const auto it = sites.find(id);
    if (it == sites.end()) {
      ++unknown_sites_;
      continue;
    }
    ranges.push_back(models::measure(it->second, rx_dbm));
  }
  return models::multilaterate(ranges);
}

void location_service::on_uplink(twin_index twin, std::int64_t arrival_us,
                                 const wire::v1::SessionUplink& up) {
  if (twin >= best_.size()) return;
  if (up.has_gnss()) {
    const auto& g = up.gnss();
    // The age is in the device's counter seconds; a few ppm of drift are nothing here.
    const std::int64_t at_us = arrival_us - static_cast<std::int64_t>(g.age_s()) * 1'000'000;
    const models::geo_point where = from_e7(g.lat_e7(), g.lon_e7());
    if (std::abs(where.lat_deg) <= 90 && std::abs(where.lon_deg) <= 180 && g.accuracy_m() >= 0) {
      offer(twin, location_kind::gnss, where, g.accuracy_m(), at_us);
    }
  }
  if (up.cells_size() == 0 && up.aps_size() == 0) return;
  const region_db& db = regions_[world_.fleet_of(twin).region];
  std::vector<std::pair<std::uint32_t, double>> entries;
  models::position_estimate cell_fix;
  if (up.cells_size() > 0) {
    for (const auto& c : up.cells()) entries.emplace_back(c.cell_id(), c.rsrp_dbm());
    cell_fix = solve(db.cells, entries);
  }
  models::position_estimate wifi_fix;
  if (up.aps_size() > 0) {
    entries.clear();
    for (const auto& a : up.aps()) entries.emplace_back(a.site_id(), a.rssi_dbm());
    wifi_fix = solve(db.aps, entries);
  }
  // The scan gives one fix: the better of the two solutions.
  const bool use_wifi = wifi_fix.ok && (!cell_fix.ok || wifi_fix.error_m < cell_fix.error_m);
  if (use_wifi) {
    offer(twin, location_kind::wifi, wifi_fix.position, wifi_fix.error_m, arrival_us);
  } else if (cell_fix.ok) {
    offer(twin, cell_fix.centroid ? location_kind::cell : location_kind::triangulated,
          cell_fix.position, cell_fix.error_m, arrival_us);
  }
}

void location_service::offer(twin_index twin, location_kind kind, const models::geo_point& where,
                             double error_m, std::int64_t at_us) {
  kind_stats& stats = stats_[static_cast<std::size_t>(kind)];
  const double true_error_m = models::distance_m(where, world_.twins[twin].position);
  stats.true_error_m.add(true_error_m);
  stats.estimated_error_m.add(error_m);
  if (true_error_m <= error_m) ++stats.within_estimate;

  best_location& best = best_[twin];
  if (best.at_us >= 0) {
    const double age_s = std::max<double>(0, static_cast<double>(at_us - best.at_us) / 1e6);
    const double current_m = best.error_m + params_.staleness_m_per_s * age_s;
    if (error_m > current_m) return;
  }
  best.at_us = at_us;
  best.lat_e7 = to_e7(where.lat_deg);
  best.lon_e7 = to_e7(where.lon_deg);
  best.error_m = static_cast<float>(error_m);
  best.kind = kind;
  // The device knows its own GNSS fix; anything the cloud worked out goes down to it.
  best.to_send = kind != location_kind::gnss;
}

void location_service::fill_downlink(twin_index twin, wire::v1::SessionDownlink& down) {
  if (twin >= best_.size()) return;
  best_location& best = best_[twin];
  if (!best.to_send) return;
  best.to_send = false;
  auto* fix = down.mutable_location();
  fix->set_lat_e7(best.lat_e7);
  fix->set_lon_e7(best.lon_e7);
  fix->set_error_m(best.error_m);
  fix->set_kind(static_cast<std::uint32_t>(best.kind));
}

location_totals location_service::totals() const {
  location_totals t;
  for (std::size_t k = 1; k < stats_.size(); ++k) {
    const kind_stats& s = stats_[k];
    if (s.true_error_m.count() == 0) continue;
    location_kind_totals kt;
    kt.kind = std::string(kind_names[k]);
    kt.count = s.true_error_m.count();
    kt.error_p50_m = s.true_error_m.quantile(0.50);
    kt.error_p90_m = s.true_error_m.quantile(0.90);
    kt.error_p99_m = s.true_error_m.quantile(0.99);
    kt.estimated_error_p50_m = s.estimated_error_m.quantile(0.50);
    kt.within_estimate = static_cast<double>(s.within_estimate) / static_cast<double>(kt.count);
    t.by_kind.push_back(std::move(kt));
  }
  log_histogram best_error;
  for (twin_index twin = 0; twin < best_.size(); ++twin) {
    const best_location& b = best_[twin];
    if (b.at_us < 0) {
      ++t.twins_unlocated;
      continue;
    }
    ++t.twins_located;
    best_error.add(models::distance_m(from_e7(b.lat_e7, b.lon_e7), world_.twins[twin].position));
  }
  t.best_error_p50_m = best_error.quantile(0.50);
  t.best_error_p90_m = best_error.quantile(0.90);
  t.unknown_sites = unknown_sites_;
  return t;
}

std::string_view location_kind_name(location_kind kind) {
  return kind_names[static_cast<std::size_t>(kind)];
}

}  // namespace twelvefold::actors
