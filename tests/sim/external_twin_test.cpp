// Hardware / an emulator in the loop at run level: an external program plays one device,
// attached over TCP to a real-time run of simulated twins; plus the scenario and run errors an
// external twin can cause, and the module's own periodic sync while its host sleeps.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run_helpers.hpp"
#include "twelvefold/sim/scenario.hpp"
#include "twelvefold/sim/summary.hpp"

extern char** environ;

namespace twelvefold {
namespace {

// A TCP port nobody listens on now (the kernel picks it; we give it back at once).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

std::string scenario_text(const std::string& external_fields, const std::string& duration,
                          std::uint32_t external_count = 1) {
  return R"(name: "hil"
epoch_utc: "2026-06-01T00:00:00Z"
duration: ")" +
         duration + R"("
seed: 11
regions {
  name: "lab"
  center_lat: 52.370
  center_lon: 4.895
  radius_km: 3
  environment: "urban"
  cells { id: 101 rat: "lte-m" lat: 52.370 lon: 4.895 }
}
device_models { name: "env" firmware: "env-sensor" }
device_models {
  name: "bench-board"
  )" + external_fields +
         R"(
}
fleets { name: "sensors" device_model: "env" count: 20 region: "lab" boot_spread_s: 60 }
fleets { name: "bench" device_model: "bench-board" count: )" +
         std::to_string(external_count) + R"( region: "lab" }
)";
}

std::expected<sim::scenario_file, std::vector<sim::diagnostic>> parse(const std::string& text) {
  return sim::parse_scenario(text, "hil.txtpb", TF_SOURCE_DIR, {{TF_TEST_FIRMWARE_DIR}});
}

std::shared_ptr<const actors::world> world_of(const std::string& text) {
  auto loaded = parse(text);
  EXPECT_TRUE(loaded) << (loaded ? "" : sim::to_string(loaded.error()));
  if (!loaded) return nullptr;
  return sim::build_world(*loaded, {});
}

