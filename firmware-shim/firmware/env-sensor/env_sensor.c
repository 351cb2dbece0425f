/* env-sensor: a battery-powered environmental sensor, written as for a microcontroller.
 *
 * Every sample_mins minutes it wakes, reads the temperature, queues it as a Note in sensors.qo
 * and goes back to sleep. The module syncs on its own every sync_mins (hub.set outbound), while
 * the host sleeps: the firmware never calls hub.sync for routine data, as a Notecard host should
 * not (a second, host-driven cadence beside the module's would double the sessions). Both
 * cadences are environment variables with firmware defaults, so the fleet is retuned from the
 * cloud without a firmware update (factor 3). Before the module has ever learned the time, each
 * Note carries the device's uptime instead, so the cloud can still place it (factor 7). A jump
 * of more than 5 °C since the previous sample is sent at once (sync:true) rather than hourly.
 *
 * State lives in globals, as on an MCU whose RAM is retained while it sleeps: that is the twin's
 * RAM image. Request/response buffers are on the stack, so they cost the image nothing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "twelvefold/firmware.h"

TF_FIRMWARE("env-sensor", "1.0.0");

#define PRODUCT_UID "com.example.twelvefold:env-sensor"
#define DEFAULT_SAMPLE_MINS 15u
#define DEFAULT_SYNC_MINS 60u
#define MAX_CADENCE_MINS (7u * 24u * 60u) /* beyond a week is surely a typo in the env */
#define SENSOR_WARMUP_MS 20u              /* the sensor needs this after power-up */
#define ALERT_DELTA_C 5.0 /* a jump this large between samples is news: sync it at once */

/* Retained across sleep. */
static uint32_t samples_taken;          /* since first boot */
static uint32_t outbound_mins;          /* the module's outbound interval we set; 0 not yet */
static double last_temperature_c = NAN; /* NAN until the first good reading */
static uint32_t sample_mins = DEFAULT_SAMPLE_MINS;
static uint32_t sync_mins = DEFAULT_SYNC_MINS;
static uint32_t request_failures; /* answers with "err", or too long for our buffer */

/* Sends a request whose answer only matters for errors. Returns 1 on success. */
static int send(const char* request) {
  char response[128];
  if (tf_request(request, response, sizeof response) < 0 || tf_json_is_error(response)) {
    ++request_failures;
    tf_log(TF_LOG_WARN, response);
    return 0;
  }
  return 1;
}

/* Reads a cadence in minutes from the environment; keeps `current` if unset or unusable. */
static uint32_t env_minutes(const char* name, uint32_t current) {
  char request[96];
  char response[128];
  char text[24];
  snprintf(request, sizeof request, "{\"req\":\"env.get\",\"name\":\"%s\"}", name);
  if (tf_request(request, response, sizeof response) < 0 || tf_json_is_error(response)) {
    ++request_failures;
    return current;
  }
  if (!tf_json_string(response, "text", text, sizeof text)) return current;
  char* end = NULL;
  const unsigned long minutes = strtoul(text, &end, 10);
  if (end == text || *end != '\0' || minutes == 0 || minutes > MAX_CADENCE_MINS) {
    tf_log(TF_LOG_WARN, "env: ignoring an unusable cadence");
    return current;
  }
  return (uint32_t)minutes;
}

/* 1 once the module knows UTC (card.time then carries "time"). */
static int time_known(void) {
  char response[96];
  if (tf_request("{\"req\":\"card.time\"}", response, sizeof response) < 0) return 0;
  return tf_json_number(response, "time", 0.0) > 0.0;
}

static void record_sample(void) {
  double temperature_c = 0.0;
  tf_delay(SENSOR_WARMUP_MS);
  if (tf_sensor_read("temperature_c", &temperature_c) != TF_OK || !isfinite(temperature_c)) {
    tf_log(TF_LOG_WARN, "temperature_c: no reading");
    return;
  }
  const int alert =
      !isnan(last_temperature_c) && fabs(temperature_c - last_temperature_c) > ALERT_DELTA_C;
  last_temperature_c = temperature_c;

  char request[192];
  const char* sync = alert ? ",\"sync\":true" : "";
  if (time_known()) {
    /* The module stamps the Note with UTC itself. */
    snprintf(request, sizeof request,
             "{\"req\":\"note.add\",\"file\":\"sensors.qo\",\"body\":{\"temp\":%.1f}%s}",
             temperature_c, sync);
  } else {
    snprintf(request, sizeof request,
             "{\"req\":\"note.add\",\"file\":\"sensors.qo\",\"body\":{\"temp\":%.1f,"
             "\"uptime_s\":%lu}%s}",
             temperature_c, (unsigned long)(tf_millis() / 1000u), sync);
  }
  if (send(request)) ++samples_taken;
}

/* Tells the module to sync every sync_mins (once, and again whenever the cadence changes). */
static void keep_outbound_interval(void) {
  if (outbound_mins == sync_mins) return;
  char request[64];
  snprintf(request, sizeof request, "{\"req\":\"hub.set\",\"outbound\":%lu}",
           (unsigned long)sync_mins);
  if (send(request)) outbound_mins = sync_mins;
}

void setup(void) {
  send("{\"req\":\"hub.set\",\"product\":\"" PRODUCT_UID "\",\"mode\":\"periodic\"}");
  send("{\"req\":\"env.default\",\"name\":\"sample_mins\",\"text\":\"15\"}");
  send("{\"req\":\"env.default\",\"name\":\"sync_mins\",\"text\":\"60\"}");
}

void loop(void) {
  sample_mins = env_minutes("sample_mins", sample_mins);
  sync_mins = env_minutes("sync_mins", sync_mins);

  keep_outbound_interval();
  record_sample();
  tf_sleep(sample_mins * 60u);
}
