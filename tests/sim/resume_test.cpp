// Resuming a stopped run (docs/cli.md, "Resuming a run"): a run stopped at a window boundary
// and resumed from its output directory gives exactly what a run never interrupted gives —
// summary.json, every table of twins.sqlite row for row, the NDJSON sink file — and every
// reason not to resume is refused with a message naming the file, leaving OUT as it was.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "run_helpers.hpp"
#include "twelvefold/sim/resume_state.hpp"
#include "twelvefold/sim/scenario.hpp"
#include "twelvefold/sim/summary.hpp"
#include "twelvefold/sim/world_builder.hpp"

namespace twelvefold {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t hour_us = 3600LL * 1'000'000;

// Something in every table: Notes to the store and to an NDJSON file, web requests, .db and
// inbound Notes (test-routes), a DFU campaign with failures and rollback (firmware), an env
// change and a fleet move (config, events), a hardware replacement (bindings), an outage that
// trips watchdogs, a 20-minute flush cadence. `firmware_of_sensors` names the sensors' image.
std::string scenario_text(const fs::path& ndjson, const std::string& extra = "",
                          const std::string& firmware_of_sensors = "env-sensor") {
  return R"(
name: "resume-test"
epoch_utc: "2026-06-01T00:00:00Z"
duration: "12h"
seed: 5
kernel { store_flush_minutes: 20 }
regions {
  name: "town" center_lat: 48.0 center_lon: 11.0 radius_km: 2 environment: "urban"
  cells { id: 1 rat: "lte-m" lat: 48.0 lon: 11.0 }
  cells { id: 2 rat: "lte-m" lat: 48.01 lon: 11.01 }
}
device_models { name: "probe" firmware: "test-routes" }
device_models { name: "meter" firmware: "smart-meter" rats: "lte-m" }
device_models { name: "sensor" firmware: ")" +
         firmware_of_sensors + R"(" rats: "lte-m" }
fleets { name: "probes" device_model: "probe" count: 20 region: "town" boot_spread_s: 300 }
fleets { name: "meters" device_model: "meter" count: 30 region: "town" serial_prefix: "M-" watchdog: "3h" }
fleets { name: "field" device_model: "sensor" count: 30 region: "town" serial_prefix: "F-" watchdog: "2h" }
fleets { name: "repair" device_model: "sensor" count: 0 region: "town" lifecycle: "repair" }
env { name: "sample_mins" value: "15" }
env { name: "sync_mins" value: "60" }
env { name: "read_mins" value: "30" }
env { name: "post_mins" value: "60" }
firmware_images { name: "meter-2.2" image: "smart-meter" version: "2.2.0" size_bytes: 65536 }
routes { name: "reports" notefiles: "got.qo" sink { store {} } }
routes { name: "feed" notefiles: "*.qo" sink { ndjson { path: ")" +
         ndjson.string() + R"(" } } }
web_routes { name: "api" simulated { latency_ms_median: 3000 error_rate: 0.2 status_on_error: 503 } }
timeline { at: "1h" dfu_campaign { name: "r" fleet: "meters" image: "meter-2.2" apply_failure_rate: 0.2
  stages { percent: 100 after: "0s" } health_gate { max_failure_rate: 0.5 window: "2h" min_samples: 5 }
  rollback: true } }
timeline { at: "2h" env_change { scope: "fleet" fleet: "field" name: "sample_mins" value: "10" } }
timeline { at: "3h" inbound_note { fleet: "probes" file: "data.qi" body: "{\"n\":7}" } }
timeline { at: "4h" db_update { fleet: "probes" file: "config.db" note_id: "cfg" body: "{\"level\":4}" } }
timeline { at: "5h" fleet_move { from_fleet: "field" to_fleet: "repair" percent: 20 } }
timeline { at: "6h" hardware_replacement { serial: "M-0000007" } }
timeline { at: "7h" outage { duration: "3h" cells: 2 } }
)" + extra;
}

sim::scenario_file parse(const std::string& text) {
  sim::load_options options{{TF_TEST_FIRMWARE_DIR}, {}};
  auto loaded = sim::parse_scenario(text, "resume-test.txtpb", ".", options);
  EXPECT_TRUE(loaded) << (loaded ? "" : sim::to_string(loaded.error()));
  return loaded ? *loaded : sim::scenario_file{};
}

