/* test-abi-mismatch: an image that claims ABI version 999; the loader must refuse it. The info
 * struct is written by hand instead of with TF_FIRMWARE for that reason. */
#include "twelvefold/firmware.h"

void setup(void) {}
void loop(void) { tf_sleep(60); }

__attribute__((visibility("default")))
const struct tf_firmware_info tf_firmware_info = {999u, "test-abi-mismatch", "0.0.0", setup, loop};
