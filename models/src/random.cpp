// xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2018),
// seeded through splitmix64 (Steele, Lea & Flood, OOPSLA 2014). Written from the published
// algorithms; the distributions are ours so every platform draws the same numbers.
#include "twelvefold/models/random.hpp"

#include <cmath>

namespace twelvefold::models {
namespace {

constexpr double two_pi = 6.283185307179586476925286766559;

// splitmix64's output function: a bijective avalanche mix of a 64-bit word.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// One step of the splitmix64 generator: advances `state` by the golden-ratio increment.
constexpr std::uint64_t splitmix64_next(std::uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  return mix64(state);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void seed_state(std::uint64_t key, std::uint64_t (&s)[4]) {
  std::uint64_t sm = key;
  for (auto& word : s) word = splitmix64_next(sm);
  // xoshiro's only bad state is all zeros; splitmix64 cannot emit four zeros in a row, but the
  // guard costs nothing and documents the invariant.
  if ((s[0] | s[1] | s[2] | s[3]) == 0) s[0] = 0x9e3779b97f4a7c15ULL;
}

// Domain-separation constants (arbitrary odd words) so that (seed, entity, purpose) keys never
// coincide with the single-seed constructor's keys or with each other by simple symmetry.
constexpr std::uint64_t entity_salt = 0x6a09e667f3bcc909ULL;   // frac(sqrt(2))
constexpr std::uint64_t purpose_salt = 0xbb67ae8584caa73bULL;  // frac(sqrt(3))
constexpr std::uint64_t triple_salt = 0x3c6ef372fe94f82bULL;   // frac(sqrt(5))

}  // namespace

random_stream::random_stream(std::uint64_t seed, std::uint64_t entity, stream_purpose purpose) {
  // Chained mixing (not XOR of independent hashes): swapping entity and purpose, or neighbouring
  // entity ids, lands on unrelated keys; each step is a bijection of the running key, so two
  // triples differing in one field always give different keys.
  std::uint64_t key = mix64(seed ^ triple_salt);
  key = mix64(key ^ mix64(entity + entity_salt));
  key = mix64(key ^ mix64(static_cast<std::uint64_t>(purpose) + purpose_salt));
  seed_state(key, s_);
}

random_stream::random_stream(std::uint64_t seed) { seed_state(seed, s_); }

std::uint64_t random_stream::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double random_stream::uniform() {
  // The top 53 bits fill a double's mantissa exactly: every value k * 2^-53, k < 2^53.
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double random_stream::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

std::uint64_t random_stream::below(std::uint64_t n) {
  if (n <= 1) return 0;  // n == 0 is a contract violation; answer 0 rather than divide by zero.
  // Lemire, "Fast random integer generation in an interval" (ACM TOMACS 2019): multiply-shift
  // with a rejection zone of (2^64 mod n) values, so the result is exactly uniform and the
  // division only runs on the rare path.
  __extension__ typedef unsigned __int128 u128;  // GCC/Clang builtin; -Wpedantic-safe
  u128 m = static_cast<u128>(next_u64()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<u128>(next_u64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double random_stream::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_normal_;
  }
  // Box-Muller. u1 in (0, 1] keeps log() finite; both outputs are used (the second is cached).
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = two_pi * u2;
  spare_normal_ = r * std::sin(theta);
  has_spare_ = true;
  return r * std::cos(theta);
}

}  // namespace twelvefold::models