// What `twelvefold run` does with an output directory, in-process.
sim::run_summary run_recorded(const sim::scenario_file& file, const fs::path& out,
                              std::optional<std::int64_t> stop_at_us, int threads = 1) {
  const sim::world_overrides overrides;
  auto world = sim::build_world(file, overrides);
  EXPECT_TRUE(sim::record_run_start(out, file, overrides, *world));
  sim::run_options options;
  options.threads = threads;
  options.out_dir = out;
  options.stop_at_us = stop_at_us;
  auto summary = sim::run_world(world, options);
  EXPECT_TRUE(summary) << (summary ? "" : summary.error().message);
  if (!summary) return {};
  EXPECT_TRUE(sim::write_summary(out, *summary));
  EXPECT_TRUE(sim::record_run_end(out, *summary));
  return *summary;
}

// What `twelvefold resume OUT` does, in-process; the error is prepare_resume's or the run's.
std::expected<sim::run_summary, std::string> resume_recorded(
    const fs::path& out, std::optional<std::int64_t> stop_at_us = std::nullopt, int threads = 1,
    const std::atomic<bool>* stop = nullptr) {
  auto input = sim::prepare_resume(out, {TF_TEST_FIRMWARE_DIR});
  if (!input) return std::unexpected(input.error());
  sim::run_options options;
  options.threads = threads;
  options.out_dir = out;
  options.stop_at_us = stop_at_us;
  options.stop_requested = stop;
  options.replay = &input->plan;
  auto summary = sim::run_world(input->world, options);
  if (!summary) return std::unexpected(summary.error().message);
  if (auto ok = sim::write_summary(out, *summary); !ok) return std::unexpected(ok.error());
  if (auto ok = sim::record_run_end(out, *summary); !ok) return std::unexpected(ok.error());
  return *summary;
}

// summary.json without what depends on the wall clock (and the resume object itself).
nlohmann::json comparable_summary(const fs::path& out) {
  std::ifstream in(out / "summary.json");
  nlohmann::json j = nlohmann::json::parse(in);
  for (const char* key : {"wall_seconds", "activations_per_wall_second", "resume"}) j.erase(key);
  return j;
}

// Every table, every row in stored order (rowid tables with their rowid), as text.
std::map<std::string, std::vector<std::string>> dump_store(const fs::path& sqlite_file) {
  std::map<std::string, std::vector<std::string>> tables;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(sqlite_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << sqlite_file;
    return tables;
  }
  std::vector<std::pair<std::string, bool>> names;
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_master WHERE type = 'table'", -1, &stmt,
                     nullptr);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const std::string sql = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
    names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
                       sql.find("WITHOUT ROWID") == std::string::npos);
  }
  sqlite3_finalize(stmt);
  for (const auto& [name, has_rowid] : names) {
    const std::string sql =
        has_rowid ? "SELECT rowid, * FROM " + name + " ORDER BY rowid" : "SELECT * FROM " + name;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    auto& rows = tables[name];
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const auto* text = sqlite3_column_text(stmt, c);
        row += text != nullptr ? reinterpret_cast<const char*>(text) : "NULL";
        row += '|';
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return tables;
}

std::string contents(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void expect_same_run(const fs::path& reference, const fs::path& resumed, const fs::path& ref_ndjson,
                     const fs::path& resumed_ndjson) {
  EXPECT_EQ(comparable_summary(reference), comparable_summary(resumed));
  const auto a = dump_store(reference / "twins.sqlite");
  const auto b = dump_store(resumed / "twins.sqlite");
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [table, rows] : a) {
    ASSERT_TRUE(b.contains(table)) << table;
    EXPECT_EQ(rows.size(), b.at(table).size()) << table;
    EXPECT_EQ(rows, b.at(table)) << "table " << table;
  }
  // The run has something to compare in the append-only tables.
  EXPECT_GT(a.at("events").size(), 50u);
  EXPECT_GT(a.at("sessions").size(), 1000u);
  EXPECT_GT(a.at("firmware").size(), 10u);
  const std::string ndjson = contents(ref_ndjson);
  EXPECT_GT(std::count(ndjson.begin(), ndjson.end(), '\n'), 500);
  EXPECT_EQ(ndjson, contents(resumed_ndjson));
}

struct reference_run {
  fs::path out;
  fs::path ndjson;
};

// One uninterrupted run, shared by the tests (it takes a second or two).
const reference_run& reference() {
  static const reference_run ref = [] {
    const fs::path dir = test::fresh_dir("resume-reference");
    reference_run r{dir / "out", dir / "feed.ndjson"};
    run_recorded(parse(scenario_text(r.ndjson)), r.out, std::nullopt);
    return r;
  }();
  return ref;
}

