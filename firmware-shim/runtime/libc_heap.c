/* malloc and friends for firmware, served from the twin's own heap (TF_HEAP).
 *
 * Defined in the image with hidden visibility, so the firmware's own calls bind here and never
 * to the process's malloc: every allocation lives in the twin's RAM image, is swapped with it,
 * and disappears when the twin resets. The arena is the image's tf_heap_arena (TF_HEAP); in an
 * image that declares none, malloc returns NULL and says so in the twin's log.
 *
 * Errors follow the hardware model: an exhausted heap returns NULL (errno ENOMEM, and a line in
 * the twin's log); free() of a pointer that is not a live block of this heap changes nothing
 * and is counted as a misuse; bookkeeping found overwritten resets the twin (TF_RESET_HEAP), as
 * the hard fault it would become on an MCU.
 *
 * Memory libc allocates for itself on the firmware's behalf (asprintf, getline, ...) comes
 * from the process heap: free() of it is refused (counted), and it is not part of the twin.
 *
 * Only linked into firmware images (twelvefold::firmware_libc), never into a host program.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap_core.h"
#include "runtime_internal.h"

#define HIDDEN __attribute__((visibility("hidden")))

/* Defined by TF_HEAP(bytes) in the firmware, if it has a heap: weak, so an image without one
 * still links (these objects are in every image) and finds them null. */
extern unsigned char tf_heap_arena[] __attribute__((weak));
extern const size_t tf_heap_arena_bytes __attribute__((weak));

static size_t arena_bytes(void) { return &tf_heap_arena_bytes != NULL ? tf_heap_arena_bytes : 0; }

/* Turns a heap status into the hardware-like outcome; returns 1 if the call succeeded. */
static int settle(int status, const char* function, size_t bytes) {
  char text[128];
  switch (status) {
    case TF_HEAP_OK:
      return 1;
    case TF_HEAP_NO_MEMORY:
      snprintf(text, sizeof text, "%s(%zu): heap of %zu bytes exhausted", function, bytes,
               arena_bytes());
      tf_runtime_log(TF_LOG_WARN, text);
      errno = ENOMEM;
      return 0;
    case TF_HEAP_INVALID:
      if (tf_heap_arena == NULL) {
        snprintf(text, sizeof text,
                 "%s(%zu): this image has no heap (declare one with TF_HEAP(bytes))", function,
                 bytes);
        tf_runtime_log(TF_LOG_WARN, text);
        errno = ENOMEM;
        return 0;
      }
      errno = EINVAL;
      return 0;
    case TF_HEAP_DOUBLE_FREE:
      snprintf(text, sizeof text, "%s: block already freed (double free); ignored", function);
      tf_runtime_misuse(text);
      return 0;
    case TF_HEAP_BAD_POINTER:
      snprintf(text, sizeof text, "%s: pointer is not a live block of this twin's heap; ignored",
               function);
      tf_runtime_misuse(text);
      return 0;
    default:
      snprintf(text, sizeof text, "%s: heap bookkeeping overwritten (a buffer overrun?)", function);
      tf_runtime_fault(TF_RESET_HEAP, text);
  }
}

static void* allocate(const char* function, size_t bytes, size_t alignment) {
  void* p = NULL;
  settle(tf_heap_alloc(tf_heap_arena, arena_bytes(), bytes, alignment, &p), function, bytes);
  return p;
}

HIDDEN void* malloc(size_t bytes) { return allocate("malloc", bytes, 16); }

HIDDEN void free(void* p) { settle(tf_heap_free(tf_heap_arena, arena_bytes(), p), "free", 0); }

HIDDEN void* calloc(size_t count, size_t size) {
  if (size != 0 && count > (size_t)-1 / size) {
    errno = ENOMEM;
    return NULL;
  }
  /* Freed blocks keep what the twin left in them, so clear explicitly. */
  void* p = allocate("calloc", count * size, 16);
  if (p != NULL) memset(p, 0, count * size);
  return p;
}

HIDDEN void* realloc(void* p, size_t bytes) {
  if (p != NULL && bytes == 0) { /* glibc's behaviour: free and return NULL */
    free(p);
    return NULL;
  }
  void* moved = NULL;
  return settle(tf_heap_resize(tf_heap_arena, arena_bytes(), p, bytes, &moved), "realloc", bytes)
             ? moved
             : NULL;
}

HIDDEN void* reallocarray(void* p, size_t count, size_t size) {
  if (size != 0 && count > (size_t)-1 / size) {
    errno = ENOMEM;
    return NULL;
  }
  return realloc(p, count * size);
}

HIDDEN void* aligned_alloc(size_t alignment, size_t bytes) {
  return allocate("aligned_alloc", bytes, alignment);
}

HIDDEN void* memalign(size_t alignment, size_t bytes) {
  return allocate("memalign", bytes, alignment);
}

HIDDEN int posix_memalign(void** out, size_t alignment, size_t bytes) {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* p = NULL;
  const int status = tf_heap_alloc(tf_heap_arena, arena_bytes(), bytes, alignment, &p);
  if (!settle(status, "posix_memalign", bytes)) return status == TF_HEAP_INVALID ? EINVAL : ENOMEM;
  *out = p;
  return 0;
}

HIDDEN size_t malloc_usable_size(void* p) {
  return tf_heap_usable(tf_heap_arena, arena_bytes(), p);
}

HIDDEN char* strdup(const char* text) {
  const size_t bytes = strlen(text) + 1;
  char* copy = allocate("strdup", bytes, 16);
  if (copy != NULL) memcpy(copy, text, bytes);
  return copy;
}

HIDDEN char* strndup(const char* text, size_t limit) {
  const size_t length = strnlen(text, limit);
  char* copy = allocate("strndup", length + 1, 16);
  if (copy != NULL) {
    memcpy(copy, text, length);
    copy[length] = '\0';
  }
  return copy;
}
