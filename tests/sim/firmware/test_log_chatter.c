/* test-log-chatter: a firmware for the config and log scenario tests (tests/sim).
 *
 * Every hour it wakes, reads the env vars `color` (firmware default "none") and `shape`, logs
 * one line at each level (error, warn, info, debug; two info lines say which color and shape it
 * sees) and asks for a sync. Which lines reach the cloud depends on `_log_level`; what `color`
 * resolves to shows the precedence of device, fleet and project scopes as the device sees it.
 */
#include <stdio.h>

#include "twelvefold/firmware.h"

TF_FIRMWARE("test-log-chatter", "1.0.0");

static uint32_t wakes;

void setup(void) {
  char response[128];
  tf_request("{\"req\":\"hub.set\",\"product\":\"com.example:chatter\",\"mode\":\"periodic\"}",
             response, sizeof response);
  tf_request("{\"req\":\"env.default\",\"name\":\"color\",\"text\":\"none\"}", response,
             sizeof response);
}

void loop(void) {
  char response[128];
  char color[32] = "?";
  ++wakes;
  if (tf_request("{\"req\":\"env.get\",\"name\":\"color\"}", response, sizeof response) >= 0) {
    tf_json_string(response, "text", color, sizeof color);
  }
  char shape[32] = "?";
  if (tf_request("{\"req\":\"env.get\",\"name\":\"shape\"}", response, sizeof response) >= 0) {
    tf_json_string(response, "text", shape, sizeof shape);
  }
  char line[96];
  snprintf(line, sizeof line, "color=%s", color);
  tf_log(TF_LOG_INFO, line);
  snprintf(line, sizeof line, "shape=%s", shape);
  tf_log(TF_LOG_INFO, line);
  snprintf(line, sizeof line, "wake %u", (unsigned)wakes);
  tf_log(TF_LOG_DEBUG, line);
  tf_log(TF_LOG_WARN, "warn tick");
  tf_log(TF_LOG_ERROR, "error tick");
  tf_request("{\"req\":\"note.add\",\"file\":\"data.qo\",\"body\":{\"n\":1}}", response,
             sizeof response);
  tf_request("{\"req\":\"hub.sync\"}", response, sizeof response);
  tf_sleep(3600);
}
