/* smart-meter: an electricity meter with a cellular module, written as for a microcontroller.
 *
 * Every read_mins it integrates power into its energy register and queues a templated reading
 * (readings.qo: a 14-byte binary record instead of a JSON text). Every post_mins it also posts
 * its register to a cloud route by name (web.post, async: the module carries it with the next
 * session), so the utility's billing system gets it without the firmware knowing any URL.
 *
 * It honours firmware updates: when dfu.status says an image is ready and updates are allowed
 * (env dfu_allowed), it enters DFU mode, reads the image in chunks with dfu.get over as many
 * wakes as it takes, reports the result with dfu.status and returns to periodic mode. And it
 * backs off when the module is in the registration penalty box (card.wireless.penalty): no
 * sync or web requests then, readings are kept queued and the post interval stretches, so a
 * fleet caught in an outage or a network sunset does not hammer the network when it returns.
 *
 * State lives in globals, as on an MCU whose RAM is retained while it sleeps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twelvefold/firmware.h"

#define VERSION "2.1.0"
TF_FIRMWARE("smart-meter", VERSION);

#define PRODUCT_UID "com.example.twelvefold:smart-meter"
#define READINGS_FILE "readings.qo"
#define DFU_CHUNK_BYTES 4096u
#define DFU_CHUNKS_PER_WAKE 16u /* bounds one wake's work; the rest continues next wake */
#define FLASH_WRITE_MS 8u       /* programming one chunk into the spare flash bank */
#define MAX_BACKOFF 8u          /* the post interval stretches at most this much */

/* Configuration, from the environment (firmware defaults below). */
static uint32_t read_mins = 15;
static uint32_t post_mins = 60;
static char route[32] = "meter-readings";
static int dfu_allowed = 1;

/* Retained across sleep: the meter's registers and the update in progress. */
static double energy_kwh;           /* the billing register */
static uint64_t last_read_ms;       /* tf_millis() of the previous reading */
static uint32_t reading_seq;        /* readings since first boot */
static uint32_t minutes_since_post; /* towards post_mins (times the back-off) */
static uint32_t backoff = 1;        /* 1, 2, 4 ... MAX_BACKOFF while penalised */
static uint32_t penalised_wakes;    /* wakes spent backing off */
static uint32_t request_failures;
static char installed_version[16] = VERSION;
static int dfu_active;       /* reading an image */
static uint32_t dfu_offset;  /* bytes read so far */
static uint32_t dfu_length;  /* the image's size */
static char dfu_version[16]; /* what it will be */