pid_t spawn_device(int port) {
  std::vector<std::string> args = {TF_TEST_EXTERNAL_DEVICE, "tcp", "127.0.0.1",
                                   std::to_string(port)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  return pid;
}

// The exit status of a finished device, or -1 while it runs.
int exited(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string one_diagnostic(const std::string& text) {
  auto loaded = parse(text);
  EXPECT_FALSE(loaded);
  if (loaded) return "";
  EXPECT_EQ(loaded.error().size(), 1u) << sim::to_string(loaded.error());
  return loaded.error().front().to_string();
}

// 20 env-sensor twins and one external device on tcp-listen; the device (external-device,
// the same program the shim's own test uses) connects twice in a row, each time adding two
// Notes and asking for a sync. Real time at 1000x: 65 simulated minutes take ~4 s.
TEST(ExternalTwin, JoinsARealTimeRunBesideSimulatedTwins) {
  const int port = free_port();
  auto world = world_of(
      scenario_text("external: \"tcp-listen:127.0.0.1:" + std::to_string(port) + "\"", "65m"));
  ASSERT_TRUE(world);
  const auto out = test::fresh_dir("external-twin");

  std::vector<std::string> notices;
  std::vector<pid_t> devices;
  std::vector<int> statuses;
  sim::run_options options;
  options.threads = 2;
  options.out_dir = out;
  options.realtime_speed = 1000;
  // The endpoint is open when its notice comes (before the first window): the device may
  // connect now. When it is done, a second one connects to the same twin (a reconnect).
  options.on_notice = [&](const std::string& line) {
    notices.push_back(line);
    if (line.find("waiting for the device") != std::string::npos) {
      devices.push_back(spawn_device(port));
    }
  };
  options.on_progress = [&](const sim::progress&) {
    if (devices.size() == 1 && statuses.empty()) {
      if (const int status = exited(devices[0]); status >= 0) {
        statuses.push_back(status);
        devices.push_back(spawn_device(port));
      }
    }
  };
  auto summary = sim::run_world(world, options);
  ASSERT_TRUE(summary) << summary.error().message;
  // Both devices finished long before the run did (each takes a few windows).
  ASSERT_EQ(devices.size(), 2u) << "the first device did not finish within the run";
  int second = -1;
  waitpid(devices[1], &second, 0);
  statuses.push_back(WIFEXITED(second) ? WEXITSTATUS(second) : 128 + WTERMSIG(second));
  EXPECT_EQ(statuses[0], 0) << "external-device's exchanges (see its stderr)";
  EXPECT_EQ(statuses[1], 0);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("BENCH-0000001"), std::string::npos) << notices[0];
  EXPECT_NE(notices[0].find("127.0.0.1:" + std::to_string(port)), std::string::npos);

  // The device's Notes (2 per connection) reached the cloud beside the simulated twins'.
  EXPECT_EQ(summary->external.at("twins"), 1u);
  EXPECT_EQ(summary->external.at("connects"), 2u);
  EXPECT_EQ(summary->external.at("disconnects"), 2u);
  EXPECT_EQ(summary->external.at("link_failures"), 0u);
  EXPECT_EQ(summary->external.at("requests"), 12u);  // 6 request lines per connection
  EXPECT_EQ(summary->external.at("connected_at_end"), 0u);
  EXPECT_EQ(summary->request_errors_by_tag.at("not-supported"), 2u) << "no.such.request, twice";
  EXPECT_GT(summary->realtime_speed, 0);
  EXPECT_EQ(summary->notes_added,
            summary->notes_delivered + summary->notes_in_flight + summary->notes_lost);

  ASSERT_TRUE(sim::write_summary(out, *summary));
  std::ifstream in(out / "summary.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["external"]["connects"], 2);
  EXPECT_EQ(j["request_errors"]["by_tag"]["not-supported"], 2);

  // The twin store: the external twin has its 4 Notes, and the simulated twins theirs.
  const auto rows = test::dump_twins(out / "twins.sqlite");
  ASSERT_EQ(rows.size(), 21u);
  std::size_t simulated_with_notes = 0;
  bool external_seen = false;
  for (const std::string& row : rows) {
    if (row.starts_with("BENCH-0000001|")) {
      external_seen = true;
      EXPECT_NE(row.find("|external|"), std::string::npos) << row;
      EXPECT_NE(row.find("|4|2|0|"), std::string::npos)
          << "4 Notes in 2 sessions (one hub.sync per connection): " << row;
    } else if (row.find("|env-sensor@") != std::string::npos) {
      ++simulated_with_notes;
    }
  }
  EXPECT_TRUE(external_seen);
  EXPECT_EQ(simulated_with_notes, 20u);
  EXPECT_GT(summary->notes_delivered, 20u + 4u);
}

TEST(ExternalTwin, BadEndpointsAreScenarioErrorsWithTheirLocation) {
  EXPECT_EQ(one_diagnostic(scenario_text("external: \"tcp-listen:7001\"", "1h")),
            "hil.txtpb:16:3: device model \"bench-board\": external endpoint "
            "\"tcp-listen:7001\": expected HOST:PORT, got '7001'");
  EXPECT_EQ(one_diagnostic(scenario_text("external: \"tcp:localhost:99999\"", "1h")),
            "hil.txtpb:16:3: device model \"bench-board\": external endpoint "
            "\"tcp:localhost:99999\": port '99999' is not a number from 0 to 65535");
  EXPECT_NE(one_diagnostic(scenario_text("external: \"serial0\"", "1h"))
                .find("hil.txtpb:16:3: device model \"bench-board\": external endpoint "
                      "\"serial0\": unknown kind of endpoint (expected tcp-listen:HOST:PORT"),
            std::string::npos);
  EXPECT_EQ(one_diagnostic(scenario_text("external: \"tty:\"", "1h")),
            "hil.txtpb:16:3: device model \"bench-board\": external endpoint \"tty:\": tty: "
            "needs a device path");
  EXPECT_EQ(one_diagnostic(scenario_text(
                "firmware: \"env-sensor\" external: \"tcp-listen:127.0.0.1:7001\"", "1h")),
            "hil.txtpb:16:26: device model \"bench-board\": `external` and `firmware` are "
            "mutually exclusive (the firmware runs either outside the simulator or inside it)");
  EXPECT_NE(one_diagnostic(scenario_text("external: \"tcp-listen:127.0.0.1:7001\"", "1h", 3))
                .find("hil.txtpb:19:52: fleet \"bench\": device model \"bench-board\" is external"),
            std::string::npos);
}

TEST(ExternalTwin, TwoModelsCannotShareAnEndpoint) {
  std::string text = scenario_text("external: \"tcp-listen:127.0.0.1:7001\"", "1h");
  text += R"(device_models { name: "board-2" external: "tcp-listen:127.0.0.1:7001" }
fleets { name: "bench-2" device_model: "board-2" count: 1 region: "lab" }
)";
  EXPECT_EQ(one_diagnostic(text),
            "hil.txtpb:20:33: device model \"board-2\": external endpoint "
            "\"tcp-listen:127.0.0.1:7001\" is already used by device model \"bench-board\" (one "
            "endpoint per device)");
}

TEST(ExternalTwin, AnEndpointInUseFailsTheRunNamingTheScenarioLine) {
  // Someone else listens on the port: the run stops before it starts, as bad input (exit 2).
  const int busy = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(busy, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(busy, 1), 0);
  socklen_t length = sizeof address;
  getsockname(busy, reinterpret_cast<sockaddr*>(&address), &length);
  const std::string endpoint = "tcp-listen:127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  auto world = world_of(scenario_text("external: \"" + endpoint + "\"", "1h"));
  ASSERT_TRUE(world);
  sim::run_options options;
  options.realtime_speed = 1000;
  auto summary = sim::run_world(world, options);
  close(busy);
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().kind, sim::run_error_kind::bad_input);
  EXPECT_EQ(summary.error().message,
            "hil.txtpb:16:3: device model \"bench-board\": external "
            "firmware '" +
                endpoint + "': cannot listen: Address already in use");
}

