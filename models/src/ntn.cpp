// Satellite NTN: Walker constellation geometry and the NB-IoT NTN link/session model; parameters
// and sources in ntn.hpp.
//
// Geometry: satellite k of plane p (P planes, S = T / P satellites each, the first T mod P
// planes holding one more) has right ascension of the ascending node 2 pi p / P and argument of
// latitude u0 = 2 pi j / S_p + 2 pi F p / T (Walker delta, F = 1) at the Unix epoch, advancing
// at the mean motion n = sqrt(mu / a^3). The Earth turns by the IERS Earth rotation angle
// ERA = 2 pi (0.7790572732640 + 1.00273781191135448 (JD_UT1 - 2451545.0)), with UT1 = UTC
// (< 1 s, i.e. < 8 km of ground track at LEO speeds). Spherical Earth, R = 6371 km.
//
// Link budget (TR 38.821 §6.1.3): uplink C/N = EIRP_UE - (FSPL + atmospheric + scintillation +
// polarisation + shadow margin + shadowing) + G/T + 228.6 - 10 log10(B); downlink received
// power = EIRP density x B - the same losses + UE gain. Free-space loss from ns-3
// FriisPropagationLossModel as a calculator at the slant range. Propagation delay: transparent
// payload, UE - satellite - gateway and back, ~4 x slant / c.
#include "twelvefold/models/ntn.hpp"

#include <ns3/constant-position-mobility-model.h>
#include <ns3/double.h>
#include <ns3/mobility-model.h>
#include <ns3/object.h>
#include <ns3/propagation-loss-model.h>
#include <ns3/vector.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "cellular.hpp"
#include "propagation.hpp"
#include "session_math.hpp"

