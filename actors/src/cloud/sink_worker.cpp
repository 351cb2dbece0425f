// A real sink behind its own thread (see sink_worker.hpp).
#include "cloud/sink_worker.hpp"

#include <utility>
#include <vector>

#include "cloud/routes_match.hpp"

namespace twelvefold::actors::cloud {

sink_worker::sink_worker(route_counters counters, std::unique_ptr<sink_transport> transport,
                         retry_policy policy)
    : transport_(std::move(transport)), policy_(policy), counters_(std::move(counters)) {
  if (policy_.max_attempts == 0) policy_.max_attempts = 1;
  if (policy_.max_batch == 0) policy_.max_batch = 1;
  thread_ = std::thread([this] { run(); });
}

sink_worker::~sink_worker() { finish(std::chrono::milliseconds(0)); }

void sink_worker::begin_replay(const route_counters& at_stop) {
  std::lock_guard lock(mutex_);
  const std::string name = counters_.name;
  const std::string sink = counters_.sink;
  counters_ = at_stop;
  counters_.name = name;
  counters_.sink = sink;
  events_at_stop_ = at_stop.events;
  replaying_ = true;
  // Before any delivery: the worker thread calls the transport only for flushed events.
  transport_->continue_existing();
}

std::uint64_t sink_worker::end_replay() {
  std::lock_guard lock(mutex_);
  replaying_ = false;
  skip_ = replayed_ < events_at_stop_ ? events_at_stop_ - replayed_ : 0;
  return replayed_;
}

void sink_worker::push(sink_event event) {
  std::lock_guard lock(mutex_);
  if (replaying_) {
    ++replayed_;
    return;
  }
  if (skip_ > 0) {
    --skip_;
    return;
  }
  ++counters_.events;
  if (finished_ || queue_.size() >= policy_.queue_limit) {
    ++counters_.failed;
    counters_.last_error = "route \"" + counters_.name + "\" (" + transport_->target() +
                           "): queue full (" + std::to_string(policy_.queue_limit) +
                           " events waiting); the sink cannot keep up";
    return;
  }
  queue_.push_back(std::move(event));
}

void sink_worker::flush() {
  {
    std::lock_guard lock(mutex_);
    if (due_ == queue_.size()) return;
    due_ = queue_.size();
  }
  wake_.notify_one();
}

route_counters sink_worker::finish(std::chrono::milliseconds drain) {
  std::unique_lock lock(mutex_);
  if (!finished_) {
    finished_ = true;
    due_ = queue_.size();
    wake_.notify_one();
    idle_.wait_for(lock, drain, [this] { return queue_.empty() && !busy_; });
    stop_ = true;
    wake_.notify_one();
    lock.unlock();
    thread_.join();
    lock.lock();
    counters_.queued_at_end += queue_.size();
    queue_.clear();
    due_ = 0;
  }
  return counters_;
}

void sink_worker::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stop_ || due_ > 0; });
    if (stop_) return;
    const std::size_t n = std::min(due_, policy_.max_batch);
    std::vector<sink_event> batch;
    batch.reserve(n);
    for (std::size_t k = 0; k < n; ++k) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    due_ -= n;
    busy_ = true;
    lock.unlock();

    std::size_t done = 0;
    std::uint64_t bytes = 0;
    std::string error;
    std::uint32_t attempt = 1;
    bool abandoned = false;
    while (true) {
      const std::size_t now_done =
          transport_->deliver(std::span<const sink_event>(batch).subspan(done), error);
      for (std::size_t k = done; k < done + now_done; ++k) bytes += batch[k].json.size();
      done += now_done;
      if (done == batch.size() || attempt >= policy_.max_attempts) break;
      ++attempt;
      lock.lock();
      ++counters_.retried;
      // Back-off on the wall clock: the endpoint is real. finish() giving up wakes it early.
      const auto delay = std::chrono::milliseconds(
          backoff_delay_ms(attempt, policy_.backoff_initial_ms, policy_.backoff_max_ms));
      abandoned = wake_.wait_for(lock, delay, [this] { return stop_; });
      lock.unlock();
      if (abandoned) break;
    }

    lock.lock();
    counters_.delivered += done;
    counters_.bytes += bytes;
    const std::size_t left = batch.size() - done;
    if (left > 0) {
      if (abandoned) {
        counters_.queued_at_end += left;
      } else {
        counters_.failed += left;
      }
      counters_.last_error = "route \"" + counters_.name + "\" (" + transport_->target() +
                             "): " + error + " (" + std::to_string(attempt) + " attempt" +
                             (attempt == 1 ? "" : "s") + ")";
    }
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
    if (abandoned) return;
  }
}

}  // namespace twelvefold::actors::cloud
