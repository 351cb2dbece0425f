/* door-counter: an example of firmware built outside the twelvefold tree.
 *
 * Counts door openings (the "door_open" sensor: 1 while open), keeps the durations of the last
 * few openings in a heap-allocated ring (to show the twin's own heap), and reports a summary
 * Note every report_mins (env var, default 60).
 */
#include <stdio.h>
#include <stdlib.h>

#include "twelvefold/firmware.h"

TF_FIRMWARE("door-counter", "0.1.0");

#define RING 8u

static uint32_t openings;
static int was_open;
static uint64_t opened_at_ms;
static uint32_t* durations_s; /* RING entries on the twin's heap */
static uint32_t minutes_since_report;

void setup(void) {
  durations_s = calloc(RING, sizeof *durations_s);
  char rsp[64];
  tf_request("{\"req\":\"env.default\",\"name\":\"report_mins\",\"text\":\"60\"}", rsp, sizeof rsp);
}

void loop(void) {
  double open = 0.0;
  tf_sensor_read("door_open", &open);
  if (open >= 1.0 && !was_open) {
    opened_at_ms = tf_millis();
  } else if (open < 1.0 && was_open && durations_s != NULL) {
    durations_s[openings % RING] = (uint32_t)((tf_millis() - opened_at_ms) / 1000u);
    ++openings;
  }
  was_open = open >= 1.0;

  char rsp[128];
  char text[16] = "60";
  tf_request("{\"req\":\"env.get\",\"name\":\"report_mins\"}", rsp, sizeof rsp);
  tf_json_string(rsp, "text", text, sizeof text);
  const uint32_t report_mins = (uint32_t)strtoul(text, NULL, 10);
  if (++minutes_since_report >= (report_mins > 0 ? report_mins : 60u)) {
    minutes_since_report = 0;
    char req[160];
    snprintf(
        req, sizeof req,
        "{\"req\":\"note.add\",\"file\":\"doors.qo\",\"body\":{\"openings\":%lu,"
        "\"last_s\":%lu}}",
        (unsigned long)openings,
        (unsigned long)(openings > 0 && durations_s != NULL ? durations_s[(openings - 1) % RING]
                                                            : 0));
    tf_request(req, rsp, sizeof rsp);
  }
  tf_log(TF_LOG_INFO, was_open ? "door=open" : "door=closed");
  tf_sleep(60);
}