namespace twelvefold::models {
namespace {

constexpr double pi = 3.14159265358979323846;
constexpr double two_pi = 2 * pi;
constexpr double deg = pi / 180.0;
constexpr double earth_radius_m = 6'371'000.0;
constexpr double earth_mu_m3_s2 = 3.986004418e14;  // WGS 84 GM
constexpr double boltzmann_dbw_per_k_hz = -228.6;
// Step of the pass search and the precision of its bisection. Setting times step by a minute:
// a satellite in view cannot set and rise again within one (it is back an orbit later).
constexpr std::int64_t pass_step_us = 10'000'000;
constexpr std::int64_t set_step_us = 60'000'000;
constexpr std::int64_t pass_precision_us = 100'000;
// A LEO pass never lasts longer than this (a 550 km orbit: ~10 min horizon to horizon).
constexpr std::int64_t max_pass_us = 60LL * 60 * 1'000'000;

double earth_rotation_angle_rad(std::int64_t utc_us) {
  const double days_since_j2000 = static_cast<double>(utc_us) / 86'400e6 - 10'957.5;
  const double turns =
      0.7790572732640 + 0.00273781191135448 * days_since_j2000 + std::fmod(days_since_j2000, 1.0);
  return two_pi * (turns - std::floor(turns));
}

}  // namespace

walker_constellation::walker_constellation(const constellation_spec& spec) : spec_(spec) {
  spec_.satellites = std::max(0, spec_.satellites);
  spec_.planes = std::max(1, std::min(spec_.planes, std::max(1, spec_.satellites)));
  semi_major_m_ = earth_radius_m + spec_.altitude_km * 1e3;
  mean_motion_rad_s_ = std::sqrt(earth_mu_m3_s2 / (semi_major_m_ * semi_major_m_ * semi_major_m_));
  cos_inclination_ = std::cos(spec_.inclination_deg * deg);
  sin_inclination_ = std::sin(spec_.inclination_deg * deg);
  // Walker delta T/P/1: the first T mod P planes hold one satellite more.
  const int total = spec_.satellites;
  const int planes = spec_.planes;
  const int base = total / planes;
  const int extra = total % planes;
  orbits_.reserve(static_cast<std::size_t>(total));
  for (int plane = 0; plane < planes; ++plane) {
    const int in_plane = base + (plane < extra ? 1 : 0);
    const double raan = two_pi * plane / planes;
    for (int slot = 0; slot < in_plane; ++slot) {
      orbit o;
      o.u0_rad = two_pi * slot / in_plane + two_pi * plane / std::max(1, total);
      o.cos_raan = std::cos(raan);
      o.sin_raan = std::sin(raan);
      orbits_.push_back(o);
    }
  }
}

double walker_constellation::period_s() const { return two_pi / mean_motion_rad_s_; }

void walker_constellation::ground_unit_vector(const geo_point& where, std::int64_t utc_us,
                                              double (&out)[3]) const {
  // The ground point in the inertial frame: its longitude advanced by the Earth rotation angle.
  const double lat = where.lat_deg * deg;
  const double lon = where.lon_deg * deg + earth_rotation_angle_rad(utc_us);
  out[0] = std::cos(lat) * std::cos(lon);
  out[1] = std::cos(lat) * std::sin(lon);
  out[2] = std::sin(lat);
}

double walker_constellation::sin_elevation(const orbit& o, const double (&ground)[3],
                                           double t_s) const {
  const double u = o.u0_rad + std::fmod(mean_motion_rad_s_ * t_s, two_pi);
  const double cu = std::cos(u);
  const double su = std::sin(u);
  const double sx = semi_major_m_ * (o.cos_raan * cu - o.sin_raan * su * cos_inclination_);
  const double sy = semi_major_m_ * (o.sin_raan * cu + o.cos_raan * su * cos_inclination_);
  const double sz = semi_major_m_ * su * sin_inclination_;
  const double dx = sx - earth_radius_m * ground[0];
  const double dy = sy - earth_radius_m * ground[1];
  const double dz = sz - earth_radius_m * ground[2];
  const double range = std::sqrt(dx * dx + dy * dy + dz * dz);
  return std::clamp((dx * ground[0] + dy * ground[1] + dz * ground[2]) / range, -1.0, 1.0);
}

double walker_constellation::elevation_deg(int index, const geo_point& where,
                                           std::int64_t utc_us) const {
  if (index < 0 || index >= static_cast<int>(orbits_.size())) return -90;
  double ground[3] = {};
  ground_unit_vector(where, utc_us, ground);
  const double t_s = static_cast<double>(utc_us) / 1e6;
  return std::asin(sin_elevation(orbits_[static_cast<std::size_t>(index)], ground, t_s)) / deg;
}

int walker_constellation::best_visible(const geo_point& where, std::int64_t utc_us,
                                       double* elevation_deg_out) const {
  double ground[3] = {};
  ground_unit_vector(where, utc_us, ground);
  const double t_s = static_cast<double>(utc_us) / 1e6;
  const double min_sin = std::sin(spec_.min_elevation_deg * deg);
  int best = -1;
  double best_sin = -2;
  for (std::size_t k = 0; k < orbits_.size(); ++k) {
    const double s = sin_elevation(orbits_[k], ground, t_s);
    if (s >= min_sin && s > best_sin) {
      best = static_cast<int>(k);
      best_sin = s;
    }
  }
  if (elevation_deg_out != nullptr) *elevation_deg_out = best < 0 ? -90 : std::asin(best_sin) / deg;
  return best;
}

std::int64_t walker_constellation::set_time_us(int index, const geo_point& where,
                                               std::int64_t utc_us) const {
  auto visible = [&](std::int64_t t) {
    return elevation_deg(index, where, t) >= spec_.min_elevation_deg;
  };
  std::int64_t lo = utc_us;  // visible
  std::int64_t hi = utc_us + set_step_us;
  while (visible(hi)) {
    lo = hi;
    hi += set_step_us;
    if (hi - utc_us > max_pass_us) return hi;  // not a LEO pass (e.g. geostationary spec)
  }
  while (hi - lo > pass_precision_us) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    (visible(mid) ? lo : hi) = mid;
  }
  return lo;
}

bool walker_constellation::next_pass(const geo_point& where, std::int64_t from_utc_us,
                                     std::int64_t horizon_us, satellite_pass& out) const {
  double el = 0;
  for (std::int64_t t = from_utc_us; t <= from_utc_us + horizon_us; t += pass_step_us) {
    const int k = best_visible(where, t, &el);
    if (k < 0) continue;
    // Refine the rise between the previous step and this one.
    std::int64_t lo = std::max(from_utc_us, t - pass_step_us);
    std::int64_t hi = t;
    if (elevation_deg(k, where, lo) >= spec_.min_elevation_deg) hi = lo;
    while (hi - lo > pass_precision_us) {
      const std::int64_t mid = lo + (hi - lo) / 2;
      (elevation_deg(k, where, mid) >= spec_.min_elevation_deg ? hi : lo) = mid;
    }
    out.satellite = k;
    out.start_utc_us = hi;
    out.end_utc_us = set_time_us(k, where, t);
    // Peak elevation: sample the pass at 1/50 of its length.
    double peak = el;
    const std::int64_t step = std::max<std::int64_t>(1, (out.end_utc_us - out.start_utc_us) / 50);
    for (std::int64_t s = out.start_utc_us; s <= out.end_utc_us; s += step) {
      peak = std::max(peak, elevation_deg(k, where, s));
    }
    out.max_elevation_deg = peak;
    return true;
  }
  return false;
}

