/* asset-tracker: a battery-powered tracker for pallets, trailers or tools, written as for a
 * microcontroller.
 *
 * While the asset moves it records a position every moving_secs seconds: from its own GNSS
 * receiver when that has a fix, otherwise from the module's cell/Wi-Fi triangulation (or the
 * serving tower). Positions go to track.qo as templated Notes (fixed-length binary records:
 * a few dozen bytes on the air instead of a JSON text). Syncing is motion-gated: a batch is sent
 * every sync_points positions while moving and at once when a trip ends; a parked asset stays
 * quiet, checking for motion every parked_mins and sending one heartbeat position every
 * heartbeat_hours. GNSS is powered only while moving, as it is the largest drain.
 *
 * State lives in globals, as on an MCU whose RAM is retained while it sleeps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twelvefold/firmware.h"

TF_FIRMWARE("asset-tracker", "1.0.0");

#define PRODUCT_UID "com.example.twelvefold:asset-tracker"
#define TRACK_FILE "track.qo"

/* Where a position came from (the template's "src" field: one byte on the air). */
enum source { SOURCE_NONE = 0, SOURCE_GNSS = 1, SOURCE_TRIANGULATED = 2, SOURCE_TOWER = 3 };

/* Configuration, from the environment (firmware defaults below; the fleet overrides). */
static uint32_t moving_secs = 60;
static uint32_t parked_mins = 60;
static uint32_t sync_points = 10;
static uint32_t heartbeat_hours = 24;
static double motion_threshold = 0.5;

/* Retained across sleep. */
static int moving;                /* 1 while a trip is under way */
static int gnss_powered;          /* what we last asked card.location.mode for */
static uint32_t points_unsynced;  /* positions queued since the last sync request */
static uint32_t parked_wakes;     /* wakes since the asset stopped (or booted) */
static int located_since_boot;    /* one position goes out at boot, moving or not */
static uint32_t points_recorded;  /* since first boot */
static uint32_t trips;            /* completed */
static uint32_t request_failures; /* answers with "err", or too long for our buffer */

/* Sends a request; 1 if it succeeded. The answer, if wanted, goes to response. */
static int request(const char* req, char* response, size_t capacity) {
  char scratch[160];
  if (response == NULL) {
    response = scratch;
    capacity = sizeof scratch;
  }
  if (tf_request(req, response, capacity) < 0 || tf_json_is_error(response)) {
    ++request_failures;
    tf_log(TF_LOG_WARN, response);
    return 0;
  }
  return 1;
}

/* Reads a positive whole number from the environment, keeping `current` if unset or unusable. */
static uint32_t env_uint(const char* name, uint32_t current, uint32_t max) {
  char req[96];
  char rsp[128];
  char text[24];
  snprintf(req, sizeof req, "{\"req\":\"env.get\",\"name\":\"%s\"}", name);
  if (!request(req, rsp, sizeof rsp) || !tf_json_string(rsp, "text", text, sizeof text)) {
    return current;
  }
  char* end = NULL;
  const unsigned long value = strtoul(text, &end, 10);
  if (end == text || *end != '\0' || value == 0 || value > max) return current;
  return (uint32_t)value;
}

static double env_number(const char* name, double current) {
  char req[96];
  char rsp[128];
  char text[24];
  snprintf(req, sizeof req, "{\"req\":\"env.get\",\"name\":\"%s\"}", name);
  if (!request(req, rsp, sizeof rsp) || !tf_json_string(rsp, "text", text, sizeof text)) {
    return current;
  }
  char* end = NULL;
  const double value = strtod(text, &end);
  return (end == text || *end != '\0' || value < 0.0) ? current : value;
}

static void read_config(void) {
  moving_secs = env_uint("moving_secs", moving_secs, 24u * 3600u);
  parked_mins = env_uint("parked_mins", parked_mins, 7u * 24u * 60u);
  sync_points = env_uint("sync_points", sync_points, 1000u);
  heartbeat_hours = env_uint("heartbeat_hours", heartbeat_hours, 24u * 30u);
  motion_threshold = env_number("motion_threshold", motion_threshold);
}

/* Powers the module's GNSS up (continuous while moving) or down. */
static void power_gnss(int on) {
  if (on == gnss_powered) return;
  char req[96];
  snprintf(req, sizeof req, "{\"req\":\"card.location.mode\",\"mode\":\"%s\"}",
           on ? "continuous" : "off");
  if (request(req, NULL, 0)) gnss_powered = on;
}

/* The best position there is now: our GNSS fix, else what the module knows (triangulated from
 * cell and Wi-Fi scans, or the serving tower). Returns the source, SOURCE_NONE if nothing. */
