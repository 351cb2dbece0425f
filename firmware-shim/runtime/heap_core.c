/* The twin's heap allocator: see heap_core.h for the layout and the invariants.
 *
 * Headers are read and written with memcpy: the arena is an unsigned char array, and copying
 * keeps the code free of aliasing assumptions at no cost (the compiler turns each into moves).
 */
#include "heap_core.h"

#include <string.h>

#include "twelvefold/firmware.h"

#define GRAIN 16u  /* alignment of every block and payload */
#define HEADER 16u /* bytes of a block header, and of the heap header */
#define TAG_USED 0xA110C8EDu
#define TAG_FREE 0xF4EEB10Cu

struct block {
  uint32_t size; /* header included; a multiple of GRAIN */
  uint32_t tag;  /* size ^ TAG_USED or size ^ TAG_FREE: a stray write rarely forges both */
  uint32_t next_free;
  uint32_t reserved;
};

_Static_assert(sizeof(struct block) == HEADER, "block header size");
_Static_assert(sizeof(struct tf_heap_header) == HEADER, "heap header size");

struct heap {
  unsigned char* base;
  uint32_t capacity; /* usable arena bytes: a multiple of GRAIN */
  struct tf_heap_header header;
};

static uint32_t capacity_of(size_t arena_bytes) {
  const size_t limit = 0xFFFFFFF0u; /* offsets are 32-bit */
  const size_t bytes = arena_bytes > limit ? limit : arena_bytes;
  return (uint32_t)(bytes & ~(size_t)(GRAIN - 1));
}

static struct block load(const struct heap* h, uint32_t off) {
  struct block b;
  memcpy(&b, h->base + off, sizeof b);
  return b;
}

static void store(struct heap* h, uint32_t off, uint32_t size, int used, uint32_t next_free) {
  const struct block b = {size, size ^ (used ? TAG_USED : TAG_FREE), next_free, 0};
  memcpy(h->base + off, &b, sizeof b);
}

static void store_header(struct heap* h) { memcpy(h->base, &h->header, sizeof h->header); }

static size_t round_up(size_t value, size_t to) { return (value + to - 1) & ~(to - 1); }

/* A block header at off that looks sane (inside the break, tiled on the grain). */
static int sane(const struct heap* h, uint32_t off, const struct block* b) {
  return off >= HEADER && off % GRAIN == 0 && off < h->header.break_bytes && b->size >= HEADER &&
         b->size % GRAIN == 0 && b->size <= h->header.break_bytes - off;
}

/* Loads the free-list node at off, checking it is a sane free block whose successor lies
 * beyond it (address order also guarantees every walk ends). */
static int load_free(const struct heap* h, uint32_t off, struct block* out) {
  const struct block b = load(h, off);
  if (!sane(h, off, &b) || b.tag != (b.size ^ TAG_FREE)) return 0;
  if (b.next_free != 0 && b.next_free < off + b.size) return 0;
  *out = b;
  return 1;
}

/* Opens the arena. An arena never used is all zero: with `create` it is initialised, else
 * TF_HEAP_BAD_POINTER says nothing lives in it. */
static int open_heap(unsigned char* base, size_t arena_bytes, int create, struct heap* h) {
  h->base = base;
  h->capacity = capacity_of(arena_bytes);
  if (base == NULL || h->capacity < TF_HEAP_MIN_ARENA_BYTES) return TF_HEAP_INVALID;
  memcpy(&h->header, base, sizeof h->header);
  const struct tf_heap_header* hd = &h->header;
  if (hd->magic == 0 && hd->break_bytes == 0 && hd->free_head == 0) {
    if (!create) return TF_HEAP_BAD_POINTER;
    h->header.magic = TF_HEAP_MAGIC;
    h->header.break_bytes = HEADER;
    store_header(h);
    return TF_HEAP_OK;
  }
  if (hd->magic != TF_HEAP_MAGIC || hd->break_bytes < HEADER || hd->break_bytes > h->capacity ||
      hd->break_bytes % GRAIN != 0) {
    return TF_HEAP_CORRUPT;
  }
  if (hd->free_head != 0 && (hd->free_head < HEADER || hd->free_head >= hd->break_bytes)) {
    return TF_HEAP_CORRUPT;
  }
  return TF_HEAP_OK;
}

