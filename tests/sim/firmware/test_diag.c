/* test-diag: a diagnostic image for env-sensor twins (DFU scenario tests, factor 8).
 *
 * A different image from the one the twins run: more RAM (a trace buffer), another name, so a
 * twin that reboots into it needs a larger RAM image bound to this image's copy, and one that
 * reverts goes back to its original image. It queues a trace Note and asks for a sync every
 * hour.
 */
#include <stdio.h>

#include "twelvefold/firmware.h"

TF_FIRMWARE("env-sensor-diag", "9.0.0");

#define TRACE_ENTRIES 1024u

static uint32_t trace[TRACE_ENTRIES]; /* makes this image's RAM larger than env-sensor's */
static uint32_t wakes;

void setup(void) {
  char response[128];
  tf_request(
      "{\"req\":\"hub.set\",\"product\":\"com.example.twelvefold:env-sensor\","
      "\"mode\":\"periodic\"}",
      response, sizeof response);
}

void loop(void) {
  char request[128];
  char response[128];
  trace[wakes % TRACE_ENTRIES] = wakes;
  ++wakes;
  snprintf(request, sizeof request,
           "{\"req\":\"note.add\",\"file\":\"diag.qo\",\"body\":{\"wake\":%lu,\"t\":%lu},"
           "\"sync\":true}",
           (unsigned long)wakes, (unsigned long)trace[(wakes - 1) % TRACE_ENTRIES]);
  tf_request(request, response, sizeof response);
  tf_sleep(3600u);
}
