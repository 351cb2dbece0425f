// shim_image_check IMAGE.so [WAKES]: loads a firmware image as the simulator does, boots one
// twin and wakes it a few times against an idle fake world, and prints what it saw. Exit status
// 0 if it loaded and ran without misuse or reset. Used to check images built out of tree.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "test_support.hpp"

int main(int argc, char** argv) {
  using namespace twelvefold::shim;
  if (argc < 2) {
    std::fprintf(stderr, "usage: shim_image_check IMAGE.so [WAKES]\n");
    return 2;
  }
  const int wakes = argc > 2 ? std::atoi(argv[2]) : 3;
  auto library = firmware_library::load(argv[1], 2);
  if (!library) {
    std::fprintf(stderr, "%s\n", library.error().c_str());
    return 1;
  }
  const firmware_metadata& meta = (*library)->metadata();
  std::printf("image %s@%s abi %u ram_image_bytes %zu heap_bytes %zu\n", meta.name.c_str(),
              meta.version.c_str(), meta.abi_version, meta.ram_image_bytes, meta.heap_bytes);
  testing::twin t((*library)->copy(1));
  activation_result result = t.boot();
  int status = result.misuse_count == 0 && result.reset == reset_reason::none ? 0 : 1;
  for (int i = 0; i < wakes; ++i) {
    result = t.wake();
    t.host.now_us_ +=
        result.busy_us + static_cast<std::int64_t>(result.sleep_request_s) * 1'000'000;
    if (result.misuse_count != 0 || result.reset != reset_reason::none) status = 1;
    std::printf("wake %d: sleep %u s, busy %lld us, misuse %u, reset %s\n", i + 1,
                result.sleep_request_s, static_cast<long long>(result.busy_us), result.misuse_count,
                std::string(to_string(result.reset)).c_str());
  }
  for (const auto& line : t.host.logs) std::printf("log: %s\n", line.c_str());
  std::printf("requests %llu, notes added %llu\n",
              static_cast<unsigned long long>(t.host.comms().counters().requests),
              static_cast<unsigned long long>(t.host.comms().counters().notes_added));
  return status;
}
