/* bench-idle: the least a firmware can do per wake, to measure the shim's own cost. */
#include "twelvefold/firmware.h"

TF_FIRMWARE("bench-idle", "1.0.0");

static uint32_t wakes;

void setup(void) {}

void loop(void) {
  ++wakes;
  tf_sleep(60);
}
