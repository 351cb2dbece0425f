// Inline-SVG charts for report.html (see report_svg.hpp). Markup is built with plain string
// appends: a chart is a few hundred elements at most (hover targets are thinned beyond 720
// samples), whatever the fleet size, since every input is already aggregated.
#include "report_svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace twelvefold::sim::report {
namespace {

constexpr int margin_left = 58;
constexpr int margin_right = 16;
constexpr int margin_top = 14;
constexpr int margin_bottom = 30;

std::string fmt(const char* format, double v) {
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

// Coordinates with one decimal: enough for a screen, keeps files small.
std::string px(double v) { return fmt("%.1f", v); }

// nice_num from Heckbert, "Nice numbers for graph labels" (Graphics Gems, 1990): the closest
// (round) or next larger (!round) of 1, 2, 5 x 10^k.
double nice_num(double x, bool round) {
  const double exponent = std::floor(std::log10(x));
  const double power = std::pow(10.0, exponent);
  const double f = x / power;
  double nf = 10;
  if (round) {
    nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  } else {
    nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  }
  return nf * power;
}

struct plot_area {
  double x0, y0, w, h;  // the data rectangle in pixels
};

plot_area area_of(int width, int height) {
  return {static_cast<double>(margin_left), static_cast<double>(margin_top),
          static_cast<double>(width - margin_left - margin_right),
          static_cast<double>(height - margin_top - margin_bottom)};
}

std::string svg_open(int width, int height, const std::string& label) {
  return "<svg class=\"chart\" viewBox=\"0 0 " + std::to_string(width) + " " +
         std::to_string(height) + "\" role=\"img\" aria-label=\"" + html_escape(label) + "\">";
}

// Horizontal grid lines and y labels for ticks `t` mapped onto the plot area.
std::string y_grid(const ticks& t, const plot_area& a, const std::string& unit = "") {
  std::string out;
  for (const double v : t.values) {
    const double y = a.y0 + a.h - (v - t.lo) / (t.hi - t.lo) * a.h;
    out += "<line class=\"grid\" x1=\"" + px(a.x0) + "\" x2=\"" + px(a.x0 + a.w) + "\" y1=\"" +
           px(y) + "\" y2=\"" + px(y) + "\"/>";
    out += "<text class=\"tick\" x=\"" + px(a.x0 - 6) + "\" y=\"" + px(y + 3.5) +
           "\" text-anchor=\"end\">" + html_escape(number_text(v) + unit) + "</text>";
  }
  return out;
}

std::string x_tick(double x, const plot_area& a, const std::string& label) {
  return "<line class=\"axis\" x1=\"" + px(x) + "\" x2=\"" + px(x) + "\" y1=\"" + px(a.y0 + a.h) +
         "\" y2=\"" + px(a.y0 + a.h + 4) + "\"/><text class=\"tick\" x=\"" + px(x) + "\" y=\"" +
         px(a.y0 + a.h + 17) + "\" text-anchor=\"middle\">" + html_escape(label) + "</text>";
}

std::string baseline(const plot_area& a) {
  return "<line class=\"axis\" x1=\"" + px(a.x0) + "\" x2=\"" + px(a.x0 + a.w) + "\" y1=\"" +
         px(a.y0 + a.h) + "\" y2=\"" + px(a.y0 + a.h) + "\"/>";
}

std::string value_text(double v, const std::string& unit) {
  if (std::isnan(v)) return "-";
  return number_text(v) + unit;
}

}  // namespace

ticks nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) {
    const double pad = lo == 0 ? 1 : std::abs(lo) * 0.5;
    if (lo == 0) {
      hi = 1;
    } else if (lo > 0) {
      lo = 0;  // a flat positive series reads best from zero
    } else {
      hi = 0;
    }
    (void)pad;
  }
  target = std::max(target, 2);
  ticks t;
  t.step = nice_num((hi - lo) / target, true);
  t.lo = std::floor(lo / t.step) * t.step;
  t.hi = std::ceil(hi / t.step) * t.step;
  const int count = static_cast<int>(std::llround((t.hi - t.lo) / t.step));
  for (int i = 0; i <= count; ++i) {
    double v = t.lo + i * t.step;
    v = std::round(v / t.step) * t.step;  // no 0.30000000000000004
    if (std::abs(v) < t.step * 1e-9) v = 0;
    t.values.push_back(v);
  }
  return t;
}

