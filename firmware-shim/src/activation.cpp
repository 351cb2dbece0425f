#include "activation.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "twelvefold/shim/firmware_image.hpp"
#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim::detail {
namespace {

thread_local activation* current_ = nullptr;
std::atomic<std::uint64_t> stray_calls_{0};

constexpr std::int64_t us_per_ms = 1000;

// A HAL call with no activation running. Logged once per process (there is no twin to log to,
// and a firmware that does this does it on every load), counted always.
void note_stray_call(const char* function) {
  if (stray_calls_.fetch_add(1, std::memory_order_relaxed) == 0) {
    std::fprintf(stderr, "twelvefold shim: %s called outside any activation; ignored\n", function);
  }
}

// Firmware passed something unusable: count it and tell the twin's log, never crash.
void note_misuse(activation& a, const char* what) {
  ++a.misuse_count;
  try {
    a.host->log(TF_LOG_WARN, what);
  } catch (...) {
    // The host's logger failing is no reason to unwind through firmware frames.
  }
}

// Every HAL function starts here: the running activation (null outside one, counted), with the
// call counted against the activation's budget. Called first, before the HAL function has built
// anything with a destructor, because exceeding the budget unwinds past the caller's frame.
activation* enter(const char* function) {
  activation* a = current_;
  if (a == nullptr) {
    note_stray_call(function);
    return nullptr;
  }
  if (++a->hal_calls > max_hal_calls_per_activation) {
    char detail[160];
    std::snprintf(detail, sizeof detail,
                  "%s: more than %u HAL calls in one activation; the firmware seems stuck in a "
                  "loop that cannot end",
                  function, max_hal_calls_per_activation);
    fault(*a, TF_RESET_HANG, detail);
  }
  return a;
}

[[nodiscard]] bool watchdog_armed(const activation& a) {
  return a.state != nullptr && a.state->watchdog_timeout_ms != 0;
}

uint64_t hal_millis() {
  activation* a = enter("tf_millis");
  if (a == nullptr) return 0;
  // tf_millis counts from first boot; a host whose clock is behind the boot time (a bug there)
  // still gets a monotone, non-negative answer here.
  const std::int64_t since_boot_us = std::max<std::int64_t>(0, a->now_us() - a->boot_us);
  return static_cast<uint64_t>(since_boot_us / us_per_ms);
}

void hal_delay_ms(uint32_t ms) {
  activation* a = enter("tf_delay");
  if (a == nullptr) return;
  const std::int64_t busy_before_us = a->busy_us;
  a->busy_us += static_cast<std::int64_t>(ms) * us_per_ms;
  // A twin stuck in a delay loop without kicking: the watchdog bites inside the delay, at its
  // deadline (the busy time stops there: that is when the MCU reset).
  if (watchdog_armed(*a) && a->now_us() >= a->state->watchdog_deadline_us) {
    a->busy_us = std::max(busy_before_us, a->state->watchdog_deadline_us - a->start_us);
    char detail[96];
    std::snprintf(detail, sizeof detail, "watchdog not kicked for %u ms (inside tf_delay)",
                  a->state->watchdog_timeout_ms);
    fault(*a, TF_RESET_WATCHDOG, detail);
  }
}

void hal_sleep_s(uint32_t seconds) {
  activation* a = enter("tf_sleep");
  if (a == nullptr) return;
  a->sleep_request_s = seconds;  // the last request of the activation wins
  a->sleep_requested = true;
}

int hal_sensor_read(const char* name, double* value) {
  activation* a = enter("tf_sensor_read");
  if (a == nullptr) return TF_ERR_NOT_FOUND;
  if (name == nullptr || value == nullptr) {
    note_misuse(*a, "tf_sensor_read: null name or value pointer");
    return TF_ERR_INVALID;
  }
  double reading = 0.0;
  bool found = false;
  try {
    found = a->host->read_sensor(name, a->now_us(), reading);
  } catch (const std::exception& e) {
    note_misuse(*a, (std::string("tf_sensor_read: device model failed: ") + e.what()).c_str());
  } catch (...) {
    note_misuse(*a, "tf_sensor_read: device model failed");
  }
  if (!found) return TF_ERR_NOT_FOUND;
  *value = reading;
  return TF_OK;
}

void hal_log(int level, const char* text) {
  activation* a = enter("tf_log");
  if (a == nullptr) return;
  if (text == nullptr) {
    note_misuse(*a, "tf_log: null text");
    return;
  }
  try {
    a->host->log(level, text);
  } catch (...) {
    // Losing a debug line is better than unwinding through firmware frames.
  }
}

// Copies `text` into the caller's buffer with its NUL; the tf_request return convention.
int copy_response(std::string_view text, char* response, size_t capacity) {
  if (capacity == 0) return TF_ERR_NO_SPACE;
  const size_t n = std::min(text.size(), capacity - 1);
  std::memcpy(response, text.data(), n);
  response[n] = '\0';
  return n < text.size() ? TF_ERR_NO_SPACE : static_cast<int>(n);
}

int hal_request(const char* request_json, char* response, size_t capacity) {
  activation* a = enter("tf_request");
  if (a == nullptr) {
    if (response != nullptr && capacity > 0) response[0] = '\0';
    return TF_ERR_INVALID;
  }
  // A null response with capacity 0 means "I do not want the answer": allowed, the request is
  // still made. A null response with room claimed is a bug.
  if (request_json == nullptr || (response == nullptr && capacity > 0)) {
    note_misuse(*a, "tf_request: null request or response pointer");
    if (response != nullptr && capacity > 0) response[0] = '\0';
    return TF_ERR_INVALID;
  }
  std::string answer;
  try {
    answer = a->host->comms().request(request_json, a->now_us());
  } catch (...) {
    // module::request never throws; this guards a host whose comms() does.
    note_misuse(*a, "tf_request: module unavailable");
    answer = R"({"err":"module unavailable {io}"})";
  }
  return copy_response(answer, response, capacity);
}

void hal_fault(int reason, const char* detail) {
  activation* a = current_;  // not enter(): a fault is no HAL call to budget
  if (a == nullptr) {
    note_stray_call("abort/assert/exit");  // the runtime stops the process after this
    return;
  }
  if (reason < TF_RESET_ASSERT || reason > TF_RESET_HEAP) reason = TF_RESET_ABORT;
  fault(*a, reason, detail != nullptr ? detail : "");
}

void hal_misuse(const char* what) {
  activation* a = current_;
  if (a == nullptr) {
    note_stray_call("runtime misuse report");
    return;
  }
  note_misuse(*a, what != nullptr ? what : "firmware misuse");
}

int hal_watchdog_start(uint32_t timeout_ms) {
  activation* a = enter("tf_watchdog_start");
  if (a == nullptr) return TF_ERR_INVALID;
  if (timeout_ms == 0 || a->state == nullptr) {
    note_misuse(*a, "tf_watchdog_start: a timeout of 0 ms; watchdog unchanged");
    return TF_ERR_INVALID;
  }
  a->state->watchdog_timeout_ms = timeout_ms;
  a->state->watchdog_deadline_us = a->now_us() + static_cast<std::int64_t>(timeout_ms) * us_per_ms;
  return TF_OK;
}

void hal_watchdog_kick() {
  activation* a = enter("tf_watchdog_kick");
  if (a == nullptr || !watchdog_armed(*a)) return;  // kicking a stopped watchdog is harmless
  a->state->watchdog_deadline_us =
      a->now_us() + static_cast<std::int64_t>(a->state->watchdog_timeout_ms) * us_per_ms;
}

// Kept out of fault() so that every object with a destructor is gone before the jump.
void log_fault(activation& a, int reason, const char* detail) noexcept {
  try {
    a.host->log(TF_LOG_ERROR, std::string("firmware reset (") +
                                  std::string(to_string(static_cast<reset_reason>(reason))) +
                                  "): " + detail);
  } catch (...) {
    // The reset happens whether or not it could be logged.
  }
}

constexpr tf_host_api table_{
    .abi_version = TF_FIRMWARE_ABI_VERSION,
    .millis = hal_millis,
    .delay_ms = hal_delay_ms,
    .sleep_s = hal_sleep_s,
    .sensor_read = hal_sensor_read,
    .log = hal_log,
    .request = hal_request,
    .fault = hal_fault,
    .misuse = hal_misuse,
    .watchdog_start = hal_watchdog_start,
    .watchdog_kick = hal_watchdog_kick,
};

}  // namespace

activation_scope::activation_scope(activation& current) : previous_(current_) {
  current_ = &current;
}

activation_scope::~activation_scope() { current_ = previous_; }

const tf_host_api& host_table() { return table_; }

std::uint64_t stray_hal_calls() { return stray_calls_.load(std::memory_order_relaxed); }

void fault(activation& current, int reason, const char* detail) {
  if (!current.jump_armed) {
    note_misuse(current, "firmware fault outside setup()/loop(); ignored");
    return;
  }
  log_fault(current, reason, detail);
  current.fault_reason = reason;
  current.jump_armed = false;
  siglongjmp(current.jump, 1);
}

}  // namespace twelvefold::shim::detail
