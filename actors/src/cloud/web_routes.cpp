// Named web routes (see web_routes.hpp).
#include "cloud/web_routes.hpp"

#include <httplib.h>

#include <cmath>

#include "twelvefold/models/random.hpp"
#include "twelvefold/scenario/v1/scenario.pb.h"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors::cloud {
namespace {

// z of the 99th percentile of the standard normal.
constexpr double z_p99 = 2.3263478740408408;

std::string error_body(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) escaped += c;
  }
  return "{\"err\":\"" + escaped + "\"}";
}

}  // namespace

simulated_endpoint simulated_from(const scenario::v1::SimulatedEndpoint& spec) {
  simulated_endpoint e;
  if (spec.has_latency_ms_median()) e.latency_ms_median = spec.latency_ms_median();
  e.latency_ms_p99 = spec.has_latency_ms_p99() ? spec.latency_ms_p99() : 4 * e.latency_ms_median;
  if (spec.has_error_rate()) e.error_rate = spec.error_rate();
  if (spec.has_status_on_error()) e.status_on_error = spec.status_on_error();
  if (spec.has_status_ok()) e.status_ok = spec.status_ok();
  if (!spec.body().empty()) e.body = spec.body();
  return e;
}

double lognormal_latency_ms(double median_ms, double p99_ms, double z) {
  if (median_ms <= 0) return 0;
  const double sigma = p99_ms > median_ms ? std::log(p99_ms / median_ms) / z_p99 : 0;
  return median_ms * std::exp(sigma * z);
}

web_routes::web_routes(std::uint64_t seed, std::vector<std::pair<std::string, web_target>> routes)
    : seed_(seed), routes_(std::move(routes)) {
  for (const auto& [name, target] : routes_) {
    counters_.push_back({name, 0, 0, 0, 0});
    has_real_ = has_real_ || !target.simulated;
  }
}

web_routes::~web_routes() {
  routes_report ignored;
  finish(ignored);
}

void web_routes::count_answer(std::size_t route, std::int32_t result, bool timeout) {
  ++report_.web_answered;
  ++counters_[route].answered;
  if (result >= 400) {
    ++report_.web_errors;
    ++counters_[route].errors;
  }
  if (timeout) ++counters_[route].timeouts;
}

void web_routes::request(twin_index twin, std::int64_t arrival_us,
                         const wire::v1::WebRequest& request, std::vector<web_answer>& out) {
  ++report_.web_requests;
  const auto it = std::find_if(routes_.begin(), routes_.end(),
                               [&](const auto& r) { return r.first == request.route(); });
  if (it == routes_.end()) {
    // Firmware named a route the cloud does not have: answered at once, never dropped.
    ++report_.web_unknown_route;
    ++report_.web_answered;
    ++report_.web_errors;
    out.push_back({twin, request.id(), 404,
                   error_body("no web route named \"" + request.route() + "\""), arrival_us});
    return;
  }
  const auto route = static_cast<std::size_t>(it - routes_.begin());
  ++counters_[route].requests;
  const web_target& target = it->second;
  if (!target.simulated) {
    real_call call;
    call.twin = twin;
    call.id = request.id();
    call.route = route;
    call.method = request.method();
    call.url = target.parsed;
    std::string base = target.parsed.path == "/" ? "" : target.parsed.path;
    if (!base.empty() && base.back() == '/') base.pop_back();
    call.path = base + (request.name().empty() || request.name().front() != '/' ? "/" : "") +
                request.name();
    call.body = request.body();
    call.content = request.content().empty() ? "application/json" : request.content();
    call.timeout_s = request.timeout_s() > 0 ? request.timeout_s() : 90;
    {
      std::lock_guard lock(mutex_);
      calls_.push_back(std::move(call));
      if (!worker_.joinable()) worker_ = std::thread([this] { run(); });
    }
    wake_.notify_one();
    return;
  }
  // One stream per request: the answer does not depend on the order requests arrive in.
  models::random_stream rng(seed_, (static_cast<std::uint64_t>(twin) << 32) ^ request.id(),
                            models::stream_purpose::web_route);
  const simulated_endpoint& sim = target.sim;
  const double latency_ms =
      lognormal_latency_ms(sim.latency_ms_median, sim.latency_ms_p99, rng.normal());
  const bool error = rng.bernoulli(sim.error_rate);
  const std::int32_t timeout_s = request.timeout_s() > 0 ? request.timeout_s() : 90;
  web_answer answer{twin, request.id(), error ? sim.status_on_error : sim.status_ok,
                    error ? error_body("simulated error") : sim.body, arrival_us};
  bool timed_out = false;
  if (latency_ms > timeout_s * 1000.0) {
    // The gateway gives up at the request's timeout, as a real proxy would.
    answer.result = 504;
    answer.body = error_body("route timed out");
    answer.ready_at_us += static_cast<std::int64_t>(timeout_s) * 1'000'000;
    timed_out = true;
  } else {
    answer.ready_at_us += static_cast<std::int64_t>(std::llround(latency_ms * 1000.0));
  }
  count_answer(route, answer.result, timed_out);
  out.push_back(std::move(answer));
}

