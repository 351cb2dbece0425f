/* test-no-runtime: a well-formed info struct in an image linked without the firmware runtime
 * (so without tf_runtime_bind); the loader must refuse it. */
#include "twelvefold/firmware.h"

TF_FIRMWARE("test-no-runtime", "1.0.0");

void setup(void) {}
void loop(void) {}