ticks time_ticks(double lo_s, double hi_s, int target) {
  if (!std::isfinite(lo_s) || !std::isfinite(hi_s)) lo_s = 0, hi_s = 3600;
  if (hi_s < lo_s) std::swap(lo_s, hi_s);
  if (hi_s == lo_s) lo_s -= 1800, hi_s += 1800;
  static constexpr std::array<double, 17> steps = {60,     120,    300,     600,     900,    1800,
                                                   3600,   7200,   10800,   21600,   43200,  86400,
                                                   172800, 604800, 1209600, 2592000, 7776000};
  double step = steps.back();
  for (const double s : steps) {
    if ((hi_s - lo_s) / s <= target) {
      step = s;
      break;
    }
  }
  while ((hi_s - lo_s) / step > target) step *= 2;  // runs of years
  ticks t{lo_s, hi_s, step, {}};
  for (double v = std::ceil(lo_s / step - 1e-9) * step; v <= hi_s + step * 1e-9; v += step) {
    t.values.push_back(v);
  }
  return t;
}

std::string time_label(double at_s) {
  if (at_s < 0) return "-" + time_label(-at_s);
  const auto total_min = static_cast<long long>(std::llround(at_s / 60));
  const long long days = total_min / 1440;
  const long long hours = total_min % 1440 / 60;
  const long long minutes = total_min % 60;
  if (total_min == 0) return "0";
  std::string out;
  auto add = [&out](long long n, const char* unit) {
    if (!out.empty()) out += ' ';
    out += std::to_string(n) + " " + unit;
  };
  if (days > 0) add(days, "d");
  if (hours > 0) add(hours, "h");
  if (minutes > 0) add(minutes, "min");
  return out;
}

std::string duration_text(double s) {
  if (!std::isfinite(s)) return "-";
  const double a = std::abs(s);
  if (a == 0) return "0 s";
  if (a < 1) return fmt(a < 0.01 ? "%.2g ms" : "%.0f ms", s * 1000);
  if (a < 60) return fmt(a < 10 ? "%.2g s" : "%.0f s", s);
  if (a < 3600) return fmt(a < 600 ? "%.2g min" : "%.0f min", s / 60);
  if (a < 86400) return fmt(a < 36000 ? "%.2g h" : "%.0f h", s / 3600);
  return fmt(a < 864000 ? "%.2g d" : "%.0f d", s / 86400);
}