TEST(ExternalTwin, ARunWithExternalTwinsIsSwitchedToRealTime) {
  auto world = world_of(scenario_text("external: \"tcp-listen:127.0.0.1:0\"", "1h"));
  ASSERT_TRUE(world);
  std::atomic<bool> stop{false};
  std::vector<std::string> notices;
  sim::run_options options;
  options.stop_requested = &stop;
  options.on_notice = [&](const std::string& line) {
    notices.push_back(line);
    stop = true;  // an hour of real time is not what this test is about
  };
  auto summary = sim::run_world(world, options);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->realtime_speed, 1.0);
  EXPECT_TRUE(summary->stopped_early);
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_NE(notices[1].find("running in real time (--realtime 1)"), std::string::npos)
      << notices[1];
}

// The module syncs on its own schedule (hub.set outbound:60) while the host sleeps 6 h: the
// Note of each boot reaches the cloud within the hour, with the host woken only once.
TEST(ModuleWakes, AModuleSyncsHourlyWhileItsHostSleeps) {
  const std::string text = R"(name: "sleepy"
epoch_utc: "2026-06-01T00:00:00Z"
duration: "5h"
seed: 3
regions {
  name: "lab"
  center_lat: 52.370
  center_lon: 4.895
  radius_km: 3
  environment: "urban"
  cells { id: 101 rat: "lte-m" lat: 52.370 lon: 4.895 }
}
device_models { name: "sleepy" firmware: "test-sleepy" }
fleets { name: "sleepers" device_model: "sleepy" count: 50 region: "lab" }
)";
  auto world = world_of(text);
  ASSERT_TRUE(world);
  const auto out = test::fresh_dir("module-wakes");
  const sim::run_summary summary = test::run_ok(world, 2, out);
  EXPECT_EQ(summary.activations, 50u) << "the host woke once (its boot) in 5 h";
  EXPECT_EQ(summary.notes_added, 50u);
  EXPECT_EQ(summary.notes_delivered, 50u) << "delivered by the module's own sync";
  // One module wake per twin at its first periodic sync (an hour after boot), and none needed
  // after: nothing is left to send until the host wakes again.
  EXPECT_EQ(summary.module_wakes, 50u);
  EXPECT_EQ(summary.sessions, 50u);
}

// One penalty box: the network's modem (it sees the radio) boxes a twin whose sessions keep
// failing, with the Notecard's timings; the module reflects the box and waits it out, so the
// network never has to refuse a session, and the firmware's sync:true every 5 minutes does not
// turn into an attempt every 5 minutes.
TEST(PenaltyBox, TheModemOwnsItAndTheModuleWaitsItOut) {
  const std::string text = R"(name: "boxed"
epoch_utc: "2026-06-01T00:00:00Z"
duration: "4h"
seed: 5
regions {
  name: "nowhere"
  center_lat: 60.0
  center_lon: 20.0
  radius_km: 1
  environment: "rural"
  cells { id: 1 rat: "lte-m" lat: 40.0 lon: 0.0 }
}
device_models { name: "eager" firmware: "test-eager" }
fleets { name: "eager" device_model: "eager" count: 10 region: "nowhere" boot_spread_s: 1 }
)";
  auto world = world_of(text);
  ASSERT_TRUE(world);
  const sim::run_summary summary = test::run_ok(world, 1, test::fresh_dir("penalty-box"));
  EXPECT_EQ(summary.activations, 10u * 48) << "a wake every 5 minutes for 4 hours";
  EXPECT_EQ(summary.notes_delivered, 0u) << "no coverage";
  EXPECT_EQ(summary.penalty_blocked, 0u) << "the module never tried inside the modem's box";
  // Per twin: 4 failures 5 minutes apart (0, 5, 10, 15 min), then one attempt at the end of
  // each box: 15 min (-> 30), 33.75 (-> 63.75), 53.44 (-> 117.2), 78.3 (-> 195.5) minutes.
  EXPECT_EQ(summary.sessions, 10u * 8);
  EXPECT_EQ(summary.session_failures, summary.sessions);
  EXPECT_GE(summary.module_wakes, 10u * 3) << "the attempts at a box's end need no host wake";
}

}  // namespace
}  // namespace twelvefold
