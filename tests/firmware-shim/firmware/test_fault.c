/* test-fault: faults on demand, to check that a twin is reset like hardware and the run goes on.
 *
 * The test picks the fault through the "fault" sensor (read at every wake; absent = none) and
 * the "setup_fault" sensor (read in setup()). Every entry point logs "key=value" lines:
 * setup logs the reset cause and count it boots with; loop logs its wake count, which lives in
 * .bss and so starts again from zero after a reset.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "twelvefold/firmware.h"

TF_FIRMWARE("test-fault", "1.0.0");

enum fault {
  FAULT_NONE = 0,
  FAULT_ASSERT = 1,
  FAULT_ABORT = 2,
  FAULT_EXIT = 3,
  FAULT_HANG = 4,            /* polls tf_millis(), which never advances without tf_delay */
  FAULT_DELAY_LOOP = 5,      /* waits in tf_delay for something that never happens */
  FAULT_WATCHDOG_ASLEEP = 6, /* starts a 10 s watchdog, then sleeps an hour */
  FAULT_WATCHDOG_KICKED = 7, /* 10 s watchdog, kicked from a 2 s loop: never bites */
};

static uint32_t wakes;
static uint32_t boots;
static uint32_t values[4] = {1, 2, 3, 4}; /* .data: back to these after a reset */

static void report(const char* key, long long value) {
  char line[64];
  snprintf(line, sizeof line, "%s=%lld", key, value);
  tf_log(TF_LOG_INFO, line);
}

static int sensor(const char* name) {
  double value = 0.0;
  return tf_sensor_read(name, &value) == TF_OK ? (int)value : 0;
}

void setup(void) {
  ++boots;
  report("boot_reason", tf_reset_reason());
  report("boot_count", tf_reset_count());
  report("boots", boots);
  if (sensor("setup_fault") == FAULT_ASSERT) assert(boots == 0 && "setup fails");
}

void loop(void) {
  ++wakes;
  values[wakes % 4] += 10;
  report("wakes", wakes);
  report("values_sum", values[0] + values[1] + values[2] + values[3]);
  switch (sensor("fault")) {
    case FAULT_ASSERT:
      assert(wakes > 1000000 && "wakes is small");
      break;
    case FAULT_ABORT:
      abort();
    case FAULT_EXIT:
      exit(3);
    case FAULT_HANG: {
      const uint64_t until = tf_millis() + 10;
      while (tf_millis() < until) {
      }
      break;
    }
    case FAULT_DELAY_LOOP:
      tf_watchdog_start(5000);
      for (;;) tf_delay(100);
    case FAULT_WATCHDOG_ASLEEP:
      tf_watchdog_start(10000);
      tf_sleep(3600);
      return;
    case FAULT_WATCHDOG_KICKED:
      tf_watchdog_start(10000);
      for (int i = 0; i < 20; ++i) {
        tf_delay(2000);
        tf_watchdog_kick();
      }
      tf_sleep(5);
      return;
    default:
      break;
  }
  report("survived", 1);
  tf_sleep(60);
}