TEST(Resume, StoppedThenResumedRunEqualsTheUninterruptedRun) {
  const reference_run& ref = reference();
  const fs::path dir = test::fresh_dir("resume-once");
  const fs::path out = dir / "out";
  const fs::path ndjson = dir / "feed.ndjson";
  // 1h50: in the middle of the DFU campaign, with its events of the last 10 minutes written
  // by the stop's final flush but not by a periodic one (the resumed run must not repeat them).
  const std::int64_t stop_at_us = hour_us + 50 * 60'000'000LL;
  const auto stopped = run_recorded(parse(scenario_text(ndjson)), out, stop_at_us);
  ASSERT_TRUE(stopped.stopped_early);
  ASSERT_TRUE(stopped.stop);
  EXPECT_LT(stopped.sim_seconds * 1e6, static_cast<double>(stop_at_us));
  const std::int64_t stop_us = stopped.stop->kernel.next_window_us;
  EXPECT_GE(stop_us, stop_at_us);
  EXPECT_LT(stop_us, 2 * hour_us);
  EXPECT_GT(stopped.stop->store.events, 0u);
  EXPECT_GT(stopped.stop->store.sessions, 0u);
  const std::string ndjson_at_stop = contents(ndjson);
  ASSERT_FALSE(ndjson_at_stop.empty());

  auto resumed = resume_recorded(out);
  ASSERT_TRUE(resumed) << resumed.error();
  EXPECT_FALSE(resumed->stopped_early);
  EXPECT_EQ(resumed->resume.times_resumed, 1u);
  EXPECT_DOUBLE_EQ(resumed->resume.resumed_from_s, static_cast<double>(stop_us) / 1e6);
  EXPECT_GT(resumed->resume.replay_wall_seconds, 0);
  // The sink file was continued, not rewritten.
  EXPECT_TRUE(contents(ndjson).starts_with(ndjson_at_stop));
  expect_same_run(ref.out, out, ref.ndjson, ndjson);

  std::ifstream in(out / "summary.json");
  const auto summary = nlohmann::json::parse(in);
  ASSERT_TRUE(summary.contains("resume"));
  EXPECT_EQ(summary["resume"]["times_resumed"], 1);
  EXPECT_EQ(summary["stopped_early"], false);
  EXPECT_EQ(summary["sim_seconds"], 12 * 3600);
}

TEST(Resume, StopResumeStopResumeWithTwoThreads) {
  const reference_run& ref = reference();
  const fs::path dir = test::fresh_dir("resume-twice");
  const fs::path out = dir / "out";
  const fs::path ndjson = dir / "feed.ndjson";
  ASSERT_TRUE(run_recorded(parse(scenario_text(ndjson)), out, 2 * hour_us).stopped_early);
  // Threads do not change results: the resumed parts run on two.
  auto second = resume_recorded(out, 8 * hour_us, 2);
  ASSERT_TRUE(second) << second.error();
  EXPECT_TRUE(second->stopped_early);
  ASSERT_TRUE(second->stop);
  EXPECT_GE(second->stop->kernel.next_window_us, 8 * hour_us);
  auto third = resume_recorded(out, std::nullopt, 2);
  ASSERT_TRUE(third) << third.error();
  EXPECT_FALSE(third->stopped_early);
  EXPECT_EQ(third->resume.times_resumed, 2u);
  EXPECT_DOUBLE_EQ(third->resume.resumed_from_s,
                   static_cast<double>(second->stop->kernel.next_window_us) / 1e6);
  auto a = comparable_summary(ref.out);
  auto b = comparable_summary(out);
  a.erase("threads");
  b.erase("threads");
  EXPECT_EQ(a, b);
  const auto store_a = dump_store(ref.out / "twins.sqlite");
  auto store_b = dump_store(out / "twins.sqlite");
  for (const auto& [table, rows] : store_a) EXPECT_EQ(rows, store_b[table]) << table;
  EXPECT_EQ(contents(ref.ndjson), contents(ndjson));
}

