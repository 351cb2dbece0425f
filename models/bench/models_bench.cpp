// Micro-benchmarks of the LTE-M model's hot calls: best_link (per twin per move, 10 cells) and
// run_session (per sync).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "twelvefold/models/lte_m.hpp"

namespace tfm = twelvefold::models;

namespace {

constexpr tfm::geo_point center{48.8566, 2.3522};

std::vector<tfm::cell_site> grid_of_cells(int n) {
  std::vector<tfm::cell_site> cells;
  cells.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    tfm::cell_site c;
    c.id = static_cast<std::uint32_t>(i + 1);
    // Rows of 4 sites, 5 km apart, with alternating bands to exercise two loss models.
    const int column = i % 4;
    const int row = i / 4;
    c.position = tfm::to_geo(center, {5000.0 * column - 7500, 5000.0 * row - 5000});
    c.frequency_mhz = i % 2 ? 800 : 1800;
    cells.push_back(c);
  }
  return cells;
}

void BM_best_link_10_cells(benchmark::State& state) {
  const tfm::lte_m_model model({}, tfm::environment_kind::urban, center, grid_of_cells(10));
  tfm::random_stream rng(1);
  std::vector<tfm::geo_point> where;
  where.reserve(1024);
  for (int i = 0; i < 1024; ++i)
    where.push_back(tfm::to_geo(center, {rng.uniform(-10e3, 10e3), rng.uniform(-10e3, 10e3)}));
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(model.best_link(where[i++ & 1023], 0));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_best_link_10_cells);

void BM_run_session(benchmark::State& state) {
  const tfm::lte_m_model model({}, tfm::environment_kind::urban, center, grid_of_cells(10));
  const auto link = model.best_link(tfm::to_geo(center, {2000, 1000}), 3.0);
  tfm::random_stream rng(2, 1, tfm::stream_purpose::session);
  for (auto _ : state) {
    benchmark::DoNotOptimize(model.run_session(link, {200, 50}, rng));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_run_session);

}  // namespace
