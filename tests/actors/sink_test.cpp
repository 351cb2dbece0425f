// Real sinks against real local endpoints: an HTTP server in this process, a mosquitto broker
// the fixture starts, and closed ports. Synchronised with condition variables and joins.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "cloud/sink_worker.hpp"
#include "cloud/web_routes.hpp"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors::cloud {
namespace {

constexpr auto guard = std::chrono::seconds(20);  // only a hang guard, never timing

// A port that refuses connections: bound but never listening, and held while the object
// lives, so no other test (in this process or a parallel one) can take it meanwhile.
class closed_port {
 public:
  closed_port() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~closed_port() { close(fd_); }
  closed_port(const closed_port&) = delete;
  closed_port& operator=(const closed_port&) = delete;
  [[nodiscard]] int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

route_counters named(const char* name, const char* sink) {
  route_counters c;
  c.name = name;
  c.sink = sink;
  return c;
}

sink_event event(int n, std::string topic = "") {
  return {std::move(topic), "{\"n\":" + std::to_string(n) + "}"};
}

// An HTTP endpoint on 127.0.0.1 (any free port) recording every POST body.
class http_endpoint {
 public:
  explicit http_endpoint(int failures_first = 0) : failures_(failures_first) {
    server_.Post("/ingest", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      if (failures_ > 0) {
        --failures_;
        res.status = 500;
        return;
      }
      posts_.push_back(nlohmann::json::parse(req.body));
      tokens_.push_back(req.get_header_value("X-Token"));
      remote_ports_.push_back(req.remote_port);
      res.status = 204;
      arrived_.notify_all();
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~http_endpoint() {
    server_.stop();
    thread_.join();
  }
  [[nodiscard]] std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/ingest";
  }
  bool wait_for_posts(std::size_t n) {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, guard, [&] { return posts_.size() >= n; });
  }
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<nlohmann::json> posts_;
  std::vector<std::string> tokens_;
  std::vector<int> remote_ports_;
  int failures_;

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

std::unique_ptr<sink_transport> http_to(const std::string& url) {
  auto parsed = parse_endpoint_url(url, "http");
  EXPECT_TRUE(parsed) << parsed.error();
  return make_http_transport(*parsed, url, {{"X-Token", "s3cret"}}, 2000);
}

TEST(HttpSink, OnePostOfAJsonArrayPerFlushOverOneConnection) {
  http_endpoint endpoint;
  sink_worker w(named("http", "http"), http_to(endpoint.url()), {});
  for (int k = 0; k < 5; ++k) w.push(event(k));
  w.flush();
  ASSERT_TRUE(endpoint.wait_for_posts(1));
  for (int k = 5; k < 8; ++k) w.push(event(k));
  const auto c = w.finish(guard);
  EXPECT_EQ(c.events, 8u);
  EXPECT_EQ(c.delivered, 8u);
  EXPECT_EQ(c.failed, 0u);
  EXPECT_EQ(c.retried, 0u);
  EXPECT_EQ(c.bytes, 8u * 7);
  std::lock_guard lock(endpoint.mutex_);
  ASSERT_EQ(endpoint.posts_.size(), 2u);
  EXPECT_EQ(endpoint.posts_[0].size(), 5u);
  EXPECT_EQ(endpoint.posts_[1].size(), 3u);
  EXPECT_EQ(endpoint.posts_[1][2]["n"], 7);
  EXPECT_EQ(endpoint.tokens_[0], "s3cret");
  // Keep-alive: the second POST came over the first one's connection.
  EXPECT_EQ(endpoint.remote_ports_[0], endpoint.remote_ports_[1]);
}

TEST(HttpSink, ServerErrorsAreRetriedWithBackoff) {
  http_endpoint endpoint(/*failures_first=*/2);
  sink_worker w(named("flaky", "http"), http_to(endpoint.url()),
                {.max_attempts = 4, .backoff_initial_ms = 1, .backoff_max_ms = 4});
  for (int k = 0; k < 3; ++k) w.push(event(k));
  const auto c = w.finish(guard);
  EXPECT_EQ(c.delivered, 3u);
  EXPECT_EQ(c.retried, 2u);
  EXPECT_EQ(c.failed, 0u);
  std::lock_guard lock(endpoint.mutex_);
  ASSERT_EQ(endpoint.posts_.size(), 1u);
  EXPECT_EQ(endpoint.posts_[0].size(), 3u);
}

TEST(HttpSink, UnreachableEndpointIsRetriedThenCountedFailedNamingRouteAndUrl) {
  const closed_port closed;
  const std::string url = "http://127.0.0.1:" + std::to_string(closed.port()) + "/ingest";
  sink_worker w(named("dead", "http"), http_to(url),
                {.max_attempts = 3, .backoff_initial_ms = 1, .backoff_max_ms = 2});
  for (int k = 0; k < 6; ++k) w.push(event(k));
  const auto c = w.finish(guard);
  EXPECT_EQ(c.events, 6u);
  EXPECT_EQ(c.delivered, 0u);
  EXPECT_EQ(c.failed, 6u);
  EXPECT_EQ(c.retried, 2u);
  EXPECT_EQ(c.queued_at_end, 0u);
  EXPECT_NE(c.last_error.find("route \"dead\" (" + url + "): POST failed"), std::string::npos)
      << c.last_error;
}

TEST(NdjsonSink, OneObjectPerLineAndAnUnwritablePathIsCounted) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("twelvefold-sink-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "events.ndjson").string();
  {
    sink_worker w(named("file", "ndjson"), make_ndjson_transport(path), {});
    for (int k = 0; k < 4; ++k) w.push(event(k));
    w.flush();
    w.push(event(4));
    const auto c = w.finish(guard);
    EXPECT_EQ(c.delivered, 5u);
  }
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) EXPECT_EQ(nlohmann::json::parse(line)["n"], n++);
  EXPECT_EQ(n, 5);
  sink_worker bad(named("nowhere", "ndjson"),
                  make_ndjson_transport((dir / "no-such-dir" / "x.ndjson").string()),
                  {.max_attempts = 2, .backoff_initial_ms = 1});
  bad.push(event(1));
  const auto c = bad.finish(guard);
  EXPECT_EQ(c.failed, 1u);
  EXPECT_NE(c.last_error.find("cannot open for writing"), std::string::npos) << c.last_error;
  std::filesystem::remove_all(dir);
}

TEST(WebRouteToUrl, TheRequestIsMadeAndItsAnswerGoesToTheTwin) {
  httplib::Server server;
  std::mutex mutex;
  std::condition_variable handled;
  std::string seen_path;
  std::string seen_body;
  server.Post(R"(/v1/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    res.set_content("{\"total\":42}", "application/json");
    res.status = 201;
    std::lock_guard lock(mutex);
    seen_path = req.path;
    seen_body = req.body;
    handled.notify_all();
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  web_target target;
  target.simulated = false;
  target.url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  target.parsed = *parse_endpoint_url(target.url, "http");
  web_routes routes(1, {{"billing", target}});
  std::vector<web_answer> now;
  wire::v1::WebRequest request;
  request.set_id(7);
  request.set_method("POST");
  request.set_route("billing");
  request.set_name("/register?x=1");
  request.set_body("{\"kwh\":1.5}");
  routes.request(3, 1'000'000, request, now);
  EXPECT_TRUE(now.empty());  // answered later, by the worker
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(handled.wait_for(lock, guard, [&] { return !seen_path.empty(); }));
  }
  routes_report report;
  routes.finish(report);  // joins the worker: the call in progress completes
  routes.take_real_answers(5'000'000, now);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].twin, 3u);
  EXPECT_EQ(now[0].id, 7u);
  EXPECT_EQ(now[0].result, 201);
  EXPECT_EQ(now[0].body, "{\"total\":42}");
  EXPECT_EQ(now[0].ready_at_us, 5'000'000);
  EXPECT_EQ(seen_path, "/v1/register");
  EXPECT_EQ(seen_body, "{\"kwh\":1.5}");
  EXPECT_EQ(report.web_requests, 1u);
  server.stop();
  thread.join();
}

