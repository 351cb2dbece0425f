/* test-eager: a host that wants every reading out at once (note.add sync:true every 5 min).
 *
 * Without coverage its sessions fail; the network's modem then holds it in the registration
 * penalty box, and the module (reflecting the box) waits it out instead of trying every wake.
 */
#include "twelvefold/firmware.h"

TF_FIRMWARE("test-eager", "1.0.0");

void setup(void) {
  char response[128];
  tf_request(
      "{\"req\":\"hub.set\",\"product\":\"com.example.twelvefold:eager\","
      "\"mode\":\"periodic\"}",
      response, sizeof response);
}

void loop(void) {
  char response[128];
  tf_request("{\"req\":\"note.add\",\"file\":\"readings.qo\",\"body\":{\"v\":1},\"sync\":true}",
             response, sizeof response);
  tf_sleep(300u);
}
