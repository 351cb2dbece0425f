// An external twin: a separate program plays the device, attached over TCP or a PTY, and its
// requests are answered by the twin's module through the serial wire.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "twelvefold/shim/external_firmware.hpp"
#include "twelvefold/shim/module.hpp"

extern char** environ;

namespace twelvefold::shim {
namespace {

using namespace std::chrono_literals;

// Runs the external-device program with `args`; returns its pid.
pid_t spawn_device(std::vector<std::string> args) {
  args.insert(args.begin(), TF_TEST_EXTERNAL_DEVICE);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  return pid;
}

// Serves the twin, at advancing virtual time, until the device program exits; its exit status.
int serve_until_exit(external_firmware& twin, pid_t device, std::int64_t& now_us) {
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < give_up) {
    auto served = twin.serve(now_us, 20ms);
    EXPECT_TRUE(served.has_value()) << served.error();
    now_us += 1'000'000;
    int status = 0;
    if (waitpid(device, &status, WNOHANG) == device) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
  }
  kill(device, SIGKILL);
  waitpid(device, nullptr, 0);
  return -1;
}

void expect_device_session(const module& comms, const external_firmware& twin) {
  EXPECT_EQ(comms.product(), "com.example.twelvefold:external");
  EXPECT_EQ(comms.counters().notes_added, 2u) << "the segmented req and the cmd";
  EXPECT_EQ(comms.notes_pending(), 2u);
  EXPECT_GE(comms.counters().request_errors, 1u) << "the unknown request";
  EXPECT_EQ(twin.wire_stats().lines, 6u);
  EXPECT_EQ(twin.wire_stats().empty_lines, 1u) << "the link reset";
  EXPECT_EQ(twin.wire_stats().crc_errors, 0u);
}

TEST(ExternalFirmware, DeviceConnectsOverTcp) {
  module comms;
  auto twin = external_firmware::open("tcp-listen:127.0.0.1:0", comms);
  ASSERT_TRUE(twin.has_value()) << twin.error();
  const std::string address = (*twin)->device_address();
  ASSERT_TRUE(address.starts_with("127.0.0.1:")) << address;
  EXPECT_NE(address, "127.0.0.1:0") << "the port actually bound";
  EXPECT_FALSE((*twin)->connected());

  const pid_t device = spawn_device({"tcp", "127.0.0.1", address.substr(address.find(':') + 1)});
  std::int64_t now_us = 0;
  EXPECT_EQ(serve_until_exit(**twin, device, now_us), 0);
  expect_device_session(comms, **twin);
  EXPECT_TRUE(comms.sync_wanted(now_us)) << "hub.sync reached the module";

  // The device left; serving again notices and waits for the next one, without error.
  auto after = (*twin)->serve(now_us, 50ms);
  ASSERT_TRUE(after.has_value()) << after.error();
  EXPECT_FALSE(after->connected);
}

TEST(ExternalFirmware, DeviceOpensAPty) {
  module comms;
  auto twin = external_firmware::open("pty", comms);
  ASSERT_TRUE(twin.has_value()) << twin.error();
  const std::string path = (*twin)->device_address();
  ASSERT_TRUE(path.starts_with("/dev/pts/")) << path;
  const pid_t device = spawn_device({"tty", path});
  std::int64_t now_us = 0;
  EXPECT_EQ(serve_until_exit(**twin, device, now_us), 0);
  expect_device_session(comms, **twin);
}

TEST(ExternalFirmware, ConnectsToAnEmulatorThatListens) {
  // This test plays the emulator: it listens, the twin connects, and it speaks the wire.
  const int server = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(server, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(server, 1), 0);
  socklen_t length = sizeof address;
  getsockname(server, reinterpret_cast<sockaddr*>(&address), &length);
  const std::string endpoint = "tcp:127.0.0.1:" + std::to_string(ntohs(address.sin_port));

  module comms;
  auto twin = external_firmware::open(endpoint, comms);
  ASSERT_TRUE(twin.has_value()) << twin.error();
  EXPECT_TRUE((*twin)->connected());
  const int device = accept(server, nullptr, nullptr);
  ASSERT_GE(device, 0);

  const std::string requests =
      "{\"req\":\"hub.set\",\"product\":\"com.example:emu\"}\n{\"cmd\":\"hub.sync\"}\n";
  ASSERT_EQ(write(device, requests.data(), requests.size()), static_cast<ssize_t>(requests.size()));
  auto served = (*twin)->serve(5'000'000, 1s);
  ASSERT_TRUE(served.has_value()) << served.error();
  EXPECT_EQ(served->requests, 2u);
  EXPECT_TRUE(served->connected);
  char answer[256] = {};
  const ssize_t n = read(device, answer, sizeof answer - 1);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(answer, static_cast<std::size_t>(n)).find('\n'),
            static_cast<std::size_t>(n) - 1)
      << "one answer line for the req, none for the cmd: " << answer;
  EXPECT_EQ(comms.product(), "com.example:emu");

  close(device);
  auto lost = (*twin)->serve(6'000'000, 1s);
  ASSERT_FALSE(lost.has_value());
  EXPECT_NE(lost.error().find(endpoint), std::string::npos) << lost.error();
  EXPECT_NE(lost.error().find("closed the connection"), std::string::npos) << lost.error();
  close(server);
}

TEST(ExternalFirmware, ServeWithNothingToDoReturnsWithinItsBudget) {
  module comms;
  auto twin = external_firmware::open("tcp-listen:127.0.0.1:0", comms);
  ASSERT_TRUE(twin.has_value()) << twin.error();
  const auto start = std::chrono::steady_clock::now();
  auto served = (*twin)->serve(0, 30ms);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(served->requests, 0u);
  EXPECT_GE(took, 25ms);
  EXPECT_LT(took, 500ms);
  EXPECT_TRUE((*twin)->serve(0, 0us).has_value()) << "a zero budget is one non-blocking pass";
}

TEST(ExternalFirmware, ErrorsNameTheEndpoint) {
  module comms;
  // Port 1 on loopback: nothing listens there.
  auto refused = external_firmware::open("tcp:127.0.0.1:1", comms, 500ms);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().find("'tcp:127.0.0.1:1'"), std::string::npos) << refused.error();
  EXPECT_NE(refused.error().find("cannot connect"), std::string::npos) << refused.error();

  auto missing = external_firmware::open("tty:/dev/no-such-uart", comms);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().find("/dev/no-such-uart"), std::string::npos) << missing.error();

  for (const char* bad : {"udp:1.2.3.4:5", "tcp:nohostport", "tcp-listen:127.0.0.1:99999"}) {
    auto parsed = external_firmware::open(bad, comms);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_NE(parsed.error().find(bad), std::string::npos) << parsed.error();
  }
}

}  // namespace
}  // namespace twelvefold::shim