/* Makes `next` follow `before` in the free list (before == 0: the list's head). */
static void link_after(struct heap* h, uint32_t before, uint32_t next) {
  if (before == 0) {
    h->header.free_head = next;
    return;
  }
  const struct block b = load(h, before);
  store(h, before, b.size, 0, next);
}

/* Checks that p is the payload of a live block; its offset and header go to *off and *b. */
static int locate(const struct heap* h, const void* p, uint32_t* off, struct block* b) {
  const unsigned char* at = (const unsigned char*)p;
  if (at < h->base + 2 * HEADER || at >= h->base + h->header.break_bytes ||
      (size_t)(at - h->base) % GRAIN != 0) {
    return TF_HEAP_BAD_POINTER;
  }
  *off = (uint32_t)(at - h->base) - HEADER;
  *b = load(h, *off);
  if (!sane(h, *off, b)) return TF_HEAP_BAD_POINTER;
  if (b->tag == (b->size ^ TAG_FREE)) return TF_HEAP_DOUBLE_FREE;
  if (b->tag != (b->size ^ TAG_USED)) return TF_HEAP_BAD_POINTER;
  return TF_HEAP_OK;
}

/* Returns the block [off, off + size) to the free list: coalesced with free neighbours, and
 * given back to the break if it ends there. */
static int release(struct heap* h, uint32_t off, uint32_t size) {
  uint32_t before_prev = 0;
  uint32_t prev = 0;
  uint32_t cur = h->header.free_head;
  struct block prev_block = {0, 0, 0, 0};
  struct block cur_block = {0, 0, 0, 0};
  while (cur != 0 && cur < off) {
    if (!load_free(h, cur, &cur_block)) return TF_HEAP_CORRUPT;
    before_prev = prev;
    prev = cur;
    prev_block = cur_block;
    cur = cur_block.next_free;
  }
  if (cur != 0 && (!load_free(h, cur, &cur_block) || cur < off + size)) return TF_HEAP_CORRUPT;
  if (prev != 0 && prev + prev_block.size > off) return TF_HEAP_CORRUPT;

  uint32_t start = off;
  uint32_t bytes = size;
  uint32_t next = cur;
  uint32_t before = prev;
  if (cur != 0 && cur == off + size) {
    bytes += cur_block.size;
    next = cur_block.next_free;
  }
  if (prev != 0 && prev + prev_block.size == off) {
    start = prev;
    bytes += prev_block.size;
    before = before_prev;
  }
  if (start + bytes == h->header.break_bytes) {
    h->header.break_bytes = start; /* nothing follows it: lower the break instead */
    link_after(h, before, 0);
  } else {
    store(h, start, bytes, 0, next);
    link_after(h, before, start);
  }
  store_header(h);
  return TF_HEAP_OK;
}

/* Carves a block for `payload` bytes at `alignment` out of the free block at cur (preceded by
 * prev in the list), splitting off the alignment gap in front and any rest behind as free. */
static void* take(struct heap* h, uint32_t prev, uint32_t cur, const struct block* b,
                  uint32_t payload, size_t alignment) {
  const uintptr_t natural = (uintptr_t)(h->base + cur + HEADER);
  const uint32_t gap = (uint32_t)(round_up(natural, alignment) - natural);
  const uint32_t used_off = cur + gap;
  uint32_t used_size = b->size - gap;
  const uint32_t want = HEADER + payload;
  uint32_t next = b->next_free;
  if (used_size - want >= HEADER) {
    const uint32_t tail = used_off + want;
    store(h, tail, used_size - want, 0, next);
    next = tail;
    used_size = want;
  }
  if (gap != 0) {
    store(h, cur, gap, 0, next);
    next = cur;
  }
  link_after(h, prev, next);
  store(h, used_off, used_size, 1, 0);
  store_header(h);
  return h->base + used_off + HEADER;
}

