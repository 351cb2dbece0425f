/* twelvefold firmware API: what firmware sees of the world.
 *
 * Firmware is plain C (or C++) written as for a microcontroller: keep state in ordinary globals,
 * define setup() (run once at first boot) and loop() (run at every wake), and ask to sleep
 * before returning from loop(). Everything else goes through the harmonized request API
 * (JSON in, JSON out; see HARMONIZED-API.md), whatever the radio underneath.
 *
 * Build firmware with the CMake function twelvefold_add_firmware(NAME SOURCES...), which links
 * the small runtime that implements the functions below on top of the host's service table.
 *
 * Threading: firmware never sees threads. Each call below acts on the twin whose activation is
 * running. Time is virtual: tf_millis() advances only through tf_delay() and between wakes.
 */
#ifndef TWELVEFOLD_FIRMWARE_H
#define TWELVEFOLD_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever tf_host_api or tf_firmware_info change layout or meaning. The shim refuses an
 * image built for another version. */
#define TF_FIRMWARE_ABI_VERSION 1u

/* Log levels for tf_log (syslog-like, smaller is more severe). */
enum tf_log_level { TF_LOG_ERROR = 3, TF_LOG_WARN = 4, TF_LOG_INFO = 6, TF_LOG_DEBUG = 7 };

/* Negative error codes returned by HAL calls. */
enum tf_status {
  TF_OK = 0,
  TF_ERR_NOT_FOUND = -2, /* e.g. unknown sensor name */
  TF_ERR_NO_SPACE = -28, /* response did not fit the caller's buffer; it was truncated */
  TF_ERR_INVALID = -22,  /* null pointer or otherwise unusable argument */
};

/* ---- The HAL and request API, for firmware ------------------------------------------------ */

/* Milliseconds since this twin first booted (virtual time; survives sleep, like an RTC). */
uint64_t tf_millis(void);

/* Busy-waits ms milliseconds of virtual time (advances tf_millis; costs active-MCU energy). */
void tf_delay(uint32_t ms);

/* Asks to be woken again in `seconds` once loop() returns. The last request in an activation
 * wins; with none, the shim wakes the twin after its default interval and counts a warning. */
void tf_sleep(uint32_t seconds);

/* Reads a sensor by name ("temperature_c", "humidity_pct", "battery_v", ...). Returns TF_OK and
 * stores the reading in *value, or TF_ERR_NOT_FOUND when the device model has no such sensor. */
int tf_sensor_read(const char* name, double* value);

/* Writes one line to the twin's local debug log (not the cloud log stream: use hub.log). */
void tf_log(int level, const char* text);

/* Sends one harmonized request (a JSON object with "req" or "cmd") to the communications module
 * and writes the JSON response, NUL-terminated, into response[0..capacity). Returns the response
 * length (excluding the NUL) or TF_ERR_NO_SPACE if it was truncated. Failures of the request
 * itself are reported inside the response as {"err":"..."}, never by crashing. A "cmd" request
 * yields an empty response "{}". */
int tf_request(const char* request_json, char* response, size_t capacity);

/* Small helpers for reading a flat JSON response without a JSON library (as note-c's JGet*).
 * They find a top-level "key" and return its value; on absence they return the fallback. */
double tf_json_number(const char* json, const char* key, double fallback);
/* Copies the string value of "key" into out (NUL-terminated, truncated to capacity). Returns
 * 1 if found, 0 otherwise (out is then the empty string). */
int tf_json_string(const char* json, const char* key, char* out, size_t capacity);
/* 1 if the response carries an "err" field. */
int tf_json_is_error(const char* json);

/* ---- What the firmware defines ------------------------------------------------------------ */

void setup(void); /* once, at first boot of the twin */
void loop(void);  /* at every wake; request the next one with tf_sleep() */

/* Names the image; put once in one source file:  TF_FIRMWARE("env-sensor", "1.0.0"); */
#define TF_FIRMWARE(name, version)                                                          \
  __attribute__((visibility("default"))) const struct tf_firmware_info tf_firmware_info = { \
      TF_FIRMWARE_ABI_VERSION, (name), (version), setup, loop}

/* ---- The contract between image and shim (not for firmware authors) ----------------------- */

/* Services the shim provides to an image. Every function acts on the running twin. */
struct tf_host_api {
  uint32_t abi_version;
  uint64_t (*millis)(void);
  void (*delay_ms)(uint32_t ms);
  void (*sleep_s)(uint32_t seconds);
  int (*sensor_read)(const char* name, double* value);
  void (*log)(int level, const char* text);
  int (*request)(const char* request_json, char* response, size_t capacity);
};

/* Exported by every image (see TF_FIRMWARE). */
struct tf_firmware_info {
  uint32_t abi_version;
  const char* name;
  const char* version;
  void (*setup)(void);
  void (*loop)(void);
};

/* Exported by the runtime linked into every image: the shim calls it once per loaded copy,
 * before it snapshots the copy's pristine RAM image. */
__attribute__((visibility("default"))) void tf_runtime_bind(const struct tf_host_api* host);

#ifdef __cplusplus
}
#endif

#endif /* TWELVEFOLD_FIRMWARE_H */
