// Deterministic random streams. Every stochastic choice in a run draws from a stream derived
// from (scenario seed, entity id, purpose), so results do not depend on thread count or order
// of execution. xoshiro256** seeded through splitmix64; distributions are our own so that the
// numbers are the same on every standard library.
#pragma once

#include <cstdint>

namespace twelvefold::models {

// Well-known purposes, so two uses of one entity's stream never collide.
enum class stream_purpose : std::uint64_t {
  placement = 1,
  boot = 2,
  shadowing = 3,
  session = 4,
  sensor = 5,
  firmware = 6,
  clock = 7,            // per-twin crystal drift (clock.hpp)
  gnss = 8,             // GNSS fix errors, per twin and fix (gnss.hpp)
  location_scan = 9,    // per twin and site: static shadowing of scans (multilateration.hpp)
  location_noise = 10,  // per twin and scan: measurement noise of scans (multilateration.hpp)
  dfu = 60,  // DFU campaigns: per-twin stage selection and apply outcomes (actors/src/cloud/dfu*)
  auth_attack = 20,  // auth: attack schedules and targets (actors/src/cloud/auth_attacks.cpp)
  web_route = 40,    // routes: a simulated web endpoint's latency and errors (per request)
  reconnect = 80,    // per (outage end, twin): search phase and cell search after coverage
                     // returns (models/reconnect.hpp, actors/src/reconnect.cpp)
};

class random_stream {
 public:
  random_stream(std::uint64_t seed, std::uint64_t entity, stream_purpose purpose);
  explicit random_stream(std::uint64_t seed);

  std::uint64_t next_u64();
  // Uniform in [0, 1).
  double uniform();
  // Uniform in [lo, hi).
  double uniform(double lo, double hi);
  // Uniform integer in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n);
  // Standard normal (mean 0, sd 1), Box-Muller with a cached second value.
  double normal();
  double normal(double mean, double sd) { return mean + sd * normal(); }
  bool bernoulli(double p) { return uniform() < p; }

 private:
  std::uint64_t s_[4];
  double spare_normal_ = 0;
  bool has_spare_ = false;
};

}  // namespace twelvefold::models