int tf_heap_alloc(unsigned char* arena, size_t arena_bytes, size_t size, size_t alignment,
                  void** out) {
  *out = NULL;
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) return TF_HEAP_INVALID;
  if (alignment < GRAIN) alignment = GRAIN;
  struct heap h;
  const int opened = open_heap(arena, arena_bytes, 1, &h);
  if (opened != TF_HEAP_OK) return opened;
  if (size > h.capacity || alignment > h.capacity) return TF_HEAP_NO_MEMORY;
  const uint32_t payload = (uint32_t)round_up(size != 0 ? size : 1, GRAIN);
  const size_t need = (size_t)HEADER + payload + (alignment - GRAIN);

  uint32_t prev = 0;
  uint32_t cur = h.header.free_head;
  while (cur != 0) {
    struct block b;
    if (!load_free(&h, cur, &b)) return TF_HEAP_CORRUPT;
    if (b.size >= need) {
      *out = take(&h, prev, cur, &b, payload, alignment);
      return TF_HEAP_OK;
    }
    prev = cur;
    cur = b.next_free;
  }

  /* Nothing free fits: grow the break. `prev` is now the last free block (or 0). */
  const uint32_t start = h.header.break_bytes;
  const uintptr_t natural = (uintptr_t)(h.base + start + HEADER);
  const size_t gap = round_up(natural, alignment) - natural;
  const size_t total = gap + HEADER + payload;
  if (total > (size_t)(h.capacity - start)) return TF_HEAP_NO_MEMORY;
  memset(h.base + start, 0, total);
  h.header.break_bytes = start + (uint32_t)total;
  if (gap != 0) {
    store(&h, start, (uint32_t)gap, 0, 0);
    link_after(&h, prev, start);
  }
  store(&h, start + (uint32_t)gap, HEADER + payload, 1, 0);
  store_header(&h);
  *out = h.base + start + gap + HEADER;
  return TF_HEAP_OK;
}

int tf_heap_free(unsigned char* arena, size_t arena_bytes, void* p) {
  if (p == NULL) return TF_HEAP_OK;
  struct heap h;
  const int opened = open_heap(arena, arena_bytes, 0, &h);
  if (opened != TF_HEAP_OK) return opened;
  uint32_t off = 0;
  struct block b;
  const int found = locate(&h, p, &off, &b);
  if (found != TF_HEAP_OK) return found;
  return release(&h, off, b.size);
}