double walker_constellation::slant_range_m(double elevation_deg_value) const {
  const double e = elevation_deg_value * deg;
  const double r = earth_radius_m;
  const double a = semi_major_m_;
  return std::sqrt(a * a - r * r * std::cos(e) * std::cos(e)) - r * std::sin(e);
}

double walker_constellation::reach_latitude_deg() const {
  // Earth central angle from the sub-satellite point to the edge of the footprint at the
  // minimum elevation: arccos(R cos(e) / a) - e.
  const double e = spec_.min_elevation_deg * deg;
  const double footprint = std::acos(earth_radius_m * std::cos(e) / semi_major_m_) - e;
  const double inclination =
      spec_.inclination_deg <= 90 ? spec_.inclination_deg : 180.0 - spec_.inclination_deg;
  return std::min(90.0, inclination + footprint / deg);
}

namespace {

class ntn_model final : public radio_model {
 public:
  ntn_model(const ntn_params& params, environment_kind environment,
            const constellation_spec& constellation)
      : p_(params),
        constellation_(constellation),
        power_{params.tx_current_ma, params.rx_current_ma, params.idle_current_ma,
               params.psm_current_ua} {
    friis_ = ns3::CreateObject<ns3::FriisPropagationLossModel>();
    friis_->SetAttribute("Frequency", ns3::DoubleValue(p_.frequency_mhz * 1e6));
    ground_ = ns3::CreateObject<ns3::ConstantPositionMobilityModel>();
    satellite_ = ns3::CreateObject<ns3::ConstantPositionMobilityModel>();
    fixed_losses_db_ = p_.atmospheric_loss_db + p_.scintillation_loss_db + p_.polarization_loss_db +
                       p_.shadow_margin_db;
    shadowing_sigma_db_ = p_.shadowing_sigma_db;
    if (environment == environment_kind::indoor) {
      fixed_losses_db_ += detail::o2i_building_loss_db(p_.frequency_mhz * 1e6);
      shadowing_sigma_db_ = std::hypot(p_.shadowing_sigma_db, detail::o2i_sigma_db);
    }
    // Downlink EIRP in the device's bandwidth, dBm.
    dl_eirp_dbm_ =
        p_.satellite_eirp_density_dbw_per_mhz + 10.0 * std::log10(p_.dl_bandwidth_hz / 1e6) + 30.0;
  }

  [[nodiscard]] rat technology() const override { return rat::ntn; }

  [[nodiscard]] link_budget best_link(const geo_point& where, double shadowing_db,
                                      const std::vector<bool>& /*site_up*/) const override {
    constexpr double inf = std::numeric_limits<double>::infinity();
    link_budget link;
    link.technology = rat::ntn;
    link.position = where;
    if (constellation_.satellites() <= 0) {
      link.path_loss_db = inf;
      link.coupling_loss_db = inf;
      link.rsrp_dbm = -inf;
      link.sinr_db = -inf;
      return link;
    }
    const double slant_m = constellation_.slant_range_m(constellation_.spec().min_elevation_deg);
    link.path_loss_db = free_space_db(slant_m);
    link.coupling_loss_db =
        link.path_loss_db + fixed_losses_db_ + shadowing_db - p_.ue_antenna_gain_dbi;
    fill_snr(link);
    if (std::abs(where.lat_deg) > constellation_.reach_latitude_deg()) return link;
    if (!usable(link)) return link;
    link.coverage = coverage_class::normal;
    return link;
  }

