// The activation running on this thread, which the host table's functions act on.
//
// Firmware calls the HAL with no context argument (it is C written for one MCU), so the shim
// keeps "which twin is running" in a thread_local: each worker thread runs one activation at a
// time, and different copies on different threads never see each other's twin.
#pragma once

#include <cstdint>

#include "twelvefold/firmware.h"
#include "twelvefold/shim/host.hpp"

namespace twelvefold::shim::detail {

struct activation {
  twin_host* host = nullptr;
  std::int64_t start_us = 0;  // host->now_us(), read once: it is fixed for the activation
  std::int64_t boot_us = 0;   // host->boot_us(), likewise
  std::int64_t busy_us = 0;   // advanced by tf_delay()
  std::uint32_t sleep_request_s = 0;
  bool sleep_requested = false;
  std::uint32_t misuse_count = 0;  // HAL calls with unusable arguments (each is also logged)

  [[nodiscard]] std::int64_t now_us() const { return start_us + busy_us; }
};

// Makes `current` the activation of this thread for the scope's lifetime (restoring the previous
// one after, so nesting is harmless).
class activation_scope {
 public:
  explicit activation_scope(activation& current);
  ~activation_scope();
  activation_scope(const activation_scope&) = delete;
  activation_scope& operator=(const activation_scope&) = delete;

 private:
  activation* previous_;
};

// The service table bound into every loaded copy. Its functions dispatch to the thread's current
// activation; outside any activation they do nothing harmful and count a stray call.
const tf_host_api& host_table();

// HAL calls made outside any activation (e.g. from a firmware's static constructor), process-wide.
std::uint64_t stray_hal_calls();

}  // namespace twelvefold::shim::detail