TEST(Resume, RetentionBehavesAsIfTheRunNeverStopped) {
  const fs::path dir = test::fresh_dir("resume-retention");
  const std::string retention = "store { retention: \"3h\" }\n";
  const fs::path ref_ndjson = dir / "ref.ndjson";
  run_recorded(parse(scenario_text(ref_ndjson, retention)), dir / "ref", std::nullopt);
  const fs::path ndjson = dir / "feed.ndjson";
  ASSERT_TRUE(run_recorded(parse(scenario_text(ndjson, retention)), dir / "out", 7 * hour_us)
                  .stopped_early);
  auto resumed = resume_recorded(dir / "out");
  ASSERT_TRUE(resumed) << resumed.error();
  const auto a = dump_store(dir / "ref" / "twins.sqlite");
  const auto b = dump_store(dir / "out" / "twins.sqlite");
  for (const auto& [table, rows] : a) EXPECT_EQ(rows, b.at(table)) << table;
  // Retention did cut: the first hours' sessions are gone from both.
  EXPECT_LT(a.at("sessions").size(), resumed->sessions);
  EXPECT_EQ(contents(ref_ndjson), contents(ndjson));
}

// Everything a refusal must leave as it was.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files[entry.path().string()] = contents(entry.path());
  }
  return files;
}

TEST(Resume, RefusesAMissingDirectoryAndOneWithoutResumeState) {
  const fs::path dir = test::fresh_dir("resume-missing");
  auto missing = sim::prepare_resume(dir / "nope", {TF_TEST_FIRMWARE_DIR});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find((dir / "nope").string() + ": no such directory"),
            std::string::npos)
      << missing.error();
  auto empty = sim::prepare_resume(dir, {TF_TEST_FIRMWARE_DIR});
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().find((dir / "resume.json").string() + ": no such file"),
            std::string::npos)
      << empty.error();
  EXPECT_NE(empty.error().find("no resume state"), std::string::npos) << empty.error();
}

TEST(Resume, RefusesAFinishedRunAndOneThatDidNotStopCleanly) {
  auto finished = sim::prepare_resume(reference().out, {TF_TEST_FIRMWARE_DIR});
  ASSERT_FALSE(finished);
  EXPECT_NE(finished.error().find("resume.json: the run finished already"), std::string::npos)
      << finished.error();

  // A run that was killed (or is still running) left status "running".
  const fs::path dir = test::fresh_dir("resume-killed");
  const auto file = parse(scenario_text(dir / "feed.ndjson"));
  ASSERT_TRUE(sim::record_run_start(dir / "out", file, {}, *sim::build_world(file)));
  auto killed = sim::prepare_resume(dir / "out", {TF_TEST_FIRMWARE_DIR});
  ASSERT_FALSE(killed);
  EXPECT_NE(killed.error().find("did not stop cleanly"), std::string::npos) << killed.error();
}

TEST(Resume, RefusesATamperedResumeStateAndScenario) {
  const fs::path dir = test::fresh_dir("resume-tampered");
  const fs::path out = dir / "out";
  ASSERT_TRUE(run_recorded(parse(scenario_text(dir / "feed.ndjson")), out, hour_us).stopped_early);
  const std::string state = contents(out / "resume.json");
  const std::string scenario = contents(out / "resume-scenario.txtpb");

  // Moving the stop point by hand would replay to the wrong place: caught before any replay.
  std::string edited = state;
  const std::size_t at = edited.find("\"activations\": ");
  ASSERT_NE(at, std::string::npos);
  edited.insert(at + 15, "1");
  std::ofstream(out / "resume.json", std::ios::trunc) << edited;
  auto tampered = sim::prepare_resume(out, {TF_TEST_FIRMWARE_DIR});
  ASSERT_FALSE(tampered);
  EXPECT_NE(tampered.error().find((out / "resume.json").string() + ": modified after twelvefold"),
            std::string::npos)
      << tampered.error();
  std::ofstream(out / "resume.json", std::ios::trunc) << "{ not json";
  auto garbage = sim::prepare_resume(out, {TF_TEST_FIRMWARE_DIR});
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().find("not valid JSON"), std::string::npos) << garbage.error();
  std::ofstream(out / "resume.json", std::ios::trunc) << state;

  // The saved scenario is what a resume runs: an edit is refused, naming the file.
  std::ofstream(out / "resume-scenario.txtpb", std::ios::trunc) << scenario << "\n# edited\n";
  auto changed = sim::prepare_resume(out, {TF_TEST_FIRMWARE_DIR});
  ASSERT_FALSE(changed);
  EXPECT_NE(changed.error().find((out / "resume-scenario.txtpb").string() + ": changed since"),
            std::string::npos)
      << changed.error();
  std::ofstream(out / "resume-scenario.txtpb", std::ios::trunc) << scenario;
  EXPECT_TRUE(sim::prepare_resume(out, {TF_TEST_FIRMWARE_DIR}));
}