std::string number_text(double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "∞" : "-∞";
  const double a = std::abs(v);
  if (a >= 1e9) return fmt("%.3gG", v / 1e9);
  if (a >= 1e6) return fmt("%.3gM", v / 1e6);
  if (a >= 1e4) return fmt("%.3gk", v / 1e3);
  if (a >= 1000) {
    // 1,234: group the thousands of a four-digit integer part.
    const auto n = static_cast<long long>(std::llround(v));
    std::string digits = std::to_string(std::llabs(n));
    digits.insert(digits.size() - 3, ",");
    return (n < 0 ? "-" : "") + digits;
  }
  if (v == std::round(v)) return fmt("%.0f", v);
  return fmt(a >= 100 ? "%.0f" : "%.3g", v);
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const std::string& palette(std::size_t i) {
  static const std::array<std::string, 10> colors = {"#3274d9", "#56a64b", "#e0b400", "#fa6400",
                                                     "#a352cc", "#0fa3b1", "#e02f44", "#8f6a3b",
                                                     "#8ab8ff", "#37872d"};
  return colors[i % colors.size()];
}

std::string time_chart_svg(const time_chart& c) {
  const plot_area a = area_of(c.width, c.height);
  const std::size_t n = c.x_s.size();
  std::string out = svg_open(c.width, c.height, "chart over simulated time");
  // y range: the largest value, or the largest stack.
  double y_max = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double stack = 0;
    for (const auto& s : c.lines) {
      const double v = i < s.y.size() ? s.y[i] : std::nan("");
      if (std::isnan(v)) continue;
      stack = c.stacked ? stack + v : std::max(stack, v);
    }
    y_max = std::max(y_max, stack);
  }
  const ticks yt = nice_ticks(0, y_max, 5);
  // x range: the samples; bars cover the interval that ends at their sample.
  double spacing = 3600;
  if (n >= 2) spacing = std::max(1.0, (c.x_s.back() - c.x_s.front()) / static_cast<double>(n - 1));
  double x_lo = n > 0 ? c.x_s.front() : 0;
  double x_hi = n > 0 ? c.x_s.back() : 3600;
  if (c.bars) x_lo -= spacing;
  if (x_hi <= x_lo) x_lo -= spacing / 2, x_hi += spacing / 2;
  // Simulated time starts at 0: never show negative offsets for padding.
  if (x_lo < 0 && n > 0 && c.x_s.front() >= 0) x_hi -= x_lo, x_lo = 0;
  const ticks xt = time_ticks(x_lo, x_hi);
  const auto fx = [&](double x) { return a.x0 + (x - x_lo) / (x_hi - x_lo) * a.w; };
  const auto fy = [&](double y) { return a.y0 + a.h - (y - yt.lo) / (yt.hi - yt.lo) * a.h; };

  out += y_grid(yt, a);
  for (const double v : xt.values) out += x_tick(fx(v), a, time_label(v));

  std::vector<double> below(n, 0.0);  // the stack under the current series
  for (std::size_t si = 0; si < c.lines.size(); ++si) {
    const series& s = c.lines[si];
    const auto y_at = [&](std::size_t i) { return i < s.y.size() ? s.y[i] : std::nan(""); };
    if (c.bars) {
      const double slot = (fx(spacing) - fx(0)) * 0.8;
      const double bar_w = c.stacked ? slot : slot / static_cast<double>(c.lines.size());
      for (std::size_t i = 0; i < n; ++i) {
        const double v = y_at(i);
        if (std::isnan(v) || v <= 0) continue;
        const double left = fx(c.x_s[i] - spacing) + (fx(spacing) - fx(0)) * 0.1 +
                            (c.stacked ? 0 : bar_w * static_cast<double>(si));
        const double top = fy(below[i] + v);
        const double bottom = fy(below[i]);
        out += "<rect x=\"" + px(left) + "\" y=\"" + px(top) + "\" width=\"" +
               px(std::max(bar_w, 0.8)) + "\" height=\"" + px(std::max(bottom - top, 0.5)) +
               "\" fill=\"" + s.color + "\"/>";
        if (c.stacked) below[i] += v;
      }
      continue;
    }
    // Lines (and areas), broken where a sample is missing.
    std::string line;
    std::string fill;
    std::vector<std::size_t> run;
    auto flush = [&]() {
      if (run.empty()) return;
      if (run.size() == 1) {
        const std::size_t i = run[0];
        out += "<circle cx=\"" + px(fx(c.x_s[i])) + "\" cy=\"" + px(fy(below[i] + y_at(i))) +
               "\" r=\"3.5\" fill=\"" + s.color + "\"/>";
      } else {
        std::string top;
        std::string bottom;
        for (const std::size_t i : run) {
          top += (top.empty() ? "M" : "L") + px(fx(c.x_s[i])) + "," + px(fy(below[i] + y_at(i)));
        }
        for (auto it = run.rbegin(); it != run.rend(); ++it) {
          bottom += "L" + px(fx(c.x_s[*it])) + "," + px(fy(below[*it]));
        }
        if (c.fill) fill += top + bottom + "Z";
        line += top;
      }
      run.clear();
    };
    for (std::size_t i = 0; i < n; ++i) {
      if (std::isnan(y_at(i))) {
        flush();
      } else {
        run.push_back(i);
      }
    }
    flush();
    if (!fill.empty()) {
      out += "<path d=\"" + fill + "\" fill=\"" + s.color + "\" fill-opacity=\"" +
             (c.stacked ? "0.55" : "0.10") + "\" stroke=\"none\"/>";
    }
    if (!line.empty()) {
      out += "<path d=\"" + line + "\" fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"" +
             (c.stacked ? "1.2" : "2") + "\" stroke-linejoin=\"round\"/>";
    }
    if (c.stacked) {
      for (std::size_t i = 0; i < n; ++i) {
        if (!std::isnan(y_at(i))) below[i] += y_at(i);
      }
    }
  }
  out += baseline(a);
  // Hover targets: one column per sample (thinned on very long runs) with every value.
  const std::size_t stride = std::max<std::size_t>(1, (n + 719) / 720);
  for (std::size_t i = 0; i < n; i += stride) {
    double left = 0;
    double right = 0;
    if (c.bars) {
      left = fx(c.x_s[i] - spacing);
      right = fx(c.x_s[i]);
    } else {
      left = i == 0 ? a.x0 : (fx(c.x_s[i - 1]) + fx(c.x_s[i])) / 2;
      right = i + stride >= n ? a.x0 + a.w : (fx(c.x_s[i]) + fx(c.x_s[std::min(n - 1, i + 1)])) / 2;
    }
    std::string title = "at " + time_label(c.x_s[i]);
    for (const auto& s : c.lines) {
      title += "\n" + s.name + ": " + value_text(i < s.y.size() ? s.y[i] : std::nan(""), c.y_unit);
    }
    out += "<rect class=\"hv\" x=\"" + px(left) + "\" y=\"" + px(a.y0) + "\" width=\"" +
           px(std::max(right - left, 1.0)) + "\" height=\"" + px(a.h) + "\"><title>" +
           html_escape(title) + "</title></rect>";
  }
  out += "</svg>";
  return out;
}