TEST(WebRouteToUrl, AnUnreachableUrlIsAnsweredWithAGatewayError) {
  web_target target;
  target.simulated = false;
  const closed_port closed;
  target.url = "http://127.0.0.1:" + std::to_string(closed.port()) + "/v1";
  target.parsed = *parse_endpoint_url(target.url, "http");
  web_routes routes(1, {{"gone", target}});
  std::vector<web_answer> answers;
  wire::v1::WebRequest request;
  request.set_id(1);
  request.set_method("GET");
  request.set_route("gone");
  request.set_timeout_s(2);
  routes.request(0, 0, request, answers);
  // Wait for the worker's answer: take_real_answers until it arrives (bounded by the guard).
  const auto deadline = std::chrono::steady_clock::now() + guard;
  while (answers.empty() && std::chrono::steady_clock::now() < deadline) {
    routes.take_real_answers(0, answers);
    std::this_thread::yield();
  }
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].result, 502);
  EXPECT_NE(answers[0].body.find("route \\\"gone\\\""), std::string::npos) << answers[0].body;
  routes_report report;
  routes.finish(report);
  EXPECT_EQ(report.web_errors, 1u);
  EXPECT_EQ(report.web_answered, 1u);
}

// A mosquitto broker on a free port, and a subscriber to "t/#".
class MqttSink : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* candidates[] = {"/usr/sbin/mosquitto", "/usr/bin/mosquitto"};
    std::string binary;
    for (const char* c : candidates) {
      if (access(c, X_OK) == 0) binary = c;
    }
    if (binary.empty()) {
      GTEST_SKIP() << "the mosquitto broker is not installed (apt-get install mosquitto)";
    }
    mosquitto_lib_init();
    // Broker ports come from 20000-29999, below the kernel's ephemeral range (where bound
    // test ports come from); parallel test processes start from different ports (pid), and a
    // port taken meanwhile is skipped.
    for (int attempt = 0; attempt < 20 && sub_ == nullptr; ++attempt) {
      port_ = 20000 + static_cast<int>((getpid() * 37 + attempt * 1009) % 10000);
      if (start_broker(binary)) connect_subscriber();
      if (sub_ == nullptr) stop_broker();
    }
    ASSERT_NE(sub_, nullptr) << "could not start mosquitto and subscribe (last port " << port_
                             << ")";
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, guard, [this] { return subscribed_; }));
  }
  void TearDown() override {
    if (sub_ != nullptr) {
      mosquitto_disconnect(sub_);
      mosquitto_loop_stop(sub_, true);
      mosquitto_destroy(sub_);
    }
    stop_broker();
  }
  // True once the broker says it runs with its IPv4 socket open.
  bool start_broker(const std::string& binary) {
    int out[2];
    if (pipe(out) != 0) return false;
    broker_ = fork();
    if (broker_ == 0) {
      dup2(out[1], STDERR_FILENO);
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      execl(binary.c_str(), binary.c_str(), "-p", std::to_string(port_).c_str(), nullptr);
      _exit(127);
    }
    close(out[1]);
    log_ = fdopen(out[0], "r");
    char line[512];
    bool ipv4 = false;
    while (std::fgets(line, sizeof line, log_) != nullptr) {
      if (std::strstr(line, "Error") != nullptr) return false;
      if (std::strstr(line, "Opening ipv4 listen socket") != nullptr) ipv4 = true;
      // "mosquitto version 2.0.11 running" (an earlier line also says "running").
      if (std::strstr(line, "version") != nullptr && std::strstr(line, " running") != nullptr) {
        return ipv4;
      }
    }
    return false;
  }
  void stop_broker() {
    if (broker_ > 0) {
      kill(broker_, SIGTERM);
      waitpid(broker_, nullptr, 0);
      broker_ = -1;
    }
    if (log_ != nullptr) std::fclose(log_);
    log_ = nullptr;
  }
  void connect_subscriber() {
    mosquitto* sub = mosquitto_new(nullptr, true, this);
    mosquitto_subscribe_callback_set(sub, [](mosquitto*, void* self, int, int, const int*) {
      auto* t = static_cast<MqttSink*>(self);
      std::lock_guard lock(t->mutex_);
      t->subscribed_ = true;
      t->changed_.notify_all();
    });
    mosquitto_message_callback_set(sub, [](mosquitto*, void* self, const mosquitto_message* m) {
      auto* t = static_cast<MqttSink*>(self);
      std::lock_guard lock(t->mutex_);
      t->messages_.emplace_back(m->topic, std::string(static_cast<const char*>(m->payload),
                                                      static_cast<std::size_t>(m->payloadlen)));
      t->changed_.notify_all();
    });
    if (mosquitto_connect(sub, "127.0.0.1", port_, 30) != MOSQ_ERR_SUCCESS ||
        mosquitto_subscribe(sub, nullptr, "t/#", 1) != MOSQ_ERR_SUCCESS ||
        mosquitto_loop_start(sub) != MOSQ_ERR_SUCCESS) {
      mosquitto_destroy(sub);
      return;
    }
    sub_ = sub;
  }
  std::unique_ptr<sink_transport> mqtt_to(int port, int qos, const std::string& path) {
    url_ = "mqtt://127.0.0.1:" + std::to_string(port) + path;
    auto parsed = parse_endpoint_url(url_, "mqtt");
    EXPECT_TRUE(parsed) << parsed.error();
    return make_mqtt_transport(*parsed, url_, qos);
  }
  bool wait_for_messages(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, guard, [&] { return messages_.size() >= n; });
  }

  int port_ = 0;
  pid_t broker_ = -1;
  FILE* log_ = nullptr;
  mosquitto* sub_ = nullptr;
  std::string url_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool subscribed_ = false;
  std::vector<std::pair<std::string, std::string>> messages_;
};

