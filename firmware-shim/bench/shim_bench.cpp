// Activation cost: N twins' RAM images run round-robin on one loaded copy, as a worker thread
// of the device actor does. The round-robin over many images is the point: with 100k twins the
// images and modules no longer fit in cache, which is the fleet's steady state.
//
//   BM_EnvSensorActivation/N   the reference firmware, one module per twin
//   BM_IdleActivation/N        the shim's own overhead (a firmware that only sleeps)
//   BM_ImageSize/KiB/N         bench-bss-KiB: what a RAM image of that size adds (vs 0 KiB)
//   BM_IdleTwins/N             activation cost from 1k to 1M twins (small image, no requests)
//   BM_EnvSensorFootprint/N    bytes per idle env-sensor twin: image + module + its heap
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "twelvefold/shim/firmware_image.hpp"
#include "twelvefold/shim/host.hpp"
#include "twelvefold/shim/module.hpp"

namespace {

using namespace twelvefold::shim;

constexpr std::int64_t s_us = 1'000'000;

struct bench_twin {
  module comms;
  std::int64_t now_us = 0;
};

// The host of the twin being run; re-pointed per activation so that no allocation happens.
class bench_host final : public twin_host {
 public:
  [[nodiscard]] std::int64_t now_us() const override { return twin_->now_us; }
  [[nodiscard]] std::int64_t boot_us() const override { return 0; }
  module& comms() override { return twin_->comms; }
  bool read_sensor(std::string_view /*name*/, std::int64_t at_us, double& value) override {
    value = 20.0 + static_cast<double>((at_us / s_us) % 100) / 10.0;
    return true;
  }
  void log(int /*level*/, std::string_view /*text*/) override {}

  void run(bench_twin& twin) { twin_ = &twin; }

