/* test-heap: a large .bss, pointer-holding globals and malloc, all of which must stay the
 * twin's own across swaps (built with HEAP_BYTES 16384).
 *
 * Each wake adds a heap-allocated item naming the twin and the wake to a linked list (kept
 * through a global pointer), grows the newest item with realloc now and then, frees the oldest
 * beyond six, marks a byte of a 64 KiB .bss array through a pointer global, and then checks
 * everything it owns; it logs "key=value" lines for the test. The "heap_mode" sensor asks for a
 * misuse or a fault instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twelvefold/firmware.h"

TF_FIRMWARE("test-heap", "1.0.0");

#define BIG_BYTES (64u * 1024u)
#define MAX_ITEMS 6u

struct item {
  struct item* next;
  uint32_t wake;
  char* text; /* a second heap block per item */
};

static unsigned char big[BIG_BYTES]; /* .bss */
static unsigned char* mark = big;    /* points into .bss; moves every wake */
static uint32_t mark_sum;            /* what big[] must add up to */
static struct item* newest;          /* points into the heap */
static uint32_t items;
static uint32_t wakes;
static int twin_id = -1;

static void report(const char* key, long long value) {
  char line[64];
  snprintf(line, sizeof line, "%s=%lld", key, value);
  tf_log(TF_LOG_INFO, line);
}

static int sensor(const char* name) {
  double value = 0.0;
  return tf_sensor_read(name, &value) == TF_OK ? (int)value : 0;
}

static void describe(char* out, size_t capacity, uint32_t wake) {
  snprintf(out, capacity, "twin %d wake %u", twin_id, (unsigned)wake);
}

static void add_item(void) {
  struct item* it = malloc(sizeof *it);
  char text[48];
  describe(text, sizeof text, wakes);
  if (it == NULL || (it->text = strdup(text)) == NULL) {
    free(it);
    report("alloc_failed", wakes);
    return;
  }
  it->wake = wakes;
  it->next = newest;
  newest = it;
  ++items;
  if (wakes % 3 == 0) { /* grow the newest text in place or by moving it */
    char* longer = realloc(it->text, 200);
    if (longer != NULL) {
      strcat(longer, " (grown)");
      it->text = longer;
    }
  }
  if (items > MAX_ITEMS) { /* free the oldest */
    struct item* p = newest;
    while (p->next->next != NULL) p = p->next;
    free(p->next->text);
    free(p->next);
    p->next = NULL;
    --items;
  }
}

/* 1 if every item still names this twin and its wake, newest first, one wake apart. */
static int items_intact(void) {
  uint32_t expected = wakes;
  uint32_t seen = 0;
  for (const struct item* it = newest; it != NULL; it = it->next, --expected, ++seen) {
    char text[48];
    describe(text, sizeof text, expected);
    if (it->wake != expected || strncmp(it->text, text, strlen(text)) != 0) return 0;
    if (expected % 3 == 0 && strstr(it->text, "(grown)") == NULL) return 0;
  }
  return seen == items;
}

static int big_intact(void) {
  uint32_t sum = 0;
  for (uint32_t i = 0; i < BIG_BYTES; ++i) sum += big[i];
  return sum == mark_sum;
}

static void misbehave(int mode) {
  char on_stack[32];
  void* p = NULL;
  switch (mode) {
    case 1: { /* double free (of a block below another, so it stays a free block) */
      void* fence = NULL;
      p = malloc(24);
      fence = malloc(24);
      free(p);
      free(p);
      free(fence);
      break;
    }
    case 2: { /* free of memory the heap never gave out (volatile: the compiler would object) */
      void* volatile foreign = on_stack;
      free(foreign);
      foreign = big;
      free(foreign);
      break;
    }
    case 3: { /* overrun a block into the free block after it, then allocate */
      volatile size_t overrun = 48; /* hidden from the compiler, which would rightly warn */
      p = malloc(16);
      void* victim = malloc(16);
      void* keep = malloc(16); /* keeps the victim off the break once freed */
      free(victim);
      memset(p, 0x5a, overrun);
      p = malloc(4000); /* larger than any free block: walks the whole free list */
      free(keep);
      break;
    }
    case 4: /* ask for more than there is */
      report("huge_is_null", malloc(1u << 20) == NULL);
      break;
    default:
      break;
  }
}

void setup(void) { twin_id = sensor("twin_id"); }

void loop(void) {
  ++wakes;
  const unsigned char value = (unsigned char)(twin_id * 16 + wakes);
  *mark = (unsigned char)(*mark + value);
  mark_sum += value;
  mark += 4099; /* a prime stride wraps around the whole array */
  if (mark >= big + BIG_BYTES) mark -= BIG_BYTES;

  add_item();

  unsigned char* zeroed = calloc(100, 1);
  int zero_ok = zeroed != NULL;
  for (int i = 0; zeroed != NULL && i < 100; ++i) zero_ok &= zeroed[i] == 0;
  if (zeroed != NULL) memset(zeroed, 0xee, 100); /* dirty it for whoever gets it next */
  free(zeroed);

  misbehave(sensor("heap_mode"));

  report("twin", twin_id);
  report("wakes", wakes);
  report("items", items);
  report("items_ok", items_intact());
  report("big_ok", big_intact());
  report("calloc_ok", zero_ok);
  report("newest_text_len", newest != NULL ? (long long)strlen(newest->text) : -1);
  tf_sleep(60);
}
