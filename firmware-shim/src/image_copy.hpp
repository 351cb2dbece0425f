// Copying a twin's RAM image into and out of a loaded copy.
#pragma once

#include <cstddef>
#include <cstring>

namespace twelvefold::shim::detail {

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer the firmware's globals are separated by poisoned redzones, which are
// part of the writable segment we swap as a whole; memcpy (intercepted) would report them. The
// bytes there are never read by firmware, so copying them is harmless: copy uninstrumented,
// through volatile so the compiler cannot turn the loop back into a memcpy call.
__attribute__((no_sanitize_address)) inline void copy_image_bytes(std::byte* destination,
                                                                  const std::byte* source,
                                                                  std::size_t bytes) {
  auto* to = reinterpret_cast<volatile unsigned char*>(destination);
  const auto* from = reinterpret_cast<const volatile unsigned char*>(source);
  for (std::size_t i = 0; i < bytes; ++i) to[i] = from[i];
}
#else
inline void copy_image_bytes(std::byte* destination, const std::byte* source, std::size_t bytes) {
  std::memcpy(destination, source, bytes);
}
#endif

}  // namespace twelvefold::shim::detail
