/* abort(), assert() and exit() for firmware: reset the twin, not the process.
 *
 * These definitions are linked into the image (hidden: calls from the firmware's own objects
 * bind to them, never to libc's, and nothing outside the image sees them). On an MCU each of
 * these ends in a reset; here the host unwinds to the activation boundary, throws the twin's RAM
 * image away and reboots it at its next wake. No process-wide signal handler is involved, so a
 * real crash of the simulator is never mistaken for, or masked by, a firmware fault.
 *
 * This file is only linked into firmware images (twelvefold::firmware_libc), never into a host
 * program: there it would replace the program's own abort().
 */
#include <stdio.h>

#include "runtime_internal.h"

#define HIDDEN __attribute__((visibility("hidden")))

HIDDEN void abort(void) { tf_runtime_fault(TF_RESET_ABORT, "abort() called"); }

HIDDEN void __assert_fail(const char* assertion, const char* file, unsigned int line,
                          const char* function) {
  char detail[256];
  snprintf(detail, sizeof detail, "assertion failed: %s (%s:%u, %s)",
           assertion != NULL ? assertion : "?", file != NULL ? file : "?", line,
           function != NULL ? function : "?");
  tf_runtime_fault(TF_RESET_ASSERT, detail);
}

HIDDEN void exit(int status) {
  char detail[64];
  snprintf(detail, sizeof detail, "exit(%d) called", status);
  tf_runtime_fault(TF_RESET_EXIT, detail);
}

HIDDEN void _Exit(int status) {
  char detail[64];
  snprintf(detail, sizeof detail, "_Exit(%d) called", status);
  tf_runtime_fault(TF_RESET_EXIT, detail);
}