static int request(const char* req, char* response, size_t capacity) {
  char scratch[192];
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

static int env_text(const char* name, char* out, size_t capacity) {
  char req[96];
  char rsp[160];
  snprintf(req, sizeof req, "{\"req\":\"env.get\",\"name\":\"%s\"}", name);
  return request(req, rsp, sizeof rsp) && tf_json_string(rsp, "text", out, capacity) &&
         out[0] != '\0';
}

static uint32_t env_minutes(const char* name, uint32_t current) {
  char text[24];
  if (!env_text(name, text, sizeof text)) return current;
  char* end = NULL;
  const unsigned long value = strtoul(text, &end, 10);
  return (end == text || *end != '\0' || value == 0 || value > 7u * 24u * 60u) ? current
                                                                               : (uint32_t)value;
}

static void read_config(void) {
  char text[32];
  read_mins = env_minutes("read_mins", read_mins);
  post_mins = env_minutes("post_mins", post_mins);
  if (env_text("readings_route", text, sizeof text)) snprintf(route, sizeof route, "%s", text);
  if (env_text("dfu_allowed", text, sizeof text)) dfu_allowed = strcmp(text, "0") != 0;
}

/* Seconds left in the registration penalty box; 0 when the module may connect. */
static long penalty_seconds(void) {
  char rsp[256];
  if (!request("{\"req\":\"card.wireless.penalty\"}", rsp, sizeof rsp)) return 0;
  return (long)tf_json_number(rsp, "seconds", 0.0);
}

static void take_reading(void) {
  double power_w = 0.0;
  double mains_v = 0.0;
  const uint64_t now_ms = tf_millis();
  if (tf_sensor_read("power_w", &power_w) != TF_OK) {
    tf_log(TF_LOG_WARN, "power_w: no reading");
    return;
  }
  if (tf_sensor_read("mains_v", &mains_v) != TF_OK) mains_v = 0.0;
  /* Power is sampled at each reading: the register integrates it over the interval since. */
  const double hours = (double)(now_ms - last_read_ms) / 3600000.0;
  if (reading_seq > 0) energy_kwh += power_w * hours / 1000.0;
  last_read_ms = now_ms;
  ++reading_seq;
  char req[256];
  snprintf(req, sizeof req,
           "{\"req\":\"note.add\",\"file\":\"" READINGS_FILE
           "\",\"body\":{\"kwh\":%.3f,"
           "\"w\":%.1f,\"v\":%.1f,\"seq\":%lu}}",
           energy_kwh, power_w, mains_v, (unsigned long)reading_seq);
  request(req, NULL, 0);
}

static void post_register(void) {
  char req[256];
  snprintf(req, sizeof req,
           "{\"req\":\"web.post\",\"route\":\"%s\",\"name\":\"/register\",\"async\":true,"
           "\"body\":{\"kwh\":%.3f,\"seq\":%lu,\"version\":\"%s\"}}",
           route, energy_kwh, (unsigned long)reading_seq, installed_version);
  request(req, NULL, 0);
}

/* Starts reading an update if one is ready and allowed. */
static void check_for_update(void) {
  char rsp[512];
  char mode[16];
  char body[256];
  if (!dfu_allowed || !request("{\"req\":\"dfu.status\"}", rsp, sizeof rsp)) return;
  if (!tf_json_string(rsp, "mode", mode, sizeof mode) || strcmp(mode, "ready") != 0) return;
  /* body is an object; its fields are found by scanning it as a JSON text of its own. */
  const char* at = strstr(rsp, "\"body\":");
  if (at == NULL) return;
  snprintf(body, sizeof body, "%s", at + 7);
  dfu_length = (uint32_t)tf_json_number(body, "length", 0.0);
  if (!tf_json_string(body, "version", dfu_version, sizeof dfu_version) || dfu_length == 0) return;
  if (!request("{\"req\":\"hub.set\",\"mode\":\"dfu\"}", NULL, 0)) return;
  dfu_active = 1;
  dfu_offset = 0;
  tf_log(TF_LOG_INFO, "dfu: update ready, reading it");
}

/* The base64 text of a dfu.get answer's "payload", and its length. */
static size_t payload_chars(const char* response) {
  const char* at = strstr(response, "\"payload\":\"");
  return at != NULL ? strcspn(at + 11, "\"") : 0;
}

/* Stops an update that went wrong, telling the cloud why. */
static void abandon_update(const char* why) {
  char req[160];
  tf_log(TF_LOG_WARN, why);
  dfu_active = 0;
  snprintf(req, sizeof req, "{\"req\":\"dfu.status\",\"stop\":true,\"err\":\"%s\"}", why);
  request(req, NULL, 0);
  request("{\"req\":\"hub.set\",\"mode\":\"periodic\"}", NULL, 0);
}

/* Reads the next chunks of the image; finishes the update once it has all of it. */
static void continue_update(void) {
  char req[96];
  /* One chunk, base64: on the stack for the moment it takes to program it. */
  char rsp[(DFU_CHUNK_BYTES + 2) / 3 * 4 + 64];
  for (uint32_t i = 0; i < DFU_CHUNKS_PER_WAKE && dfu_offset < dfu_length; ++i) {
    const uint32_t length =
        dfu_length - dfu_offset < DFU_CHUNK_BYTES ? dfu_length - dfu_offset : DFU_CHUNK_BYTES;
    snprintf(req, sizeof req, "{\"req\":\"dfu.get\",\"length\":%lu,\"offset\":%lu}",
             (unsigned long)length, (unsigned long)dfu_offset);
    if (!request(req, rsp, sizeof rsp)) {
      abandon_update("dfu.get failed");
      return;
    }
    if (payload_chars(rsp) != (length + 2) / 3 * 4) {
      abandon_update("dfu.get returned a chunk of the wrong size");
      return;
    }
    tf_delay(FLASH_WRITE_MS); /* programming it into the spare bank */
    dfu_offset += length;
  }
  if (dfu_offset < dfu_length) return;
  /* Installed: report the new version and go back to normal work (a real meter would now
   * reboot into the new bank; here the image stays the same and the version is what changes). */
  dfu_active = 0;
  snprintf(installed_version, sizeof installed_version, "%s", dfu_version);
  char done[160];
  snprintf(done, sizeof done,
           "{\"req\":\"dfu.status\",\"stop\":true,\"version\":\"%s\",\"status\":\"installed\"}",
           installed_version);
  request(done, NULL, 0);
  request("{\"req\":\"hub.set\",\"mode\":\"periodic\"}", NULL, 0);
  tf_log(TF_LOG_INFO, "dfu: update installed");
}

void setup(void) {
  request("{\"req\":\"hub.set\",\"product\":\"" PRODUCT_UID
          "\",\"mode\":\"periodic\","
          "\"outbound\":60}",
          NULL, 0);
  request("{\"req\":\"env.default\",\"name\":\"read_mins\",\"text\":\"15\"}", NULL, 0);
  request("{\"req\":\"env.default\",\"name\":\"post_mins\",\"text\":\"60\"}", NULL, 0);
  request("{\"req\":\"env.default\",\"name\":\"readings_route\",\"text\":\"meter-readings\"}", NULL,
          0);
  request("{\"req\":\"env.default\",\"name\":\"dfu_allowed\",\"text\":\"1\"}", NULL, 0);
  request("{\"req\":\"note.template\",\"file\":\"" READINGS_FILE
          "\",\"body\":{\"kwh\":14.1,"
          "\"w\":14.1,\"v\":12.1,\"seq\":24}}",
          NULL, 0);
  char version[96];
  snprintf(version, sizeof version, "{\"req\":\"dfu.status\",\"version\":\"%s\",\"on\":true}",
           installed_version);
  request(version, NULL, 0);
}

void loop(void) {
  read_config();
  if (dfu_active) {
    continue_update();
    tf_sleep(dfu_active ? 1u : read_mins * 60u); /* keep at it while reading the image */
    return;
  }
  take_reading();

  const long penalty_s = penalty_seconds();
  if (penalty_s > 0) {
    /* The module cannot register: asking for syncs or posts now only prolongs the box.
     * Readings stay queued; the post interval stretches until the network is back. */
    ++penalised_wakes;
    if (backoff < MAX_BACKOFF) backoff *= 2;
    tf_log(TF_LOG_INFO, "penalty box: backing off");
  } else {
    minutes_since_post += read_mins;
    if (minutes_since_post >= post_mins * backoff) {
      post_register();
      minutes_since_post = 0;
      backoff = 1;
    }
    check_for_update();
  }
  tf_sleep(read_mins * 60u);
}
