/* test-routes: exercises factors 3 and 5 from the device side, for the routes scenario test.
 *
 * Every wake (10 minutes) it posts a reading to the cloud route "api" (web.post, async), keeps
 * its wake count in the replicated database state.db (note "dev"), consumes the inbound queue
 * data.qi and reads config.db note "cfg", reporting what came down in got.qo, then syncs:
 *   {"inbound": <n>}  for each inbound Note consumed, n = its "n" field
 *   {"level": <l>}    whenever config.db/cfg's "level" changes
 */
#include <stdio.h>
#include <string.h>

#include "twelvefold/firmware.h"

TF_FIRMWARE("test-routes", "1.0.0");

static unsigned wakes;
static int level = -1;

/* The number `key` of the "body" object of a note.get response, or -1. */
static int body_number(const char* response, const char* key) {
  const char* body = strstr(response, "\"body\":");
  return body == NULL ? -1 : (int)tf_json_number(body + 7, key, -1.0);
}

void setup(void) {
  tf_request(
      "{\"req\":\"hub.set\",\"product\":\"com.example:test-routes\",\"mode\":\"periodic\","
      "\"outbound\":60,\"inbound\":60}",
      NULL, 0);
}

void loop(void) {
  char req[256];
  char rsp[512];
  ++wakes;
  snprintf(req, sizeof req,
           "{\"req\":\"web.post\",\"route\":\"api\",\"name\":\"/reading\",\"async\":true,"
           "\"body\":{\"n\":%u}}",
           wakes);
  tf_request(req, rsp, sizeof rsp);
  snprintf(
      req, sizeof req,
      "{\"req\":\"note.update\",\"file\":\"state.db\",\"note\":\"dev\",\"body\":{\"wakes\":%u}}",
      wakes);
  tf_request(req, rsp, sizeof rsp);
  for (int k = 0; k < 8; ++k) {
    if (tf_request("{\"req\":\"note.get\",\"file\":\"data.qi\",\"delete\":true}", rsp, sizeof rsp) <
            0 ||
        tf_json_is_error(rsp)) {
      break;
    }
    snprintf(req, sizeof req,
             "{\"req\":\"note.add\",\"file\":\"got.qo\",\"body\":{\"inbound\":%d}}",
             body_number(rsp, "n"));
    tf_request(req, NULL, 0);
  }
  if (tf_request("{\"req\":\"note.get\",\"file\":\"config.db\",\"note\":\"cfg\"}", rsp,
                 sizeof rsp) >= 0 &&
      !tf_json_is_error(rsp)) {
    const int now = body_number(rsp, "level");
    if (now != level) {
      level = now;
      snprintf(req, sizeof req,
               "{\"req\":\"note.add\",\"file\":\"got.qo\",\"body\":{\"level\":%d}}", level);
      tf_request(req, NULL, 0);
    }
  }
  tf_request("{\"req\":\"hub.sync\"}", NULL, 0);
  tf_sleep(600);
}
