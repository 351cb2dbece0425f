// Chart helpers for the HTML report (report_html.cpp): axis ticks, number formatting and
// inline-SVG charts. Pure functions from data to markup: no I/O, no JavaScript, no fonts or
// images from elsewhere, so a report opens anywhere without a network.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace twelvefold::sim::report {

// Axis ticks on "nice" values (1, 2, 5 x 10^k steps) covering [lo, hi]: `lo`/`hi` are the
// rounded axis ends (lo <= data min, hi >= data max), `values` the ticks from lo to hi.
// A flat range (lo == hi) is widened so the axis still has a span; at most ~target+2 ticks.
struct ticks {
  double lo = 0;
  double hi = 1;
  double step = 1;
  std::vector<double> values;
};
ticks nice_ticks(double lo, double hi, int target = 5);

// Ticks for a time axis in seconds: steps of minutes, hours (1, 2, 3, 6, 12) or days.
ticks time_ticks(double lo_s, double hi_s, int target = 7);
// "30 min", "6 h", "1 d", "2 d 12 h": an offset from the run's start.
std::string time_label(double at_s);
// A duration for people: "850 ms", "12.5 s", "26 min", "3.2 h", "4.1 d".
std::string duration_text(double seconds);
// Compact numbers: 0.25, 12, 1,234, 12.3k, 4.5M (at most 3-4 significant digits).
std::string number_text(double v);
// Text safe inside HTML elements and attribute values.
std::string html_escape(std::string_view text);

// A colour per series, in a fixed order (Grafana-like, readable on white).
const std::string& palette(std::size_t i);

struct series {
  std::string name;
  std::string color;
  std::vector<double> y;  // one per x; NaN = no sample
};

// A line chart over simulated time (x in seconds since the start), optionally stacked areas.
// Hovering a sample shows every series' value (SVG <title>, no script).
struct time_chart {
  std::vector<double> x_s{};
  std::vector<series> lines{};
  bool stacked = false;
  bool fill = true;      // shade under lines (light) or full stacked areas
  bool bars = false;     // one bar per sample (per-hour counts) instead of lines
  std::string y_unit{};  // appended to tooltip values, e.g. "/s"
  int width = 620;
  int height = 240;
};
std::string time_chart_svg(const time_chart& chart);

// Categorical bars: one group per category, one bar per series in the group (or stacked).
struct bar_chart {
  std::vector<std::string> categories;
  std::vector<series> values;  // values[s].y[c]
  bool stacked = false;
  std::string x_title;
  int width = 620;
  int height = 240;
};
std::string bar_chart_svg(const bar_chart& chart);

// A histogram over log-spaced bins with vertical markers (e.g. p50/p90/p99).
struct log_histogram {
  struct bin {
    double lo = 0;
    double hi = 0;
    double count = 0;
  };
  struct marker {
    std::string label;
    double x = 0;
    std::string color;
  };
  std::vector<bin> bins;
  std::vector<marker> markers;
  std::string x_unit = "s";
  int width = 620;
  int height = 240;
};
std::string log_histogram_svg(const log_histogram& chart);

// A legend row (HTML) for the series.
std::string legend_html(const std::vector<series>& lines);

}  // namespace twelvefold::sim::report
