/* The firmware runtime: the HAL functions of <twelvefold/firmware.h>, linked into every image.
 *
 * Each function forwards to the host's service table, which the shim hands over once per loaded
 * copy through tf_runtime_bind(). The table pointer lives in the image's .bss (inside `state_`)
 * on purpose: it is set before the shim snapshots the pristine RAM image, so every twin's image
 * carries it and swapping images never unbinds the runtime. The same goes for the copy token,
 * which lets the shim check cheaply that an image is run on the copy it was saved from.
 *
 * Until bound (e.g. from a static constructor run by dlopen) every call is a harmless no-op
 * with a neutral result; firmware misuse never crashes the host.
 */
#include <stddef.h>

#include "runtime_internal.h"

static struct tf_runtime_state state_;

struct tf_runtime_state* tf_runtime_bind(const struct tf_host_api* host, uint64_t copy_token) {
  /* A table of another layout would be called through the wrong slots: stay unbound. */
  if (host != NULL && host->abi_version != TF_FIRMWARE_ABI_VERSION) host = NULL;
  state_.host = host;
  state_.copy_token = copy_token;
  return &state_;
}

const struct tf_host_api* tf_runtime_host(void) { return state_.host; }

void tf_runtime_fault(int reason, const char* detail) {
  if (state_.host != NULL) state_.host->fault(reason, detail);
  /* Only reached outside any activation (a static constructor or destructor), where no twin
   * exists to reset: stop as the libc function we replace would have. */
  __builtin_trap();
}

void tf_runtime_misuse(const char* what) {
  if (state_.host != NULL) state_.host->misuse(what);
}

void tf_runtime_log(int level, const char* text) {
  if (state_.host != NULL) state_.host->log(level, text);
}

uint64_t tf_millis(void) { return state_.host != NULL ? state_.host->millis() : 0; }

void tf_delay(uint32_t ms) {
  if (state_.host != NULL) state_.host->delay_ms(ms);
}

void tf_sleep(uint32_t seconds) {
  if (state_.host != NULL) state_.host->sleep_s(seconds);
}

int tf_sensor_read(const char* name, double* value) {
  if (state_.host == NULL) return TF_ERR_NOT_FOUND;
  return state_.host->sensor_read(name, value);
}

void tf_log(int level, const char* text) { tf_runtime_log(level, text); }

int tf_request(const char* request_json, char* response, size_t capacity) {
  if (state_.host == NULL) {
    if (response != NULL && capacity > 0) response[0] = '\0';
    return TF_ERR_INVALID;
  }
  return state_.host->request(request_json, response, capacity);
}

int tf_watchdog_start(uint32_t timeout_ms) {
  if (state_.host == NULL) return TF_ERR_INVALID;
  return state_.host->watchdog_start(timeout_ms);
}

void tf_watchdog_kick(void) {
  if (state_.host != NULL) state_.host->watchdog_kick();
}

/* Read straight from the state the shim maintains in the image: no host call needed. */
int tf_reset_reason(void) { return state_.reset_reason; }

uint32_t tf_reset_count(void) { return state_.reset_count; }
