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
 *
 * Faults: as on an MCU, a twin whose firmware calls abort(), fails an assert(), calls exit(),
 * lets a C++ exception escape, or is bitten by its watchdog is reset: its RAM is thrown away,
 * and at its next wake (at once) setup() runs again, then loop(). The process goes on; the reset
 * is counted on the twin and tf_reset_reason() tells the firmware why it rebooted.
 */
#ifndef TWELVEFOLD_FIRMWARE_H
#define TWELVEFOLD_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#define TF_C_LINKAGE extern "C"
#else
#define TF_C_LINKAGE
#endif

/* Bumped whenever tf_host_api, tf_firmware_info, tf_runtime_state or tf_heap_header change
 * layout or meaning. The shim refuses an image built for another version.
 * 2: faults and watchdog (tf_host_api.fault/misuse/watchdog_*), runtime state, heap arena. */
#define TF_FIRMWARE_ABI_VERSION 2u

/* Log levels for tf_log (syslog-like, smaller is more severe). */
enum tf_log_level { TF_LOG_ERROR = 3, TF_LOG_WARN = 4, TF_LOG_INFO = 6, TF_LOG_DEBUG = 7 };

/* Negative error codes returned by HAL calls. */
enum tf_status {
  TF_OK = 0,
  TF_ERR_NOT_FOUND = -2, /* e.g. unknown sensor name */
  TF_ERR_NO_SPACE = -28, /* response did not fit the caller's buffer; it was truncated */
  TF_ERR_INVALID = -22,  /* null pointer or otherwise unusable argument */
};

/* Why a twin last rebooted (tf_reset_reason()). Values are part of the ABI. */
enum tf_reset_reason {
  TF_RESET_POWER_ON = 0,  /* never reset since first boot */
  TF_RESET_ASSERT = 1,    /* an assert() failed */
  TF_RESET_ABORT = 2,     /* abort() */
  TF_RESET_EXIT = 3,      /* exit() or _Exit(): an MCU has nowhere to return to */
  TF_RESET_WATCHDOG = 4,  /* the watchdog was not kicked in time (tf_watchdog_start) */
  TF_RESET_HANG = 5,      /* one activation made too many HAL calls (a loop that never ends) */
  TF_RESET_EXCEPTION = 6, /* a C++ exception escaped setup() or loop() */
  TF_RESET_HEAP = 7,      /* the heap's bookkeeping was found overwritten */
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

/* The independent watchdog. Once started it runs until the twin resets (as on most MCUs it
 * cannot be stopped); tf_watchdog_start again changes the timeout. It counts virtual time,
 * asleep or awake: firmware must kick it at least every timeout_ms, so a twin sleeping longer
 * than that is reset when the timeout elapses (the shim wakes it then), and one stuck in a
 * tf_delay() loop is reset inside the loop. Returns TF_OK, or TF_ERR_INVALID for a 0 timeout.
 * Starting also kicks. */
int tf_watchdog_start(uint32_t timeout_ms);
void tf_watchdog_kick(void);

/* Why the twin last rebooted (enum tf_reset_reason), and how many resets it has had since its
 * first boot: what an MCU's reset-cause register tells firmware in setup(). */
int tf_reset_reason(void);
uint32_t tf_reset_count(void);

/* Small helpers for reading a flat JSON response without a JSON library (as note-c's JGet*).
 * They find a top-level "key" and return its value; on absence they return the fallback. */
double tf_json_number(const char* json, const char* key, double fallback);
/* Copies the string value of "key" into out (NUL-terminated, truncated to capacity). Returns
 * 1 if found, 0 otherwise (out is then the empty string). */
int tf_json_string(const char* json, const char* key, char* out, size_t capacity);
/* 1 if the response carries an "err" field. */
int tf_json_is_error(const char* json);

/* ---- What the firmware defines ------------------------------------------------------------ */

void setup(void); /* once, at first boot of the twin (and again after every reset) */
void loop(void);  /* at every wake; request the next one with tf_sleep() */

/* Names the image; put once in one source file:  TF_FIRMWARE("env-sensor", "1.0.0"); */
#define TF_FIRMWARE(name, version)                                                              \
  TF_C_LINKAGE __attribute__((visibility("default")))                                           \
  const struct tf_firmware_info tf_firmware_info = {TF_FIRMWARE_ABI_VERSION, (name), (version), \
                                                    setup, loop}

/* Gives the image a heap of `bytes` for malloc/calloc/realloc/free/strdup. Put once in one
 * source file, e.g.  TF_HEAP(8192);  (or pass HEAP_BYTES to twelvefold_add_firmware). The heap
 * lives in the image's .bss, so it is part of every twin's RAM image: each twin has its own,
 * it is thrown away on reset, and the shim swaps only the part in use. In an image without a
 * heap malloc returns NULL (and logs why); an image that never calls malloc needs none and pays
 * nothing in its RAM image. Blocks are 16-byte aligned with a 16-byte header. */
#ifdef __cplusplus
#define TF_HEAP(bytes)                                                                            \
  extern "C" {                                                                                    \
  __attribute__((visibility("default"), aligned(16))) unsigned char tf_heap_arena[(bytes)] = {0}; \
  extern __attribute__((visibility("default"))) const size_t tf_heap_arena_bytes = (bytes);       \
  }                                                                                               \
  static_assert((bytes) >= 64, "TF_HEAP: at least 64 bytes")
#else
#define TF_HEAP(bytes)                                                                            \
  __attribute__((visibility("default"), aligned(16))) unsigned char tf_heap_arena[(bytes)] = {0}; \
  __attribute__((visibility("default"))) const size_t tf_heap_arena_bytes = (bytes);              \
  _Static_assert((bytes) >= 64, "TF_HEAP: at least 64 bytes")
#endif

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
  /* Resets the running twin (reason: enum tf_reset_reason; detail: for its log). Inside an
   * activation it does not return: it unwinds to the activation boundary. Outside one (a static
   * constructor) it returns, and the runtime stops the process as libc would have. */
  void (*fault)(int reason, const char* detail);
  /* Counts and logs a misuse the runtime detected (e.g. free() of a foreign pointer). */
  void (*misuse)(const char* what);
  int (*watchdog_start)(uint32_t timeout_ms);
  void (*watchdog_kick)(void);
};

