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

namespace twelvefold::actors::cloud {
namespace {

constexpr auto guard = std::chrono::seconds(20);  // only a hang guard, never timing

// A port nothing listens on: bound, then released.
int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

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
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/ingest";
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
    port_ = closed_port();
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    broker_ = fork();
    if (broker_ == 0) {
      dup2(out[1], STDERR_FILENO);
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      execl(binary.c_str(), binary.c_str(), "-p", std::to_string(port_).c_str(), nullptr);
      _exit(127);
    }
    close(out[1]);
    // The broker says "running" once its sockets listen.
    FILE* log = fdopen(out[0], "r");
    char line[512];
    bool running = false;
    while (!running && std::fgets(line, sizeof line, log) != nullptr) {
      running = std::strstr(line, " running") != nullptr;
    }
    log_ = log;
    ASSERT_TRUE(running) << "mosquitto did not start on port " << port_;

    mosquitto_lib_init();
    sub_ = mosquitto_new(nullptr, true, this);
    mosquitto_subscribe_callback_set(sub_, [](mosquitto*, void* self, int, int, const int*) {
      auto* t = static_cast<MqttSink*>(self);
      std::lock_guard lock(t->mutex_);
      t->subscribed_ = true;
      t->changed_.notify_all();
    });
    mosquitto_message_callback_set(sub_, [](mosquitto*, void* self, const mosquitto_message* m) {
      auto* t = static_cast<MqttSink*>(self);
      std::lock_guard lock(t->mutex_);
      t->messages_.emplace_back(m->topic, std::string(static_cast<const char*>(m->payload),
                                                      static_cast<std::size_t>(m->payloadlen)));
      t->changed_.notify_all();
    });
    ASSERT_EQ(mosquitto_connect(sub_, "127.0.0.1", port_, 30), MOSQ_ERR_SUCCESS);
    ASSERT_EQ(mosquitto_subscribe(sub_, nullptr, "t/#", 1), MOSQ_ERR_SUCCESS);
    ASSERT_EQ(mosquitto_loop_start(sub_), MOSQ_ERR_SUCCESS);
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, guard, [this] { return subscribed_; }));
  }
  void TearDown() override {
    if (sub_ != nullptr) {
      mosquitto_disconnect(sub_);
      mosquitto_loop_stop(sub_, true);
      mosquitto_destroy(sub_);
    }
    if (broker_ > 0) {
      kill(broker_, SIGTERM);
      waitpid(broker_, nullptr, 0);
    }
    if (log_ != nullptr) std::fclose(log_);
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
  const int dead = closed_port();
  sink_worker w(named("nobroker", "mqtt"), mqtt_to(dead, 1, "/t/x"),
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