 private:
  bench_twin* twin_ = nullptr;
};

std::unique_ptr<firmware_library> load_or_die(const char* name) {
  const auto path = std::filesystem::path(TF_BENCH_FIRMWARE_DIR) / (std::string(name) + ".so");
  auto library = firmware_library::load(path, 1);
  if (!library) {
    std::fprintf(stderr, "%s\n", library.error().c_str());
    std::exit(1);
  }
  return std::move(*library);
}

// Syncs at once whenever the module wants, so queues stay short as in a healthy fleet.
void serve_sync(bench_twin& twin) {
  if (!twin.comms.sync_wanted(twin.now_us)) return;
  const auto notes = twin.comms.begin_sync(twin.now_us);
  sync_downlink down;
  down.utc_us = 1'700'000'000 * s_us + twin.now_us;
  down.env_changed = false;
  down.acked_through_seq = notes.empty() ? 0 : notes.back().seq;
  twin.comms.end_sync(twin.now_us, &down);
}

// `shared_module`: all twins answer through one module, for firmware that makes no request (it
// keeps a million-twin run to the images' memory, which is what it measures).
void run_fleet(benchmark::State& state, const std::string& firmware, std::size_t twin_count,
               bool shared_module = false) {
  const auto library = load_or_die(firmware.c_str());
  firmware_copy& copy = library->copy(0);
  const std::size_t image_bytes = copy.pristine_image().size();

  // Images back to back in one buffer, as the device actor keeps them.
  std::vector<std::byte> images(twin_count * image_bytes);
  std::vector<bench_twin> twins(shared_module ? 1 : twin_count);
  bench_host host;
  for (std::size_t i = 0; i < twin_count; ++i) {
    std::span<std::byte> image(images.data() + i * image_bytes, image_bytes);
    std::ranges::copy(copy.pristine_image(), image.begin());
    host.run(twins[shared_module ? 0 : i]);
    copy.activate(image, host, /*first_boot=*/true);
  }

  std::size_t next = 0;
  for (auto _ : state) {
    bench_twin& twin = twins[shared_module ? 0 : next];
    host.run(twin);
    const activation_result result =
        copy.activate({images.data() + next * image_bytes, image_bytes}, host, false);
    twin.now_us += result.busy_us + static_cast<std::int64_t>(result.sleep_request_s) * s_us;
    serve_sync(twin);
    if (++next == twin_count) next = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["image_bytes"] = static_cast<double>(image_bytes);
}

void BM_EnvSensorActivation(benchmark::State& state) {
  run_fleet(state, "env-sensor", static_cast<std::size_t>(state.range(0)));
}
void BM_IdleActivation(benchmark::State& state) {
  run_fleet(state, "bench-idle", static_cast<std::size_t>(state.range(0)));
}
void BM_ImageSize(benchmark::State& state) {
  run_fleet(state, "bench-bss-" + std::to_string(state.range(0)) + "k",
            static_cast<std::size_t>(state.range(1)), /*shared_module=*/true);
}
void BM_IdleTwins(benchmark::State& state) {
  run_fleet(state, "bench-idle", static_cast<std::size_t>(state.range(0)),
            /*shared_module=*/true);
}

std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// Not a timing: builds N idle env-sensor twins in their steady state (booted, time known, queue
// delivered, asleep) and reports what each costs in memory. "All-in" for the shim's part: the RAM
// image, the module object and everything it allocated. The device actor adds its own per-twin
// record (battery, radio, schedule), reported separately by the actors' figures.
void BM_EnvSensorFootprint(benchmark::State& state) {
  const auto library = load_or_die("env-sensor");
  firmware_copy& copy = library->copy(0);
  const auto twin_count = static_cast<std::size_t>(state.range(0));
  const std::size_t image_bytes = copy.pristine_image().size();
  for (auto _ : state) {
    const std::size_t before = heap_in_use();
    auto images = std::make_unique<std::vector<std::byte>>(twin_count * image_bytes);
    auto twins = std::make_unique<std::vector<bench_twin>>(twin_count);
    bench_host host;
    for (std::size_t i = 0; i < twin_count; ++i) {
      std::span<std::byte> image(images->data() + i * image_bytes, image_bytes);
      std::ranges::copy(copy.pristine_image(), image.begin());
      bench_twin& twin = (*twins)[i];
      host.run(twin);
      copy.activate(image, host, /*first_boot=*/true);
      for (int wake = 0; wake < 2; ++wake) {  // the first loop, then one more after a sync
        const activation_result result = copy.activate(image, host, false);
        twin.now_us += result.busy_us + static_cast<std::int64_t>(result.sleep_request_s) * s_us;
        twin.comms.request(R"({"req":"hub.sync"})", twin.now_us);
        serve_sync(twin);
      }
    }
    const double per_twin =
        static_cast<double>(heap_in_use() - before) / static_cast<double>(twin_count);
    state.counters["image_bytes"] = static_cast<double>(image_bytes);
    state.counters["module_object_bytes"] = static_cast<double>(sizeof(module));
    state.counters["bytes_per_twin"] = per_twin;
    state.counters["GiB_per_1M_twins"] = per_twin * 1e6 / (1024.0 * 1024.0 * 1024.0);
    benchmark::DoNotOptimize(images->data());
  }
}

// A single note.add, parsed and answered: the unit of most firmware's work.
void BM_ModuleNoteAdd(benchmark::State& state) {
  module comms;
  std::int64_t now_us = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        comms.request(R"({"req":"note.add","file":"sensors.qo","body":{"temp":21.3}})", now_us));
    now_us += s_us;
    if (comms.notes_pending() >= 100) {
      const auto notes = comms.begin_sync(now_us);
      sync_downlink down;
      down.env_changed = false;
      down.acked_through_seq = notes.back().seq;
      comms.end_sync(now_us, &down);
    }
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_EnvSensorActivation)->Arg(1'000)->Arg(100'000);
BENCHMARK(BM_IdleActivation)->Arg(1'000)->Arg(100'000);
BENCHMARK(BM_ImageSize)->ArgNames({"KiB", "twins"})->ArgsProduct({{0, 1, 4, 16}, {1'000, 100'000}});
BENCHMARK(BM_IdleTwins)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_EnvSensorFootprint)->Arg(100'000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ModuleNoteAdd);

}  // namespace

BENCHMARK_MAIN();