TEST_F(MqttSink, OnePublishPerEventAtQos1) {
  sink_worker w(named("mqtt", "mqtt"), mqtt_to(port_, 1, "/t/{serial}"), {});
  for (int k = 0; k < 6; ++k) w.push(event(k, "t/S-" + std::to_string(k % 2) + "/data.qo"));
  const auto c = w.finish(guard);
  EXPECT_EQ(c.delivered, 6u) << c.last_error;
  EXPECT_EQ(c.failed, 0u);
  ASSERT_TRUE(wait_for_messages(6));
  std::lock_guard lock(mutex_);
  std::vector<int> seen;
  for (const auto& [topic, payload] : messages_) {
    const int n = nlohmann::json::parse(payload)["n"];
    EXPECT_EQ(topic, "t/S-" + std::to_string(n % 2) + "/data.qo");
    seen.push_back(n);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST_F(MqttSink, Qos0AlsoDelivers) {
  sink_worker w(named("mqtt0", "mqtt"), mqtt_to(port_, 0, "/t/x"), {});
  for (int k = 0; k < 3; ++k) w.push(event(k, "t/q0"));
  const auto c = w.finish(guard);
  EXPECT_EQ(c.delivered, 3u) << c.last_error;
  ASSERT_TRUE(wait_for_messages(3));
}

TEST_F(MqttSink, UnreachableBrokerIsRetriedThenCountedFailed) {
  const closed_port dead;
  sink_worker w(named("nobroker", "mqtt"), mqtt_to(dead.port(), 1, "/t/x"),
                {.max_attempts = 2, .backoff_initial_ms = 1, .backoff_max_ms = 1});
  for (int k = 0; k < 4; ++k) w.push(event(k, "t/x"));
  const auto c = w.finish(guard);
  EXPECT_EQ(c.failed, 4u);
  EXPECT_EQ(c.retried, 1u);
  EXPECT_NE(c.last_error.find("route \"nobroker\" (" + url_ + "): connect"), std::string::npos)
      << c.last_error;
}

}  // namespace
}  // namespace twelvefold::actors::cloud
