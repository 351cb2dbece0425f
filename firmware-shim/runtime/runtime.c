/* The firmware runtime: the HAL functions of <twelvefold/firmware.h>, linked into every image.
 *
 * Each function forwards to the host's service table, which the shim hands over once per loaded
 * copy through tf_runtime_bind(). The table pointer lives in the image's .bss on purpose: it is
 * set before the shim snapshots the pristine RAM image, so every twin's image carries it and
 * swapping images never unbinds the runtime.
 *
 * Until bound (e.g. from a static constructor run by dlopen) every call is a harmless no-op
 * with a neutral result; firmware misuse never crashes the host.
 */
#include <stddef.h>

#include "twelvefold/firmware.h"

static const struct tf_host_api* host_;

void tf_runtime_bind(const struct tf_host_api* host) {
  /* A table of another layout would be called through the wrong slots: stay unbound. */
  if (host != NULL && host->abi_version != TF_FIRMWARE_ABI_VERSION) host = NULL;
  host_ = host;
}

uint64_t tf_millis(void) { return host_ != NULL ? host_->millis() : 0; }

void tf_delay(uint32_t ms) {
  if (host_ != NULL) host_->delay_ms(ms);
}

void tf_sleep(uint32_t seconds) {
  if (host_ != NULL) host_->sleep_s(seconds);
}

int tf_sensor_read(const char* name, double* value) {
  if (host_ == NULL) return TF_ERR_NOT_FOUND;
  return host_->sensor_read(name, value);
}

void tf_log(int level, const char* text) {
  if (host_ != NULL) host_->log(level, text);
}

int tf_request(const char* request_json, char* response, size_t capacity) {
  if (host_ == NULL) {
    if (response != NULL && capacity > 0) response[0] = '\0';
    return TF_ERR_INVALID;
  }
  return host_->request(request_json, response, capacity);
}
