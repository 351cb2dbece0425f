// A running 64-bit digest of what the kernel saw (kernel_fingerprint::digest in replay.hpp):
// a resumed run compares it at the stop point. Not cryptographic: it only has to move when a
// firmware, a scenario or a build behaves differently.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace twelvefold::sim {

// FNV-1a's multiply over 8-byte words, so hashing uplinks costs little next to encoding them.
class run_digest {
 public:
  void add(std::uint64_t word) {
    h_ = (h_ ^ word) * 0x100000001b3ULL;
    h_ ^= h_ >> 29;
  }
  void add(const std::string& bytes) {
    add(static_cast<std::uint64_t>(bytes.size()));
    std::size_t k = 0;
    for (; k + 8 <= bytes.size(); k += 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, bytes.data() + k, 8);
      add(word);
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, bytes.data() + k, bytes.size() - k);
    add(tail);
  }
  [[nodiscard]] std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace twelvefold::sim
