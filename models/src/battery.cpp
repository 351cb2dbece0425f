// Batteries: voltage curves and projected life (see battery.hpp).
//
// Curves are loaded voltage against state of charge at the moderate drains of IoT devices,
// piecewise-linear through points read off the manufacturers' discharge curves:
//   li-socl2: Li-SOCl2 bobbin cell (Saft LS 14500 / LS 33600, Tadiran TL-5903 datasheets):
//             ~3.65 V fresh, a long plateau near 3.6 V, a knee below 10-20%, a steep end.
//   alkaline: one Zn-MnO2 AA cell (Energizer E91 datasheet, ~25 mA continuous): 1.55 V fresh,
//             a steady slope through 1.2 V, 0.9 V at the usual cut-off.
//   lipo:     one Li-ion polymer cell (1S): 4.2 V charged, ~3.7 V over most of the range,
//             3.0 V at the protection cut-off.
// Self-discharge per year (fraction of nominal capacity): Li-SOCl2 under 1% (Saft), alkaline
// ~2% (ten-year shelf life to ~80%), LiPo ~2% per month with its protection circuit.
#include "twelvefold/models/battery.hpp"

#include <cstddef>
#include <iterator>
#include <limits>

namespace twelvefold::models {
namespace {

struct voltage_knot {
  double soc;
  double volts;
};

constexpr voltage_knot li_socl2_curve[] = {
    {0.00, 2.00}, {0.05, 3.30}, {0.10, 3.50}, {0.20, 3.60}, {0.90, 3.62}, {1.00, 3.65},
};
constexpr voltage_knot alkaline_curve[] = {
    {0.00, 0.90}, {0.05, 1.00}, {0.10, 1.08}, {0.30, 1.18},
    {0.60, 1.28}, {0.90, 1.42}, {1.00, 1.55},
};
constexpr voltage_knot lipo_curve[] = {
    {0.00, 3.00}, {0.05, 3.45}, {0.10, 3.60}, {0.20, 3.70},
    {0.50, 3.80}, {0.80, 3.95}, {1.00, 4.20},
};

constexpr double li_socl2_self_discharge_per_year = 0.01;
constexpr double alkaline_self_discharge_per_year = 0.02;
constexpr double lipo_self_discharge_per_year = 0.24;

template <std::size_t N>
double interpolate(const voltage_knot (&curve)[N], double soc) {
  if (!(soc > 0)) soc = 0;  // also maps NaN to empty
  if (soc > 1) soc = 1;
  for (std::size_t i = 1; i < N; ++i) {
    const voltage_knot& lo = curve[i - 1];
    const voltage_knot& hi = curve[i];
    if (soc <= hi.soc) {
      const double t = (soc - lo.soc) / (hi.soc - lo.soc);
      return lo.volts + t * (hi.volts - lo.volts);
    }
  }
  return curve[N - 1].volts;
}

double self_discharge_per_year(battery_kind kind) {
  switch (kind) {
    case battery_kind::li_socl2:
      return li_socl2_self_discharge_per_year;
    case battery_kind::alkaline:
      return alkaline_self_discharge_per_year;
    case battery_kind::lipo:
      return lipo_self_discharge_per_year;
  }
  return 0;
}

constexpr double us_per_year = 365.25 * 24 * 3600 * 1e6;

}  // namespace

std::string_view battery_kind_name(battery_kind k) {
  switch (k) {
    case battery_kind::li_socl2:
      return "li-socl2";
    case battery_kind::alkaline:
      return "alkaline";
    case battery_kind::lipo:
      return "lipo";
  }
  return "unknown";
}

bool parse_battery_kind(std::string_view name, battery_kind& out) {
  for (auto k : {battery_kind::li_socl2, battery_kind::alkaline, battery_kind::lipo}) {
    if (name == battery_kind_name(k)) {
      out = k;
      return true;
    }
  }
  return false;
}

double battery_voltage_v(battery_kind kind, double soc) {
  switch (kind) {
    case battery_kind::li_socl2:
      return interpolate(li_socl2_curve, soc);
    case battery_kind::alkaline:
      return interpolate(alkaline_curve, soc);
    case battery_kind::lipo:
      return interpolate(lipo_curve, soc);
  }
  return 0;
}

double projected_life_years(battery_kind kind, double capacity_mah, double used_mah,
                            std::int64_t observed_us) {
  if (!(capacity_mah > 0)) return 0;
  const double drain_mah_per_year =
      observed_us > 0 && used_mah > 0 ? used_mah / (static_cast<double>(observed_us) / us_per_year)
                                      : 0.0;
  const double self_mah_per_year = self_discharge_per_year(kind) * capacity_mah;
  const double total = drain_mah_per_year + self_mah_per_year;
  if (!(total > 0)) return std::numeric_limits<double>::infinity();
  return capacity_mah / total;
}

}  // namespace twelvefold::models
