// Named web routes (factor 5): firmware calls a route by name; the solution service answers
// from a simulated endpoint (lognormal latency, error rate) or by calling a real URL, and the
// answer goes down with a later session of the device (docs/cloud-routes.md).
//
// Simulated answers are deterministic: each request draws from its own random stream
// (seed, twin and request id, purpose web_route). Real URLs are called on a worker thread and
// their answers join the next session after they arrive: by nature not deterministic.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "twelvefold/actors/messages.hpp"
#include "twelvefold/actors/routes_report.hpp"

namespace twelvefold::scenario::v1 {
class SimulatedEndpoint;
class WebRoute;
}  // namespace twelvefold::scenario::v1
namespace twelvefold::wire::v1 {
class WebRequest;
}

namespace twelvefold::actors::cloud {

struct simulated_endpoint {
  double latency_ms_median = 200;
  double latency_ms_p99 = 800;
  double error_rate = 0;
  std::int32_t status_on_error = 500;
  std::int32_t status_ok = 200;
  std::string body = "{}";
};
simulated_endpoint simulated_from(const scenario::v1::SimulatedEndpoint& spec);

struct web_target {
  bool simulated = true;
  simulated_endpoint sim;
  std::string url;  // real routes
  endpoint_url parsed;
};

// One answer to a device's request, for the twin's next session at or after ready_at_us.
struct web_answer {
  twin_index twin = 0;
  std::uint64_t id = 0;
  std::int32_t result = 200;
  std::string body;  // JSON object or ""
  std::int64_t ready_at_us = 0;
};

// Lognormal latency with the given median and 99th percentile, from a standard normal draw.
double lognormal_latency_ms(double median_ms, double p99_ms, double z);

class web_routes {
 public:
  web_routes(std::uint64_t seed, std::vector<std::pair<std::string, web_target>> routes);
  ~web_routes();
  web_routes(const web_routes&) = delete;
  web_routes& operator=(const web_routes&) = delete;

  // Answers (simulated, unknown route) go to `out`; real calls are queued for the worker.
  void request(twin_index twin, std::int64_t arrival_us, const wire::v1::WebRequest& request,
               std::vector<web_answer>& out);
  // Answers of real calls that have arrived since the last call, ready at `now_us`.
  void take_real_answers(std::int64_t now_us, std::vector<web_answer>& out);
  // False when no route has that name.
  bool repoint(const std::string& name, web_target target);
  void count_duplicate() { ++report_.web_duplicates; }
  // Stops the worker (waiting for calls in progress; each has a timeout) and reports.
  void finish(routes_report& report);

 private:
  struct real_call {
    twin_index twin = 0;
    std::uint64_t id = 0;
    std::size_t route = 0;
    std::string method;
    endpoint_url url;
    std::string path;
    std::string body;
    std::string content;
    std::int32_t timeout_s = 90;
  };
  void run();
  void count_answer(std::size_t route, std::int32_t result, bool timeout);

  std::uint64_t seed_;
  std::vector<std::pair<std::string, web_target>> routes_;
  std::vector<web_route_counters> counters_;
  routes_report report_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<real_call> calls_;
  std::vector<web_answer> arrived_;
  std::vector<std::size_t> arrived_route_;
  bool stop_ = false;
  std::thread worker_;     // started with the first real call
  bool has_real_ = false;  // any route ever pointed at a URL (else no locking per session)
};

}  // namespace twelvefold::actors::cloud