std::string bar_chart_svg(const bar_chart& c) {
  const plot_area a = area_of(c.width, c.height);
  const std::size_t groups = c.categories.size();
  std::string out = svg_open(c.width, c.height, "bar chart");
  double y_max = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    double stack = 0;
    for (const auto& s : c.values) {
      const double v = g < s.y.size() ? s.y[g] : 0;
      if (std::isnan(v)) continue;
      stack = c.stacked ? stack + v : std::max(stack, v);
    }
    y_max = std::max(y_max, stack);
  }
  const ticks yt = nice_ticks(0, y_max, 5);
  const auto fy = [&](double y) { return a.y0 + a.h - (y - yt.lo) / (yt.hi - yt.lo) * a.h; };
  out += y_grid(yt, a);
  const double slot = a.w / static_cast<double>(std::max<std::size_t>(groups, 1));
  const double group_w = std::min(slot * 0.7, 160.0);
  const std::size_t per_group = c.stacked ? 1 : std::max<std::size_t>(c.values.size(), 1);
  const double bar_w = group_w / static_cast<double>(per_group);
  const bool labels = groups * per_group <= 40;
  // Thin the category labels when they would overlap (e.g. 40 histogram bins).
  const std::size_t label_stride =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(groups * 56.0 / a.w)));
  for (std::size_t g = 0; g < groups; ++g) {
    const double center = a.x0 + slot * (static_cast<double>(g) + 0.5);
    double stack = 0;
    std::string title = c.categories[g];
    for (std::size_t si = 0; si < c.values.size(); ++si) {
      const series& s = c.values[si];
      const double v = g < s.y.size() ? s.y[g] : 0;
      title += "\n" + s.name + ": " + value_text(v, "");
      if (std::isnan(v)) continue;
      const double left =
          center - group_w / 2 + (c.stacked ? 0 : bar_w * static_cast<double>(si)) + 1;
      const double top = fy(stack + v);
      const double bottom = fy(stack);
      out += "<rect x=\"" + px(left) + "\" y=\"" + px(top) + "\" width=\"" +
             px(std::max(bar_w - 2, 1.0)) + "\" height=\"" + px(std::max(bottom - top, 0.0)) +
             "\" rx=\"2\" fill=\"" + s.color + "\"/>";
      if (labels && !c.stacked && v > 0) {
        out += "<text class=\"val\" x=\"" + px(left + (bar_w - 2) / 2) + "\" y=\"" + px(top - 4) +
               "\" text-anchor=\"middle\">" + html_escape(number_text(v)) + "</text>";
      }
      if (c.stacked) stack += v;
    }
    if (g % label_stride == 0) {
      std::string label = c.categories[g];
      if (label.size() > 22) label = label.substr(0, 20) + "…";
      out += "<text class=\"tick\" x=\"" + px(center) + "\" y=\"" + px(a.y0 + a.h + 17) +
             "\" text-anchor=\"middle\">" + html_escape(label) + "</text>";
    }
    out += "<rect class=\"hv\" x=\"" + px(center - slot / 2) + "\" y=\"" + px(a.y0) +
           "\" width=\"" + px(slot) + "\" height=\"" + px(a.h) + "\"><title>" + html_escape(title) +
           "</title></rect>";
  }
  out += baseline(a);
  if (!c.x_title.empty()) {
    out += "<text class=\"tick\" x=\"" + px(a.x0 + a.w) + "\" y=\"" + px(c.height - 1) +
           "\" text-anchor=\"end\">" + html_escape(c.x_title) + "</text>";
  }
  out += "</svg>";
  return out;
}

