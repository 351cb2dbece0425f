// MQTT sink: one publish per event, QoS 0 or 1, through libmosquitto (docs/cloud-routes.md).
// The client's network loop runs on its own thread (mosquitto_loop_start); deliver() waits for
// the broker's CONNACK and, per message, for libmosquitto's publish callback (for QoS 1: the
// broker's PUBACK; for QoS 0: the message written to the socket).
#include <mosquitto.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>

#include "cloud/sink_worker.hpp"

namespace twelvefold::actors::cloud {
namespace {

constexpr auto broker_timeout = std::chrono::seconds(5);

void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

class mqtt_transport final : public sink_transport {
 public:
  mqtt_transport(endpoint_url url, std::string display, int qos)
      : url_(std::move(url)), display_(std::move(display)), qos_(qos) {
    init_library_once();
    topic_ = url_.path.size() > 1 ? url_.path.substr(1) : "twelvefold/{serial}/{file}";
  }
  ~mqtt_transport() override { disconnect(); }

  std::size_t deliver(std::span<const sink_event> events, std::string& error) override {
    if (client_ == nullptr && !connect(error)) return 0;
    std::unique_lock lock(mutex_);
    std::vector<int> mids;
    mids.reserve(events.size());
    std::size_t queued = 0;
    for (const sink_event& e : events) {
      int mid = 0;
      const int rc =
          mosquitto_publish(client_, &mid, e.topic.empty() ? topic_.c_str() : e.topic.c_str(),
                            static_cast<int>(e.json.size()), e.json.data(), qos_, false);
      if (rc != MOSQ_ERR_SUCCESS) {
        error = std::string("publish: ") + mosquitto_strerror(rc);
        break;
      }
      mids.push_back(mid);
      ++queued;
    }
    const bool all = done_.wait_for(lock, broker_timeout, [&] {
      if (lost_) return true;
      return std::all_of(mids.begin(), mids.end(), [&](int m) { return published_.contains(m); });
    });
    std::size_t delivered = 0;
    while (delivered < mids.size() && published_.contains(mids[delivered])) ++delivered;
    for (int m : mids) published_.erase(m);
    const bool lost = lost_;
    lock.unlock();
    if (delivered < queued) {
      error = lost ? "connection to the broker lost"
                   : (all ? "not acknowledged" : "no acknowledgement within 5 s");
    }
    if (lost || delivered < events.size()) disconnect();
    return delivered;
  }
  [[nodiscard]] std::string target() const override { return display_; }

 private:
  bool connect(std::string& error) {
    client_ = mosquitto_new(nullptr, true, this);
    if (client_ == nullptr) {
      error = "cannot create an MQTT client";
      return false;
    }
    mosquitto_connect_callback_set(client_, [](mosquitto*, void* self, int rc) {
      auto* t = static_cast<mqtt_transport*>(self);
      std::lock_guard lock(t->mutex_);
      t->connack_ = rc;
      t->done_.notify_all();
    });
    mosquitto_disconnect_callback_set(client_, [](mosquitto*, void* self, int) {
      auto* t = static_cast<mqtt_transport*>(self);
      std::lock_guard lock(t->mutex_);
      t->lost_ = true;
      t->done_.notify_all();
    });
    mosquitto_publish_callback_set(client_, [](mosquitto*, void* self, int mid) {
      auto* t = static_cast<mqtt_transport*>(self);
      std::lock_guard lock(t->mutex_);
      t->published_.insert(mid);
      t->done_.notify_all();
    });
    {
      std::lock_guard lock(mutex_);
      connack_ = -1;
      lost_ = false;
      published_.clear();
    }
    int rc = mosquitto_connect(client_, url_.host.c_str(), url_.port, 30);
    if (rc == MOSQ_ERR_ERRNO) {
      error = std::string("connect: ") + std::strerror(errno);
    } else if (rc != MOSQ_ERR_SUCCESS) {
      error = std::string("connect: ") + mosquitto_strerror(rc);
    } else if ((rc = mosquitto_loop_start(client_)) != MOSQ_ERR_SUCCESS) {
      error = std::string("network loop: ") + mosquitto_strerror(rc);
    } else {
      std::unique_lock lock(mutex_);
      done_.wait_for(lock, broker_timeout, [this] { return connack_ >= 0 || lost_; });
      if (connack_ == 0 && !lost_) return true;
      error = connack_ > 0 ? std::string("broker refused: ") + mosquitto_connack_string(connack_)
                           : "no CONNACK from the broker";
    }
    disconnect();
    return false;
  }

  void disconnect() {
    if (client_ == nullptr) return;
    mosquitto_disconnect(client_);
    mosquitto_loop_stop(client_, true);
    mosquitto_destroy(client_);
    client_ = nullptr;
  }

  endpoint_url url_;
  std::string display_;
  int qos_;
  std::string topic_;
  mosquitto* client_ = nullptr;
  std::mutex mutex_;
  std::condition_variable done_;
  int connack_ = -1;
  bool lost_ = false;
  std::set<int> published_;
};

}  // namespace

std::unique_ptr<sink_transport> make_mqtt_transport(endpoint_url url, std::string display_url,
                                                    int qos) {
  return std::make_unique<mqtt_transport>(std::move(url), std::move(display_url), qos);
}

}  // namespace twelvefold::actors::cloud
