// Micro-benchmarks of the radio models' hot calls, per RAT: best_link (per twin per move; 20
// sites), run_session (per sync), and the batch contention resolvers (per window: 10k LoRa
// transmissions, 10k random-access attempts). The network actor's cost per session and per
// simulated day at 1M twins follows from these (docs/validation.md, "Cost").
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "twelvefold/models/contention.hpp"
#include "twelvefold/models/lte_m.hpp"
#include "twelvefold/models/ntn.hpp"
#include "twelvefold/models/radio_model.hpp"

namespace tfm = twelvefold::models;

namespace {

constexpr tfm::geo_point center{48.8566, 2.3522};
constexpr std::int64_t epoch_2024_us = 1'704'067'200LL * 1'000'000;

// A grid of `n` sites of RAT `r`: rows of 5, `spacing_m` apart, centred on the region.
std::vector<tfm::cell_site> grid_of_sites(tfm::rat r, int n, double spacing_m) {
  std::vector<tfm::cell_site> sites;
  sites.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    tfm::cell_site c = tfm::default_site(r);
    c.id = static_cast<std::uint32_t>(i + 1);
    const int column = i % 5;
    const int row = i / 5;
    c.position = tfm::to_geo(center, {spacing_m * (column - 2), spacing_m * (row - 1.5)});
    sites.push_back(c);
  }
  return sites;
}

double spacing_for(tfm::rat r) {
  switch (r) {
    case tfm::rat::wifi:
      return 40;  // access points through a building
    case tfm::rat::lorawan:
      return 8000;
    default:
      return 4000;
  }
}

tfm::constellation_spec leo() {
  tfm::constellation_spec c;
  c.satellites = 66;
  c.planes = 6;
  c.altitude_km = 600;
  c.inclination_deg = 53;
  c.min_elevation_deg = 25;
  return c;
}

std::unique_ptr<tfm::radio_model> model_for(tfm::rat r) {
  return tfm::make_radio_model(r, tfm::environment_kind::urban, center,
                               grid_of_sites(r, 20, spacing_for(r)), leo());
}

std::vector<tfm::geo_point> random_places(tfm::rat r, std::uint64_t seed) {
  tfm::random_stream rng(seed);
  const double half_m = 2.5 * spacing_for(r);
  std::vector<tfm::geo_point> where;
  where.reserve(1024);
  for (int i = 0; i < 1024; ++i) {
    where.push_back(
        tfm::to_geo(center, {rng.uniform(-half_m, half_m), rng.uniform(-half_m, half_m)}));
  }
  return where;
}

void BM_best_link(benchmark::State& state) {
  const auto r = static_cast<tfm::rat>(state.range(0));
  const auto model = model_for(r);
  const std::vector<tfm::geo_point> where = random_places(r, 1);
  const std::vector<bool> all_up;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(model->best_link(where[i++ & 1023], 0, all_up));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(tfm::rat_name(r)) + (r == tfm::rat::ntn ? " (66 sats)" : " 20 sites"));
}
BENCHMARK(BM_best_link)->DenseRange(0, tfm::rat_count - 1);

void BM_run_session(benchmark::State& state) {
  const auto r = static_cast<tfm::rat>(state.range(0));
  const auto model = model_for(r);
  // A covered device near the first site (NTN: at the centre, mid-pass).
  const tfm::geo_point at =
      tfm::to_geo(grid_of_sites(r, 1, spacing_for(r))[0].position,
                  r == tfm::rat::wifi ? tfm::local_point{10, 5} : tfm::local_point{800, 300});
  const tfm::link_budget link = model->best_link(at, 2.0, {});
  std::int64_t utc_us = epoch_2024_us;
  if (r == tfm::rat::ntn) {
    tfm::satellite_pass pass;
    tfm::walker_constellation(leo()).next_pass(at, epoch_2024_us, 86'400'000'000LL, pass);
    utc_us = pass.start_utc_us + (pass.end_utc_us - pass.start_utc_us) / 2;
  }
  tfm::random_stream rng(2, 1, tfm::stream_purpose::session);
  const std::uint32_t bytes = r == tfm::rat::lorawan ? 40 : 200;
  for (auto _ : state) {
    benchmark::DoNotOptimize(model->run_session(link, {bytes, 0, utc_us}, rng));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(tfm::rat_name(r)) +
                 (link.coverage == tfm::coverage_class::none ? " (no coverage!)" : ""));
}
BENCHMARK(BM_run_session)->DenseRange(0, tfm::rat_count - 1);

void BM_resolve_lora_10k(benchmark::State& state) {
  // 10k uplinks in an hour over 8 gateways, 3 channels, SF7-12: a busy city's LoRa hour.
  tfm::random_stream rng(3);
  std::vector<tfm::lora_tx> txs;
  txs.reserve(10000);
  for (std::uint32_t i = 0; i < 10000; ++i) {
    tfm::lora_tx t;
    t.twin = i;
    t.gateway = static_cast<std::uint32_t>(rng.below(8));
    t.sf = static_cast<std::uint8_t>(7 + rng.below(6));
    t.channel = static_cast<std::uint8_t>(rng.below(3));
    t.start_us = static_cast<std::int64_t>(rng.uniform(0, 3.6e9));
    t.airtime_us = tfm::lora_airtime_us(33, t.sf);
    t.rssi_dbm = rng.uniform(-135, -90);
    txs.push_back(t);
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(tfm::resolve_lora(txs));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(txs.size()));
}
BENCHMARK(BM_resolve_lora_10k)->Unit(benchmark::kMillisecond);

void BM_resolve_rach_10k(benchmark::State& state) {
  // 10k attaches in one 1 s window over 20 cells: a reconnect storm after an outage.
  std::vector<tfm::rach_attempt> attempts;
  attempts.reserve(10000);
  tfm::random_stream place(4);
  for (std::uint32_t i = 0; i < 10000; ++i) {
    attempts.push_back({i, static_cast<std::uint32_t>(place.below(20)),
                        static_cast<std::int64_t>(place.uniform(0, 1e6))});
  }
  std::sort(attempts.begin(), attempts.end(), [](const auto& a, const auto& b) {
    return std::tie(a.start_us, a.twin) < std::tie(b.start_us, b.twin);
  });
  std::vector<tfm::random_stream> streams;
  streams.reserve(attempts.size());
  for (const auto& a : attempts) streams.emplace_back(5, a.twin, tfm::stream_purpose::session);
  std::vector<tfm::random_stream*> rngs;
  for (auto& s : streams) rngs.push_back(&s);
  const tfm::rach_params p;
  for (auto _ : state) {
    benchmark::DoNotOptimize(tfm::resolve_rach(attempts, rngs, p));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(attempts.size()));
}
BENCHMARK(BM_resolve_rach_10k)->Unit(benchmark::kMillisecond);

// The original LTE-M figures, kept for comparison across changes (10 cells, 2-arg best_link).
void BM_lte_m_best_link_10_cells(benchmark::State& state) {
  const tfm::lte_m_model model({}, tfm::environment_kind::urban, center,
                               grid_of_sites(tfm::rat::lte_m, 10, 5000));
  const std::vector<tfm::geo_point> where = random_places(tfm::rat::lte_m, 1);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(model.best_link(where[i++ & 1023], 0));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_lte_m_best_link_10_cells);

}  // namespace
