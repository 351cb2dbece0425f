#include "twelvefold/models/multilateration.hpp"

#include <algorithm>
#include <cmath>

#include "propagation.hpp"

namespace twelvefold::models {
namespace {

constexpr double ln10 = 2.302585092994046;
constexpr int max_iterations = 50;
constexpr double converged_m = 0.01;
constexpr double min_distance_m = 1.0;  // keeps the log finite when the solution hits a site

}  // namespace

ranging_site ranging_site_for(const cell_site& site, environment_kind environment,
                              const ranging_params& params) {
  ranging_site r;
  r.id = site.id;
  r.position = site.position;
  if (site.technology == rat::wifi) {
    // ITU-R P.1238 without floors, as the Wi-Fi model: 20 log10 f + N log10 d - 28.
    r.a_db = 20.0 * std::log10(site.frequency_mhz) - 28.0;
    r.b_db = params.wifi_distance_power_loss_coefficient;
    r.eirp_dbm = site.tx_power_dbm + site.antenna_gain_dbi;
    r.shadowing_sigma_db = params.wifi_shadowing_sigma_db;
    return r;
  }
  // Hata is exactly linear in log10(d): take its value at 1 km and its slope per decade.
  const double hb_m = std::max(site.height_m, detail::min_antenna_height_m);
  const double at_1km =
      detail::published_hata_db(environment, site.frequency_mhz, hb_m, params.ue_height_m, 1.0);
  const double at_10km =
      detail::published_hata_db(environment, site.frequency_mhz, hb_m, params.ue_height_m, 10.0);
  r.b_db = at_10km - at_1km;
  r.a_db = at_1km - 3.0 * r.b_db;  // log10(1000 m) = 3
  const bool per_resource_element = site.technology == rat::lte_m || site.technology == rat::nb_iot;
  r.eirp_dbm = site.tx_power_dbm + site.antenna_gain_dbi + params.ue_antenna_gain_dbi -
               (per_resource_element ? params.rsrp_offset_db : 0.0);
  r.shadowing_sigma_db = params.cell_shadowing_sigma_db;
  if (environment == environment_kind::indoor) {
    r.eirp_dbm -= detail::o2i_building_loss_db(site.frequency_mhz * 1e6);
    r.shadowing_sigma_db = std::hypot(r.shadowing_sigma_db, detail::o2i_sigma_db);
  }
  return r;
}

double predicted_rx_dbm(const ranging_site& site, const geo_point& where) {
  const double d_m = std::max(distance_m(site.position, where), min_distance_m);
  return site.eirp_dbm - (site.a_db + site.b_db * std::log10(d_m));
}

double range_from_rx_m(const ranging_site& site, double rx_dbm, double min_range_m) {
  const double loss_db = site.eirp_dbm - rx_dbm;
  const double d_m = std::pow(10.0, (loss_db - site.a_db) / site.b_db);
  return std::isfinite(d_m) ? std::max(d_m, min_range_m) : min_range_m;
}

range_measurement measure(const ranging_site& site, double rx_dbm, double min_range_m) {
  return {site.position, range_from_rx_m(site, rx_dbm, min_range_m),
          site.shadowing_sigma_db * ln10 / site.b_db};
}

position_estimate weighted_centroid(const std::vector<range_measurement>& ranges) {
  position_estimate out;
  if (ranges.empty()) return out;
  const geo_point reference = ranges.front().site;
  double sum_w = 0;
  double east = 0;
  double north = 0;
  double range_sum = 0;
  for (const range_measurement& m : ranges) {
    const double w = 1.0 / std::max(m.range_m * m.range_m, 1.0);
    const local_point p = to_local(reference, m.site);
    east += w * p.east_m;
    north += w * p.north_m;
    range_sum += w * m.range_m;
    sum_w += w;
  }
  out.ok = true;
  out.centroid = true;
  out.sites = static_cast<std::uint32_t>(ranges.size());
  out.position = to_geo(reference, {east / sum_w, north / sum_w});
  // The device is somewhere on the circles around the sites: their weighted radius is the
  // scale of the error (one site: the device is anywhere within its range).
  out.error_m = range_sum / sum_w;
  return out;
}

position_estimate multilaterate(const std::vector<range_measurement>& ranges) {
  if (ranges.size() < 3) return weighted_centroid(ranges);
  const position_estimate start = weighted_centroid(ranges);
  const geo_point reference = start.position;
  struct local_range {
    local_point site;
    double log_range = 0;
    double inv_sigma = 1;
  };
  std::vector<local_range> local;
  local.reserve(ranges.size());
  for (const range_measurement& m : ranges) {
    local.push_back({to_local(reference, m.site), std::log(std::max(m.range_m, min_distance_m)),
                     1.0 / std::max(m.log_sigma, 1e-6)});
  }
  // Normal equations at x: JtJ, Jt r and the cost sum r^2 (residuals normalised by sigma).
  struct normal_eq {
    double h00 = 0, h01 = 0, h11 = 0, g0 = 0, g1 = 0, cost = 0;
  };
  const auto build = [&local](double x, double y) {
    normal_eq n;
    for (const local_range& m : local) {
      const double dx = x - m.site.east_m;
      const double dy = y - m.site.north_m;
      const double d2 = std::max(dx * dx + dy * dy, min_distance_m * min_distance_m);
      const double r = (0.5 * std::log(d2) - m.log_range) * m.inv_sigma;
      const double j0 = dx / d2 * m.inv_sigma;
      const double j1 = dy / d2 * m.inv_sigma;
      n.h00 += j0 * j0;
      n.h01 += j0 * j1;
      n.h11 += j1 * j1;
      n.g0 += j0 * r;
      n.g1 += j1 * r;
      n.cost += r * r;
    }
    return n;
  };
  double x = 0;
  double y = 0;
  double lambda = 1e-3;
  normal_eq n = build(x, y);
  std::uint32_t iterations = 0;
  for (; iterations < max_iterations; ++iterations) {
    const double a = n.h00 * (1 + lambda);
    const double d = n.h11 * (1 + lambda);
    const double det = a * d - n.h01 * n.h01;
    if (!(std::abs(det) > 0)) break;
    const double step_x = -(d * n.g0 - n.h01 * n.g1) / det;
    const double step_y = -(a * n.g1 - n.h01 * n.g0) / det;
    const normal_eq next = build(x + step_x, y + step_y);
    if (next.cost <= n.cost) {
      x += step_x;
      y += step_y;
      n = next;
      lambda = std::max(lambda / 10, 1e-9);
      if (std::hypot(step_x, step_y) < converged_m) break;
    } else {
      lambda *= 10;
      if (lambda > 1e9) break;
    }
  }
  position_estimate out;
  const double det = n.h00 * n.h11 - n.h01 * n.h01;
  if (!(det > 0) || !std::isfinite(x) || !std::isfinite(y)) return start;  // degenerate geometry
  double variance_m2 = (n.h00 + n.h11) / det;                              // trace of (JtJ)^-1
  const std::size_t dof = local.size() - 2;
  // With redundancy, residuals larger than the model's sigma say the estimate is worse.
  if (dof >= 2) variance_m2 *= std::max(1.0, n.cost / static_cast<double>(dof));
  out.ok = true;
  out.position = to_geo(reference, {x, y});
  out.error_m = std::sqrt(variance_m2);
  out.sites = static_cast<std::uint32_t>(local.size());
  out.iterations = iterations;
  return out;
}

std::vector<scan_entry> simulate_scan(const std::vector<ranging_site>& sites,
                                      const geo_point& where, double sensitivity_dbm,
                                      std::size_t max_entries, double measurement_sigma_db,
                                      std::uint64_t seed, std::uint32_t twin,
                                      std::uint32_t scan_index) {
  std::vector<scan_entry> out;
  random_stream noise(seed, (static_cast<std::uint64_t>(scan_index) << 32) | twin,
                      stream_purpose::location_noise);
  for (const ranging_site& site : sites) {
    random_stream shadow(seed, (static_cast<std::uint64_t>(site.id) << 32) | twin,
                         stream_purpose::location_scan);
    const double rx_dbm = predicted_rx_dbm(site, where) +
                          shadow.normal(0, site.shadowing_sigma_db) +
                          noise.normal(0, measurement_sigma_db);
    if (!(rx_dbm >= sensitivity_dbm)) continue;
    out.push_back({site.id, static_cast<std::int32_t>(std::lround(rx_dbm))});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const scan_entry& a, const scan_entry& b) { return a.rx_dbm > b.rx_dbm; });
  if (out.size() > max_entries) out.resize(max_entries);
  return out;
}

}  // namespace twelvefold::models