  [[nodiscard]] session_outcome run_session(const link_budget& link, const session_request& req,
                                            random_stream& rng) const override {
    session_outcome out;
    auto no_service = [&] {
      out.failure = session_failure::no_coverage;
      out.latency_us = detail::seconds_to_us(p_.no_satellite_scan_s);
      out.charge_mah = p_.rx_current_ma * p_.no_satellite_scan_s / detail::seconds_per_hour;
      return out;
    };
    if (link.coverage == coverage_class::none) return no_service();
    double elevation = 0;
    const int sat = constellation_.best_visible(link.position, req.utc_us, &elevation);
    if (sat < 0) return no_service();
    // The budget at the actual geometry: same shadowing and fixed losses, this slant range.
    const double slant_m = constellation_.slant_range_m(elevation);
    link_budget now = link;
    now.path_loss_db = friis_closed_form_db(slant_m);
    now.coupling_loss_db = link.coupling_loss_db - link.path_loss_db + now.path_loss_db;
    fill_snr(now);
    if (!usable(now)) return no_service();

    const int attempts = 1 + std::max(0, p_.max_retransmissions);
    const double ul_bler = block_error(now.sinr_db, p_.min_uplink_snr_db);
    double attach_s = 0;
    bool attached = false;
    for (int i = 0; i < attempts; ++i) {
      if (!rng.bernoulli(ul_bler)) {
        attach_s += p_.attach_latency_ms / 1e3;
        attached = true;
        break;
      }
      attach_s += p_.rach_retry_ms / 1e3;
    }
    const std::int64_t set_us = constellation_.set_time_us(sat, link.position, req.utc_us);
    const double visible_s = static_cast<double>(set_us - req.utc_us) / 1e6;
    if (!attached || attach_s > visible_s) {
      attach_s = std::min(attach_s, visible_s);
      out.failure = session_failure::attach_failed;
      out.latency_us = detail::seconds_to_us(attach_s);
      out.charge_mah = p_.rx_current_ma * attach_s / detail::seconds_per_hour;
      return out;
    }
    const double dl_bler = block_error(downlink_snr_db(now), p_.min_downlink_snr_db);
    const double ul_bits = (req.uplink_bytes + 0.5 * p_.session_overhead_bytes) * 8.0;
    const double dl_bits = (req.downlink_bytes + 0.5 * p_.session_overhead_bytes) * 8.0;
    const double ul_s =
        ul_bits / now.uplink_bps * detail::expected_transmissions(ul_bler, attempts);
    const double dl_s =
        dl_bits / now.downlink_bps * detail::expected_transmissions(dl_bler, attempts);
    const double ul_blocks = std::ceil(ul_bits / p_.transport_block_bits);
    const double dl_blocks = std::ceil(dl_bits / p_.transport_block_bits);
    const double p_delivered = std::pow(1.0 - std::pow(ul_bler, attempts), ul_blocks) *
                               std::pow(1.0 - std::pow(dl_bler, attempts), dl_blocks);
    bool delivered = !rng.bernoulli(1.0 - p_delivered);
    const double rtt_s =
        4.0 * slant_m / detail::speed_of_light_m_per_s + p_.ground_latency_ms / 1e3;
    double on_air_s = ul_s + dl_s;
    // The satellite sets before the transfer ends: what was left is lost with the link.
    if (attach_s + on_air_s + rtt_s > visible_s) {
      delivered = false;
      on_air_s = std::max(0.0, visible_s - attach_s);
    }
    const double used_ul_s = std::min(ul_s, on_air_s);
    const double used_dl_s = on_air_s - used_ul_s;
    const double wait_s = delivered ? rtt_s : 0.0;
    out.airtime_us = detail::seconds_to_us(on_air_s);
    out.latency_us = detail::seconds_to_us(attach_s + on_air_s + wait_s);
    out.charge_mah = (p_.tx_current_ma * used_ul_s + p_.rx_current_ma * (used_dl_s + attach_s) +
                      p_.idle_current_ma * (wait_s + p_.rrc_inactivity_s)) /
                     detail::seconds_per_hour;
    out.success = delivered;
    out.failure = delivered ? session_failure::none : session_failure::transfer_failed;
    return out;
  }

