/* A small first-fit allocator over one arena: the twin's heap (TF_HEAP), kept inside the arena
 * so that it is part of the twin's RAM image and needs no memory of its own.
 *
 * Layout: the arena starts with a struct tf_heap_header; blocks then tile [16, break_bytes)
 * exactly, each a 16-byte header followed by its payload (16-byte aligned). Free blocks form a
 * singly linked list in address order (which makes every walk terminate), are coalesced with
 * their neighbours on free, and a free block reaching the break is given back to it, so
 * break_bytes stays as low as the live blocks allow and the shim swaps only that much. Memory
 * is zeroed when the break grows over it, so what firmware finds in fresh memory never depends
 * on which twin ran on the copy before (determinism).
 *
 * Every walk validates what it reads. Bookkeeping found overwritten is TF_HEAP_CORRUPT (the
 * caller resets the twin, as a hard fault would); a bad pointer given to free/realloc is
 * TF_HEAP_BAD_POINTER or TF_HEAP_DOUBLE_FREE and changes nothing (the caller counts a misuse).
 *
 * Pure functions of the arena: no host calls, no globals, so they are unit-tested directly.
 */
#ifndef TWELVEFOLD_HEAP_CORE_H
#define TWELVEFOLD_HEAP_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum tf_heap_status {
  TF_HEAP_OK = 0,
  TF_HEAP_NO_MEMORY = -12,   /* ENOMEM: no block large enough */
  TF_HEAP_BAD_POINTER = -14, /* EFAULT: not the start of a live block of this heap */
  TF_HEAP_INVALID = -22,     /* EINVAL: alignment not a power of two, or arena unusable */
  TF_HEAP_DOUBLE_FREE = -114,
  TF_HEAP_CORRUPT = -117, /* EUCLEAN: bookkeeping overwritten (by a firmware overrun) */
};

/* The smallest arena worth having: the header and one small block. */
#define TF_HEAP_MIN_ARENA_BYTES 64u

/* Allocates `size` bytes aligned to `alignment` (a power of two; <= 16 means 16). */
int tf_heap_alloc(unsigned char* arena, size_t arena_bytes, size_t size, size_t alignment,
                  void** out);
/* Frees p (NULL is a no-op). */
int tf_heap_free(unsigned char* arena, size_t arena_bytes, void* p);
/* realloc for size > 0: in place when it can (shrink, grow into the break or a free neighbour),
 * else alloc + copy + free. On error *out is NULL and p is untouched. */
int tf_heap_resize(unsigned char* arena, size_t arena_bytes, void* p, size_t size, void** out);
/* Usable bytes of the live block at p, 0 if p is not one. */
size_t tf_heap_usable(const unsigned char* arena, size_t arena_bytes, const void* p);

struct tf_heap_stats {
  size_t break_bytes;
  size_t used_blocks;
  size_t used_bytes; /* payload + headers of live blocks */
  size_t free_blocks;
  size_t free_bytes;
};
/* Walks every block and the free list and checks all invariants; fills *stats if not NULL.
 * TF_HEAP_OK or TF_HEAP_CORRUPT. An arena never used is OK and empty. */
int tf_heap_check(const unsigned char* arena, size_t arena_bytes, struct tf_heap_stats* stats);

#ifdef __cplusplus
}
#endif

#endif /* TWELVEFOLD_HEAP_CORE_H */
