/* bench-bss-N: a firmware whose RAM image is BSS_BYTES of state (plus the runtime's few bytes),
 * to measure what swapping an image of that size adds to an activation. Each wake touches one
 * cache line of it, as firmware touches some of its state. */
#include "twelvefold/firmware.h"

TF_FIRMWARE("bench-bss", "1.0.0");

#if BSS_BYTES > 0
static unsigned char state[BSS_BYTES];
#endif
static uint32_t wakes;

void setup(void) {}

void loop(void) {
  ++wakes;
#if BSS_BYTES > 0
  state[(wakes * 64u) % BSS_BYTES] += 1;
#endif
  tf_sleep(60);
}
