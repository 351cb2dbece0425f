/* test-sleepy: a host that sleeps far longer than its module's sync interval.
 *
 * setup() asks the module for periodic syncs every 60 minutes (hub.set outbound:60); every
 * wake queues one Note and sleeps 6 hours. A Notecard syncs on its own schedule while the
 * host sleeps, so the Note reaches the cloud within the hour, not at the next host wake.
 */
#include "twelvefold/firmware.h"

TF_FIRMWARE("test-sleepy", "1.0.0");

static unsigned wakes;

void setup(void) {
  char response[128];
  tf_request(
      "{\"req\":\"hub.set\",\"product\":\"com.example.twelvefold:sleepy\","
      "\"mode\":\"periodic\",\"outbound\":60}",
      response, sizeof response);
}

void loop(void) {
  char response[128];
  ++wakes;
  tf_request("{\"req\":\"note.add\",\"file\":\"readings.qo\",\"body\":{\"wake\":1}}", response,
             sizeof response);
  tf_sleep(6u * 3600u);
}