TEST(Resume, RefusesAChangedFirmwareImageNamingIt) {
  const fs::path dir = test::fresh_dir("resume-firmware");
  const fs::path image = dir / "my-sensor.so";
  fs::copy_file(fs::path(TF_TEST_FIRMWARE_DIR) / "env-sensor.so", image);
  const fs::path out = dir / "out";
  ASSERT_TRUE(
      run_recorded(parse(scenario_text(dir / "feed.ndjson", "", image.string())), out, hour_us)
          .stopped_early);
  // A rebuilt image (a new file: the old one may still be mapped).
  fs::remove(image);
  fs::copy_file(fs::path(TF_TEST_FIRMWARE_DIR) / "test-eager.so", image);
  const auto before = snapshot(dir);
  auto refused = sim::prepare_resume(out, {TF_TEST_FIRMWARE_DIR});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("firmware image " + image.string() + " changed since the run"),
            std::string::npos)
      << refused.error();
  EXPECT_EQ(before, snapshot(dir));
}

TEST(Resume, RefusesARunWhoseWebRouteCallsARealUrl) {
  const fs::path dir = test::fresh_dir("resume-real-web");
  std::string text = scenario_text(dir / "feed.ndjson");
  const std::string simulated =
      "simulated { latency_ms_median: 3000 error_rate: 0.2 status_on_error: 503 }";
  text.replace(text.find(simulated), simulated.size(), "url: \"http://127.0.0.1:9/api\"");
  const auto file = parse(text);
  ASSERT_TRUE(sim::record_run_start(dir / "out", file, {}, *sim::build_world(file)));
  sim::run_summary stopped;
  stopped.stopped_early = true;
  stopped.stop = sim::stop_point{};
  ASSERT_TRUE(sim::record_run_end(dir / "out", stopped));
  auto refused = sim::prepare_resume(dir / "out", {TF_TEST_FIRMWARE_DIR});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("cannot be resumed: web route \"api\" calls a real URL"),
            std::string::npos)
      << refused.error();
}

TEST(Resume, AReplayThatArrivesElsewhereWritesNothing) {
  const fs::path dir = test::fresh_dir("resume-diverged");
  const fs::path out = dir / "out";
  ASSERT_TRUE(
      run_recorded(parse(scenario_text(dir / "feed.ndjson")), out, 3 * hour_us).stopped_early);
  const auto before = snapshot(dir);
  auto input = sim::prepare_resume(out, {TF_TEST_FIRMWARE_DIR});
  ASSERT_TRUE(input) << input.error();
  // As if the firmware behaved differently: one activation more at the stop point.
  input->plan.expected.activations += 1;
  sim::run_options options;
  options.out_dir = out;
  options.replay = &input->plan;
  auto diverged = sim::run_world(input->world, options);
  ASSERT_FALSE(diverged);
  EXPECT_EQ(diverged.error().kind, sim::run_error_kind::bad_input);
  EXPECT_NE(diverged.error().message.find("did not arrive where the run stopped (activations: "),
            std::string::npos)
      << diverged.error().message;
  EXPECT_EQ(before, snapshot(dir));
  // Still resumable as it was.
  EXPECT_TRUE(resume_recorded(out));
}

TEST(Resume, AStopDuringTheReplayWritesNothingAndCanBeResumedLater) {
  const fs::path dir = test::fresh_dir("resume-interrupted");
  const fs::path out = dir / "out";
  ASSERT_TRUE(
      run_recorded(parse(scenario_text(dir / "feed.ndjson")), out, 4 * hour_us).stopped_early);
  const auto before = snapshot(dir);
  const std::atomic<bool> stop{true};
  auto interrupted = resume_recorded(out, std::nullopt, 1, &stop);
  ASSERT_FALSE(interrupted);
  EXPECT_NE(interrupted.error().find("stopped while replaying"), std::string::npos)
      << interrupted.error();
  EXPECT_EQ(before, snapshot(dir));
  auto resumed = resume_recorded(out);
  ASSERT_TRUE(resumed) << resumed.error();
  EXPECT_EQ(resumed->resume.times_resumed, 1u);
  EXPECT_EQ(comparable_summary(reference().out), comparable_summary(out));
}

}  // namespace
}  // namespace twelvefold
