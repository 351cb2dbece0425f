// A real sink (NDJSON file, HTTP endpoint, MQTT broker) behind its own thread, so network and
// disk I/O never block the simulation (docs/cloud-routes.md).
//
// Contract: the owner (the solution service, one thread) calls push() and flush(); the worker
// thread delivers each flushed batch through the transport, retrying a failed delivery with
// exponential back-off (wall-clock: this is real I/O, independent of virtual time), then counts
// what it could not deliver as failed, with an error naming the route and its URL. finish()
// drains with a deadline and joins; whatever is still waiting then is counted queued_at_end.
// Every pushed event ends in exactly one of delivered / failed / queued_at_end.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "twelvefold/actors/routes_report.hpp"

namespace twelvefold::actors::cloud {

struct sink_event {
  std::string topic;  // MQTT only
  std::string json;   // one event, compact JSON
};

// How events reach the outside world. Called on the worker thread only.
class sink_transport {
 public:
  virtual ~sink_transport() = default;
  // Delivers `events` in order; returns how many were delivered (a prefix). On a shortfall
  // `error` says why.
  virtual std::size_t deliver(std::span<const sink_event> events, std::string& error) = 0;
  // What the transport talks to, for error messages (a URL or a path).
  [[nodiscard]] virtual std::string target() const = 0;
  // A resumed run (replay.hpp): what the target holds already stays (a file is appended to).
  virtual void continue_existing() {}
};

struct retry_policy {
  std::uint32_t max_attempts = 4;
  std::uint32_t backoff_initial_ms = 200;
  std::uint32_t backoff_max_ms = 5000;
  std::size_t queue_limit = 100'000;
  std::size_t max_batch = 10'000;  // events per delivery (one HTTP POST at most this big)
};

class sink_worker {
 public:
  sink_worker(route_counters counters, std::unique_ptr<sink_transport> transport,
              retry_policy policy);
  ~sink_worker();
  sink_worker(const sink_worker&) = delete;
  sink_worker& operator=(const sink_worker&) = delete;

  // Queues one event (not yet sent: see flush). A full queue refuses it: counted failed.
  void push(sink_event event);
  // Everything pushed so far becomes due for delivery.
  void flush();
  // Flushes, waits until everything is delivered or given up, at most `drain`, then stops the
  // thread. Returns the final counters. Idempotent.
  route_counters finish(std::chrono::milliseconds drain);

  // Resume (replay.hpp): the counters start from `at_stop`; until end_replay() every push is
  // counted and dropped (the stopped run delivered it). end_replay() returns how many were
  // pushed while replaying; if fewer than at_stop.events, the rest are dropped as they come.
  void begin_replay(const route_counters& at_stop);
  std::uint64_t end_replay();

 private:
  void run();

  std::unique_ptr<sink_transport> transport_;
  retry_policy policy_;
  std::mutex mutex_;
  std::condition_variable wake_;  // to the worker: work, or stop
  std::condition_variable idle_;  // to finish(): the queue drained
  std::deque<sink_event> queue_;
  std::size_t due_ = 0;  // the first due_ events of queue_ are flushed
  bool busy_ = false;    // a batch is being delivered
  bool stop_ = false;    // finish() gave up waiting: abandon back-off, exit
  bool finished_ = false;
  bool replaying_ = false;
  std::uint64_t replayed_ = 0;  // pushes dropped while replaying
  std::uint64_t skip_ = 0;      // pushes still to drop after the replay
  std::uint64_t events_at_stop_ = 0;
  route_counters counters_;
  std::thread thread_;
};

// Transports (sink_ndjson.cpp, sink_http.cpp, sink_mqtt.cpp).
std::unique_ptr<sink_transport> make_ndjson_transport(std::string path);
struct http_header {
  std::string name;
  std::string value;
};
std::unique_ptr<sink_transport> make_http_transport(endpoint_url url, std::string display_url,
                                                    std::vector<http_header> headers,
                                                    std::uint32_t timeout_ms);
std::unique_ptr<sink_transport> make_mqtt_transport(endpoint_url url, std::string display_url,
                                                    int qos);

}  // namespace twelvefold::actors::cloud
