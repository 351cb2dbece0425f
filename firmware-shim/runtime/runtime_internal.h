/* What the runtime's parts share, inside an image only (hidden visibility). */
#ifndef TWELVEFOLD_RUNTIME_INTERNAL_H
#define TWELVEFOLD_RUNTIME_INTERNAL_H

#include "twelvefold/firmware.h"

/* The host table while bound, NULL before tf_runtime_bind (e.g. in a static constructor). */
const struct tf_host_api* tf_runtime_host(void);

/* Resets the running twin. Never returns: inside an activation the host unwinds to the
 * activation boundary; outside one there is no twin to reset, so the process stops as libc
 * would have stopped it. */
__attribute__((noreturn)) void tf_runtime_fault(int reason, const char* detail);

/* Counts and logs a misuse on the running twin (a no-op while unbound). */
void tf_runtime_misuse(const char* what);

/* Logs on the running twin (a no-op while unbound). */
void tf_runtime_log(int level, const char* text);

#endif /* TWELVEFOLD_RUNTIME_INTERNAL_H */