  // The reply follows within seconds of the uplink, inside the same pass: budgeted at the
  // minimum elevation (no time is given here).
  [[nodiscard]] session_outcome run_downlink(const link_budget& link, std::uint32_t bytes,
                                             random_stream& rng) const override {
    session_outcome out;
    if (link.coverage == coverage_class::none) {
      out.failure = session_failure::no_coverage;
      return out;
    }
    const int attempts = 1 + std::max(0, p_.max_retransmissions);
    const double dl_bler = block_error(downlink_snr_db(link), p_.min_downlink_snr_db);
    const double dl_bits = bytes * 8.0;
    const double dl_s =
        dl_bits / link.downlink_bps * detail::expected_transmissions(dl_bler, attempts);
    const double p_delivered =
        std::pow(1.0 - std::pow(dl_bler, attempts), std::ceil(dl_bits / p_.transport_block_bits));
    out.success = !rng.bernoulli(1.0 - p_delivered);
    out.failure = out.success ? session_failure::none : session_failure::transfer_failed;
    out.airtime_us = detail::seconds_to_us(dl_s);
    out.latency_us = out.airtime_us;
    out.charge_mah = p_.rx_current_ma * dl_s / detail::seconds_per_hour;
    return out;
  }

  [[nodiscard]] double sleep_charge_mah(std::int64_t duration_us) const override {
    return detail::sleep_charge(power_, duration_us);
  }
  [[nodiscard]] double shadowing_sigma_db() const override { return shadowing_sigma_db_; }
  [[nodiscard]] const power_profile& power() const override { return power_; }
  [[nodiscard]] std::uint32_t overhead_bytes_per_direction() const override {
    return static_cast<std::uint32_t>(p_.session_overhead_bytes / 2);
  }
  [[nodiscard]] bool packet_limited() const override { return true; }
  [[nodiscard]] std::uint32_t max_uplink_bytes(const link_budget& /*link*/) const override {
    return p_.max_message_bytes;
  }

 private:
  double free_space_db(double slant_m) const {
    ground_->SetPosition(ns3::Vector(0, 0, 0));
    satellite_->SetPosition(ns3::Vector(0, 0, slant_m));
    return -friis_->CalcRxPower(0.0, ground_, satellite_);
  }
  // Sessions may run off the ns-3 thread: the same Friis loss in closed form (the tests check
  // it against ns-3 to 1e-6 dB).
  double friis_closed_form_db(double slant_m) const {
    const double wavelength_m = detail::speed_of_light_m_per_s / (p_.frequency_mhz * 1e6);
    return 20.0 * std::log10(4.0 * pi * slant_m / wavelength_m);
  }
  double downlink_snr_db(const link_budget& link) const {
    return link.rsrp_dbm - detail::noise_floor_dbm(p_.dl_bandwidth_hz, p_.ue_noise_figure_db);
  }
  // Block errors as the NB-IoT curves: 10% at the lowest usable SNR, 1 dB wide.
  static double block_error(double snr_db, double min_snr_db) {
    return detail::logistic_block_error(snr_db, min_snr_db, 1.0);
  }
  bool usable(const link_budget& link) const {
    return link.sinr_db >= p_.min_uplink_snr_db && downlink_snr_db(link) >= p_.min_downlink_snr_db;
  }
  void fill_snr(link_budget& link) const {
    // Coupling loss already nets out the UE antenna gain; the satellite's gain is in its G/T
    // (uplink) and EIRP (downlink).
    link.sinr_db = p_.ue_tx_power_dbm - 30.0 - link.coupling_loss_db +
                   p_.satellite_g_over_t_db_per_k - boltzmann_dbw_per_k_hz -
                   10.0 * std::log10(p_.ul_bandwidth_hz);
    link.rsrp_dbm = dl_eirp_dbm_ - link.coupling_loss_db;
    link.uplink_bps = detail::shannon_rate_bps(p_.ul_bandwidth_hz, link.sinr_db,
                                               p_.implementation_factor, p_.peak_uplink_bps);
    link.downlink_bps = detail::shannon_rate_bps(p_.dl_bandwidth_hz, downlink_snr_db(link),
                                                 p_.implementation_factor, p_.peak_downlink_bps);
  }

  ntn_params p_;
  walker_constellation constellation_;
  power_profile power_;
  ns3::Ptr<ns3::PropagationLossModel> friis_;
  ns3::Ptr<ns3::ConstantPositionMobilityModel> ground_;
  ns3::Ptr<ns3::ConstantPositionMobilityModel> satellite_;
  double fixed_losses_db_ = 0;
  double shadowing_sigma_db_ = 0;
  double dl_eirp_dbm_ = 0;
};

}  // namespace

std::unique_ptr<radio_model> make_ntn_model(const ntn_params& params, environment_kind environment,
                                            const constellation_spec& constellation) {
  return std::make_unique<ntn_model>(params, environment, constellation);
}

}  // namespace twelvefold::models