void web_routes::take_real_answers(std::int64_t now_us, std::vector<web_answer>& out) {
  if (!has_real_) return;
  std::lock_guard lock(mutex_);
  for (std::size_t k = 0; k < arrived_.size(); ++k) {
    web_answer& a = arrived_[k];
    a.ready_at_us = now_us;
    count_answer(arrived_route_[k], a.result, a.result == 504);
    out.push_back(std::move(a));
  }
  arrived_.clear();
  arrived_route_.clear();
}

bool web_routes::repoint(const std::string& name, web_target target) {
  const auto it =
      std::find_if(routes_.begin(), routes_.end(), [&](const auto& r) { return r.first == name; });
  if (it == routes_.end()) return false;
  has_real_ = has_real_ || !target.simulated;
  it->second = std::move(target);
  return true;
}

void web_routes::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stop_ || !calls_.empty(); });
    if (calls_.empty()) return;  // stopping, and nothing left to call
    real_call call = std::move(calls_.front());
    calls_.pop_front();
    lock.unlock();
    httplib::Client client(call.url.scheme + "://" + call.url.host + ":" +
                           std::to_string(call.url.port));
    const auto timeout = std::chrono::seconds(call.timeout_s);
    client.set_connection_timeout(timeout);
    client.set_read_timeout(timeout);
    httplib::Result res{nullptr, httplib::Error::Unknown};
    if (call.method == "GET") {
      res = client.Get(call.path.c_str());
    } else if (call.method == "DELETE") {
      res = client.Delete(call.path.c_str());
    } else if (call.method == "PUT") {
      res = client.Put(call.path.c_str(), call.body, call.content.c_str());
    } else {
      res = client.Post(call.path.c_str(), call.body, call.content.c_str());
    }
    web_answer answer{call.twin, call.id, 502, "", 0};
    if (!res) {
      answer.result = res.error() == httplib::Error::Read ? 504 : 502;
      answer.body = error_body("route \"" + routes_[call.route].first +
                               "\": " + httplib::to_string(res.error()));
    } else {
      answer.result = res->status;
      if (!res->body.empty() && res->body.front() == '{') answer.body = res->body;
    }
    lock.lock();
    arrived_.push_back(std::move(answer));
    arrived_route_.push_back(call.route);
  }
}

void web_routes::finish(routes_report& report) {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    // Calls not started by now will never be answered within the run: count them as errors.
    for (const real_call& call : calls_) {
      ++report_.web_errors;
      ++counters_[call.route].errors;
    }
    calls_.clear();
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  report.web_requests = report_.web_requests;
  report.web_answered = report_.web_answered;
  report.web_errors = report_.web_errors;
  report.web_duplicates = report_.web_duplicates;
  report.web_unknown_route = report_.web_unknown_route;
  report.web_by_route = counters_;
}

}  // namespace twelvefold::actors::cloud