static int locate(double* lat, double* lon) {
  double ok = 0.0;
  if (tf_sensor_read("gnss_ok", &ok) == TF_OK && ok >= 1.0 &&
      tf_sensor_read("gnss_lat", lat) == TF_OK && tf_sensor_read("gnss_lon", lon) == TF_OK) {
    return SOURCE_GNSS;
  }
  char rsp[256];
  char source[24];
  if (!request("{\"req\":\"card.location\"}", rsp, sizeof rsp)) return SOURCE_NONE;
  *lat = tf_json_number(rsp, "lat", 1000.0);
  *lon = tf_json_number(rsp, "lon", 1000.0);
  if (*lat > 90.0 || *lon > 180.0) return SOURCE_NONE;
  tf_json_string(rsp, "source", source, sizeof source);
  if (strcmp(source, "gnss") == 0) return SOURCE_GNSS;
  return strcmp(source, "tower") == 0 ? SOURCE_TOWER : SOURCE_TRIANGULATED;
}

/* Queues one position in track.qo (templated); `sync` asks the module to send at once. */
static void record_position(int in_motion, double motion, int sync) {
  double lat = 0.0;
  double lon = 0.0;
  const int source = locate(&lat, &lon);
  if (source == SOURCE_NONE) {
    tf_log(TF_LOG_WARN, "no position from GNSS, triangulation or tower");
    if (sync) request("{\"req\":\"hub.sync\"}", NULL, 0);
    return;
  }
  char req[320];
  snprintf(req, sizeof req,
           "{\"req\":\"note.add\",\"file\":\"" TRACK_FILE
           "\",\"body\":{\"lat\":%.6f,"
           "\"lon\":%.6f,\"src\":%d,\"moving\":%s,\"motion\":%.2f,\"uptime_s\":%lu}%s}",
           lat, lon, source, in_motion ? "true" : "false", motion,
           (unsigned long)(tf_millis() / 1000u), sync ? ",\"sync\":true" : "");
  if (request(req, NULL, 0)) {
    ++points_recorded;
    ++points_unsynced;
    if (sync) points_unsynced = 0;
  }
}

void setup(void) {
  request("{\"req\":\"hub.set\",\"product\":\"" PRODUCT_UID
          "\",\"mode\":\"periodic\","
          "\"outbound\":1440}",
          NULL, 0);
  request("{\"req\":\"env.default\",\"name\":\"moving_secs\",\"text\":\"60\"}", NULL, 0);
  request("{\"req\":\"env.default\",\"name\":\"parked_mins\",\"text\":\"60\"}", NULL, 0);
  request("{\"req\":\"env.default\",\"name\":\"sync_points\",\"text\":\"10\"}", NULL, 0);
  request("{\"req\":\"env.default\",\"name\":\"heartbeat_hours\",\"text\":\"24\"}", NULL, 0);
  request("{\"req\":\"env.default\",\"name\":\"motion_threshold\",\"text\":\"0.5\"}", NULL, 0);
  /* The record: 8-byte floats for position, a one-byte source and a 4-byte uptime (the device's
   * own clock, so a position is placed in time even before the module knows UTC). */
  request("{\"req\":\"note.template\",\"file\":\"" TRACK_FILE
          "\",\"body\":{\"lat\":18.1,"
          "\"lon\":18.1,\"src\":11,\"moving\":true,\"motion\":12.1,\"uptime_s\":24}}",
          NULL, 0);
  /* Without a GNSS fix the module sends cell and Wi-Fi scans for cloud-side multilateration. */
  request("{\"req\":\"card.triangulate\",\"mode\":\"wifi,cell\",\"on\":true}", NULL, 0);
  request("{\"req\":\"card.location.mode\",\"mode\":\"off\"}", NULL, 0);
}

void loop(void) {
  read_config();
  const int first_wake = !located_since_boot;
  located_since_boot = 1;
  double motion = 0.0;
  /* No motion sensor on this device model: it is taken to be parked. */
  if (tf_sensor_read("motion", &motion) != TF_OK) motion = 0.0;
  const int in_motion = motion >= motion_threshold;

  if (in_motion) {
    power_gnss(1);
    if (!moving) tf_log(TF_LOG_INFO, "trip started");
    moving = 1;
    parked_wakes = 0;
    record_position(1, motion, points_unsynced + 1 >= sync_points);
    tf_sleep(moving_secs);
    return;
  }

  if (moving) { /* the trip just ended: its last position and everything queued go now */
    moving = 0;
    ++trips;
    record_position(0, motion, 1);
    tf_log(TF_LOG_INFO, "trip ended");
  } else if (first_wake) {
    record_position(0, motion, 1);
  } else {
    ++parked_wakes;
    const uint32_t wakes_per_heartbeat = (heartbeat_hours * 60u) / parked_mins;
    if (parked_wakes >= (wakes_per_heartbeat > 0 ? wakes_per_heartbeat : 1)) {
      parked_wakes = 0;
      record_position(0, motion, 1);
    }
  }
  power_gnss(0);
  tf_sleep(parked_mins * 60u);
}