int tf_heap_resize(unsigned char* arena, size_t arena_bytes, void* p, size_t size, void** out) {
  if (p == NULL) return tf_heap_alloc(arena, arena_bytes, size, GRAIN, out);
  *out = NULL;
  struct heap h;
  const int opened = open_heap(arena, arena_bytes, 0, &h);
  if (opened != TF_HEAP_OK) return opened;
  uint32_t off = 0;
  struct block b;
  const int found = locate(&h, p, &off, &b);
  if (found != TF_HEAP_OK) return found;
  if (size > h.capacity) return TF_HEAP_NO_MEMORY;
  const uint32_t want = HEADER + (uint32_t)round_up(size != 0 ? size : 1, GRAIN);

  if (want <= b.size) { /* shrink (or keep): the rest, if a block's worth, goes back */
    const uint32_t rest = b.size - want;
    if (rest >= HEADER) {
      store(&h, off, want, 1, 0);
      const int released = release(&h, off + want, rest);
      if (released != TF_HEAP_OK) return released;
    }
    *out = p;
    return TF_HEAP_OK;
  }
  const uint32_t end = off + b.size;
  if (end == h.header.break_bytes && want - b.size <= h.capacity - end) { /* grow the break */
    memset(h.base + end, 0, want - b.size);
    h.header.break_bytes = off + want;
    store(&h, off, want, 1, 0);
    store_header(&h);
    *out = p;
    return TF_HEAP_OK;
  }
  struct block neighbour;
  if (end < h.header.break_bytes && load_free(&h, end, &neighbour) &&
      b.size + neighbour.size >= want) { /* absorb the free block that follows */
    uint32_t before = 0;
    uint32_t cur = h.header.free_head;
    while (cur != 0 && cur != end) {
      struct block node;
      if (!load_free(&h, cur, &node) || cur > end) return TF_HEAP_CORRUPT;
      before = cur;
      cur = node.next_free;
    }
    if (cur != end) return TF_HEAP_CORRUPT; /* a free-looking block not on the list */
    uint32_t next = neighbour.next_free;
    uint32_t used = b.size + neighbour.size;
    if (used - want >= HEADER) {
      store(&h, off + want, used - want, 0, next);
      next = off + want;
      used = want;
    }
    link_after(&h, before, next);
    store(&h, off, used, 1, 0);
    store_header(&h);
    *out = p;
    return TF_HEAP_OK;
  }
  void* moved = NULL;
  const int allocated = tf_heap_alloc(arena, arena_bytes, size, GRAIN, &moved);
  if (allocated != TF_HEAP_OK) return allocated;
  memcpy(moved, p, b.size - HEADER);
  const int freed = tf_heap_free(arena, arena_bytes, p);
  if (freed != TF_HEAP_OK) return freed;
  *out = moved;
  return TF_HEAP_OK;
}

size_t tf_heap_usable(const unsigned char* arena, size_t arena_bytes, const void* p) {
  struct heap h;
  if (p == NULL || open_heap((unsigned char*)arena, arena_bytes, 0, &h) != TF_HEAP_OK) return 0;
  uint32_t off = 0;
  struct block b;
  if (locate(&h, p, &off, &b) != TF_HEAP_OK) return 0;
  return b.size - HEADER;
}

int tf_heap_check(const unsigned char* arena, size_t arena_bytes, struct tf_heap_stats* stats) {
  struct tf_heap_stats counted = {0, 0, 0, 0, 0};
  if (stats != NULL) *stats = counted;
  struct heap h;
  const int opened = open_heap((unsigned char*)arena, arena_bytes, 0, &h);
  if (opened == TF_HEAP_BAD_POINTER) return TF_HEAP_OK; /* never used: empty */
  if (opened != TF_HEAP_OK) return opened;
  counted.break_bytes = h.header.break_bytes;
  uint32_t expected_free = h.header.free_head;
  int previous_free = 0;
  uint32_t off = HEADER;
  while (off < h.header.break_bytes) {
    const struct block b = load(&h, off);
    if (!sane(&h, off, &b)) return TF_HEAP_CORRUPT;
    if (b.tag == (b.size ^ TAG_FREE)) {
      /* The free list visits free blocks in address order; none touch (coalesced). */
      if (off != expected_free || previous_free) return TF_HEAP_CORRUPT;
      expected_free = b.next_free;
      previous_free = 1;
      ++counted.free_blocks;
      counted.free_bytes += b.size;
    } else if (b.tag == (b.size ^ TAG_USED)) {
      previous_free = 0;
      ++counted.used_blocks;
      counted.used_bytes += b.size;
    } else {
      return TF_HEAP_CORRUPT;
    }
    off += b.size;
  }
  /* Tiles exactly; the list ends here; the break was lowered past any trailing free block. */
  if (off != h.header.break_bytes || expected_free != 0 || previous_free) return TF_HEAP_CORRUPT;
  if (stats != NULL) *stats = counted;
  return TF_HEAP_OK;
}
