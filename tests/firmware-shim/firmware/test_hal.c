/* test-hal: calls every HAL function, including with bad arguments, and logs each result as a
 * "key=value" line for the test to check. */
#include <stdio.h>

#include "twelvefold/firmware.h"

TF_FIRMWARE("test-hal", "1.0.0");

static uint32_t loops;

static void report(const char* key, long long value) {
  char line[64];
  snprintf(line, sizeof line, "%s=%lld", key, value);
  tf_log(TF_LOG_INFO, line);
}

static void report_text(const char* key, const char* text) {
  char line[160];
  snprintf(line, sizeof line, "%s=%s", key, text);
  tf_log(TF_LOG_INFO, line);
}

void setup(void) { tf_log(TF_LOG_INFO, "setup=1"); }

void loop(void) {
  char response[64];
  double value = 0.0;
  ++loops;
  report("loops", loops);
  report("millis_start", (long long)tf_millis());
  tf_delay(1500);
  report("millis_after_delay", (long long)tf_millis());

  report("temp_rc", tf_sensor_read("temperature_c", &value));
  report("temp_centi", (long long)(value * 100.0));
  report("missing_rc", tf_sensor_read("no_such_sensor", &value));
  report("null_name_rc", tf_sensor_read(NULL, &value));
  report("null_value_rc", tf_sensor_read("temperature_c", NULL));

  report("small_rc", tf_request("{\"req\":\"card.time\"}", response, 4));
  report_text("small_text", response);
  report("cmd_rc", tf_request("{\"cmd\":\"hub.sync\"}", response, sizeof response));
  report_text("cmd_text", response);
  report("null_request_rc", tf_request(NULL, response, sizeof response));
  report("null_response_rc", tf_request("{\"req\":\"card.time\"}", NULL, 10));
  report("discard_rc", tf_request("{\"req\":\"card.time\"}", NULL, 0));
  report("garbage_rc", tf_request("not json", response, sizeof response));
  report_text("garbage_is_error", tf_json_is_error(response) ? "yes" : "no");
  tf_log(TF_LOG_INFO, NULL);

  tf_sleep(10);
  tf_sleep(20); /* the last request wins */
}