std::string log_histogram_svg(const log_histogram& c) {
  const plot_area a = area_of(c.width, c.height);
  std::string out = svg_open(c.width, c.height, "histogram");
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0;
  double y_max = 0;
  for (const auto& b : c.bins) {
    if (b.hi <= 0) continue;
    lo = std::min(lo, b.lo > 0 ? b.lo : b.hi / 10);
    hi = std::max(hi, b.hi);
    y_max = std::max(y_max, b.count);
  }
  for (const auto& m : c.markers) {
    if (m.x > 0) lo = std::min(lo, m.x), hi = std::max(hi, m.x);
  }
  if (!std::isfinite(lo)) lo = 0.1, hi = 10;
  // Whole decades at both ends read best on a log axis.
  const double l0 = std::floor(std::log10(lo));
  double l1 = std::ceil(std::log10(hi));
  if (l1 <= l0) l1 = l0 + 1;
  const auto fx = [&](double x) { return a.x0 + (std::log10(x) - l0) / (l1 - l0) * a.w; };
  const ticks yt = nice_ticks(0, y_max, 5);
  const auto fy = [&](double y) { return a.y0 + a.h - (y - yt.lo) / (yt.hi - yt.lo) * a.h; };
  out += y_grid(yt, a);
  // Human time ticks inside the range (1 s, 10 s, 1 min, 10 min, 1 h, 6 h, 1 d, ...).
  static constexpr std::array<std::pair<double, const char*>, 14> time_marks = {
      {{0.001, "1 ms"},
       {0.01, "10 ms"},
       {0.1, "100 ms"},
       {1, "1 s"},
       {10, "10 s"},
       {60, "1 min"},
       {600, "10 min"},
       {3600, "1 h"},
       {21600, "6 h"},
       {86400, "1 d"},
       {604800, "7 d"},
       {2592000, "30 d"},
       {31536000, "1 y"},
       {315360000, "10 y"}}};
  for (const auto& [x, label] : time_marks) {
    if (c.x_unit != "s") break;
    if (std::log10(x) < l0 - 1e-9 || std::log10(x) > l1 + 1e-9) continue;
    out += "<line class=\"grid\" x1=\"" + px(fx(x)) + "\" x2=\"" + px(fx(x)) + "\" y1=\"" +
           px(a.y0) + "\" y2=\"" + px(a.y0 + a.h) + "\"/>";
    out += x_tick(fx(x), a, label);
  }
  if (c.x_unit != "s") {
    for (double l = l0; l <= l1; l += 1) {
      out += x_tick(fx(std::pow(10, l)), a, number_text(std::pow(10, l)) + " " + c.x_unit);
    }
  }
  for (const auto& b : c.bins) {
    if (b.hi <= 0 || b.count <= 0) continue;
    const double left = fx(b.lo > 0 ? b.lo : std::pow(10, l0));
    const double right = fx(b.hi);
    const double top = fy(b.count);
    out += "<rect x=\"" + px(left + 0.5) + "\" y=\"" + px(top) + "\" width=\"" +
           px(std::max(right - left - 1, 1.0)) + "\" height=\"" + px(a.y0 + a.h - top) +
           "\" fill=\"#3274d9\" fill-opacity=\"0.8\"><title>" +
           html_escape(duration_text(b.lo) + " – " + duration_text(b.hi) + ": " +
                       number_text(b.count)) +
           "</title></rect>";
  }
  // Marker labels stagger downwards so close quantiles (p90 == p99) stay readable.
  double label_y = a.y0 + 11;
  for (const auto& m : c.markers) {
    if (m.x <= 0) continue;
    const double x = fx(m.x);
    out += "<line x1=\"" + px(x) + "\" x2=\"" + px(x) + "\" y1=\"" + px(a.y0) + "\" y2=\"" +
           px(a.y0 + a.h) + "\" stroke=\"" + m.color + "\" stroke-width=\"1.5\" " +
           "stroke-dasharray=\"4 3\"/>";
    const bool right_side = x < a.x0 + a.w - 110;
    out += "<text class=\"mark\" x=\"" + px(right_side ? x + 4 : x - 4) + "\" y=\"" + px(label_y) +
           "\" text-anchor=\"" + (right_side ? "start" : "end") + "\" fill=\"" + m.color + "\">" +
           html_escape(m.label + " " + duration_text(m.x)) + "</text>";
    label_y += 13;
  }
  out += baseline(a);
  out += "</svg>";
  return out;
}

std::string legend_html(const std::vector<series>& lines) {
  std::string out = "<div class=\"legend\">";
  for (const auto& s : lines) {
    out += "<span><i style=\"background:" + s.color + "\"></i>" + html_escape(s.name) + "</span>";
  }
  return out + "</div>";
}

}  // namespace twelvefold::sim::report