/* Exported by every image (see TF_FIRMWARE). */
struct tf_firmware_info {
  uint32_t abi_version;
  const char* name;
  const char* version;
  void (*setup)(void);
  void (*loop)(void);
};

/* The runtime's own part of every RAM image: what a twin's hardware keeps besides the firmware's
 * globals. The shim reads and writes it at activation boundaries only. */
struct tf_runtime_state {
  uint64_t copy_token; /* the loaded copy this image belongs to (its pointers point there) */
  const struct tf_host_api* host;
  int64_t watchdog_deadline_us; /* virtual time at which an armed watchdog bites */
  uint32_t watchdog_timeout_ms; /* 0: not started */
  uint32_t reset_count;         /* resets since first boot; survives resets */
  int32_t reset_reason;         /* enum tf_reset_reason of the last reset */
  uint32_t reset_pending;       /* 1: the next activation reboots (setup, then loop) */
};

/* The first bytes of a heap arena (TF_HEAP). All zero in a pristine image; the allocator fills
 * it in on first use. Offsets are from the arena's start. */
struct tf_heap_header {
  uint32_t magic;       /* TF_HEAP_MAGIC once in use */
  uint32_t break_bytes; /* arena bytes ever handed out, header included: beyond, nothing lives */
  uint32_t free_head;   /* offset of the first free block (address order), 0: none */
  uint32_t reserved;
};
#define TF_HEAP_MAGIC 0x50484654u /* "TFHP" */

/* Exported by the runtime linked into every image: the shim calls it once per loaded copy,
 * before it snapshots the copy's pristine RAM image, and keeps the returned state's address. */
__attribute__((visibility("default"))) struct tf_runtime_state* tf_runtime_bind(
    const struct tf_host_api* host, uint64_t copy_token);

#ifdef __cplusplus
}
#endif

#endif /* TWELVEFOLD_FIRMWARE_H */
