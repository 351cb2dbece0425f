// The activation running on this thread, which the host table's functions act on.
//
// Firmware calls the HAL with no context argument (it is C written for one MCU), so the shim
// keeps "which twin is running" in a thread_local: each worker thread runs one activation at a
// time, and different copies on different threads never see each other's twin.
#pragma once

#include <csetjmp>
#include <cstdint>

#include "twelvefold/firmware.h"
#include "twelvefold/shim/host.hpp"

namespace twelvefold::shim::detail {

// An activation that makes more HAL calls than this is taken to be stuck in a loop that cannot
// end (e.g. polling tf_millis(), which only tf_delay() advances) and its twin is reset with
// TF_RESET_HANG. Native code cannot be interrupted safely, so a loop that makes no HAL call at
// all is not caught: it hangs its worker, as it would hang an MCU without a watchdog interrupt.
// Real firmware makes tens of calls per wake; a million costs ~10-100 ms of CPU.
inline constexpr std::uint32_t max_hal_calls_per_activation = 1'000'000;

struct activation {
  twin_host* host = nullptr;
  tf_runtime_state* state = nullptr;  // the running copy's live runtime state (watchdog)
  std::int64_t start_us = 0;          // host->now_us(), read once: it is fixed for the activation
  std::int64_t boot_us = 0;           // host->boot_us(), likewise
  std::int64_t busy_us = 0;           // advanced by tf_delay()
  std::uint32_t sleep_request_s = 0;
  bool sleep_requested = false;
  std::uint32_t misuse_count = 0;  // HAL calls with unusable arguments (each is also logged)
  std::uint32_t hal_calls = 0;
  // Set when firmware faulted: the tf_reset_reason, and where to unwind to. `jump` is armed
  // (jump_armed) only while setup() or loop() runs; the frames between it and a fault are the
  // firmware's and the HAL's, none of which holds an object with a destructor at that point.
  int fault_reason = TF_RESET_POWER_ON;
  bool jump_armed = false;
  sigjmp_buf jump;

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

// Ends the activation with a reset: logs `detail` on the twin and unwinds to the activation's
// jump point. Returns (doing nothing) only if no jump point is armed.
void fault(activation& current, int reason, const char* detail);

}  // namespace twelvefold::shim::detail
