// CRC-32 for the serial wire's request and answer check (serial_port.hpp).
#include <array>
#include <cstdint>
#include <string_view>

#include "twelvefold/shim/serial_port.hpp"

namespace twelvefold::shim {
namespace {

// Byte-wise table of the reflected polynomial: 1 KiB, built at compile time.
constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto table = make_table();

}  // namespace

std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const char c : bytes) {
    crc = table[(crc ^ static_cast<unsigned char>(c)) & 0xFFu] ^ (crc >> 8);
  }
  return ~crc;
}

}  // namespace twelvefold::shim
