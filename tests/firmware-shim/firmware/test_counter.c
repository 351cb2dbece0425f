/* test-counter: globals of every kind a RAM image must carry across swaps.
 *
 * loop() counts wakes, writes the count through a pointer global into an initialised array and
 * advances the pointer, then reports everything in one log line and asks to sleep `wakes`
 * seconds, so a test can read the state back without knowing the image layout.
 */
#include <stdio.h>

#include "twelvefold/firmware.h"

TF_FIRMWARE("test-counter", "1.0.0");

#define SLOTS 8

static uint32_t wakes;  /* .bss */
static uint32_t booted; /* .bss, set by setup() only */
static uint32_t history[SLOTS] = {100, 101, 102, 103, 104, 105, 106, 107}; /* .data */
static uint32_t* cursor = &history[0]; /* points at another global: relocated, in .data */

void setup(void) { booted = 1; }

void loop(void) {
  ++wakes;
  *cursor = wakes;
  cursor = (cursor == &history[SLOTS - 1]) ? &history[0] : cursor + 1;
  uint32_t sum = 0;
  for (int i = 0; i < SLOTS; ++i) sum += history[i];
  char line[96];
  snprintf(line, sizeof line, "wakes=%u booted=%u slot=%d sum=%u", (unsigned)wakes,
           (unsigned)booted, (int)(cursor - history), (unsigned)sum);
  tf_log(TF_LOG_INFO, line);
  tf_sleep(wakes);
}
