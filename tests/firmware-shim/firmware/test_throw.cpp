// test-throw: a C++ firmware; throws out of loop() when the "throw" sensor says so. Also checks
// that TF_FIRMWARE and TF_HEAP work from C++ (C linkage, exported) and that malloc from C++
// code comes from the twin's heap.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "twelvefold/firmware.h"

TF_FIRMWARE("test-throw", "1.0.0");
TF_HEAP(1024);

namespace {

unsigned wakes = 0;
char* name = nullptr;  // a heap pointer kept across wakes

}  // namespace

void setup() {
  name = static_cast<char*>(std::malloc(16));
  if (name != nullptr) std::strcpy(name, "cpp");
}

void loop() {
  ++wakes;
  double value = 0.0;
  if (tf_sensor_read("throw", &value) == TF_OK && value != 0.0) {
    throw std::runtime_error("loop gave up");
  }
  char line[64];
  std::snprintf(line, sizeof line, "wakes=%u name=%s", wakes, name != nullptr ? name : "(null)");
  tf_log(TF_LOG_INFO, line);
  tf_sleep(60);
}
