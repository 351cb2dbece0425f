#include "twelvefold/actors/latency_histogram.hpp"

#include <gsl/gsl_histogram.h>

#include <algorithm>
#include <cmath>

namespace twelvefold::actors {
namespace {

// 10 bins per decade from 1 s to 60 days (5.2e6 s); below 1 s lands in the first bin.
constexpr double first_edge_s = 1.0;
constexpr double last_edge_s = 60.0 * 86'400;
constexpr int bins_per_decade = 10;

std::vector<double> make_edges() {
  std::vector<double> edges{0.0};
  for (double e = first_edge_s; e < last_edge_s; e *= std::pow(10.0, 1.0 / bins_per_decade)) {
    edges.push_back(e);
  }
  edges.push_back(last_edge_s);
  return edges;
}

}  // namespace

const std::vector<double>& latency_histogram::edges_s() {
  static const std::vector<double> edges = make_edges();
  return edges;
}

struct latency_histogram::gsl_state {
  gsl_histogram* histogram = nullptr;
};

latency_histogram::latency_histogram() : gsl_(std::make_unique<gsl_state>()) {
  gsl_->histogram = gsl_histogram_alloc(edges_s().size() - 1);
  gsl_histogram_set_ranges(gsl_->histogram, edges_s().data(), edges_s().size());
}

latency_histogram::~latency_histogram() { gsl_histogram_free(gsl_->histogram); }

void latency_histogram::add(double latency_s) {
  // Out-of-range values are clamped into the end bins, never dropped: counts stay complete.
  const double clamped = std::clamp(latency_s, 0.0, std::nextafter(last_edge_s, 0.0));
  gsl_histogram_increment(gsl_->histogram, clamped);
  ++count_;
  max_s_ = std::max(max_s_, latency_s);
}

std::vector<std::uint64_t> latency_histogram::counts() const {
  std::vector<std::uint64_t> out(gsl_histogram_bins(gsl_->histogram));
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::uint64_t>(gsl_histogram_get(gsl_->histogram, i));
  }
  return out;
}

double latency_histogram::quantile_s(double q) const {
  if (count_ == 0) return 0;
  gsl_histogram_pdf* pdf = gsl_histogram_pdf_alloc(gsl_histogram_bins(gsl_->histogram));
  gsl_histogram_pdf_init(pdf, gsl_->histogram);
  // The inverse CDF at q: GSL interpolates linearly inside the bin holding it.
  const double value = gsl_histogram_pdf_sample(pdf, std::clamp(q, 0.0, 1.0 - 1e-12));
  gsl_histogram_pdf_free(pdf);
  return std::min(value, max_s_);
}

}  // namespace twelvefold::actors
