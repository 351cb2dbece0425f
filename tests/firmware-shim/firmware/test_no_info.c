/* test-no-info: a shared object with setup/loop but no tf_firmware_info; the loader must refuse
 * it. */
#include "twelvefold/firmware.h"

void setup(void) {}
void loop(void) { tf_sleep(60); }
