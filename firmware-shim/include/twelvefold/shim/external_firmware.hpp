// Hardware or an emulator in the loop: a twin whose firmware runs outside the simulator.
//
// The firmware is a real device on a serial line, or an emulator (Zephyr native_sim, QEMU,
// Renode) whose UART is a pseudo-terminal or a TCP socket. It speaks the module's serial wire
// (serial_port.hpp: newline-delimited JSON, optional CRC, no answer to "cmd"), and its requests
// are answered by the twin's own module at the twin's virtual time, exactly as a simulated
// twin's are: only who runs the firmware differs. Its clock is its own (wall time), so such a
// twin belongs in a real-time run, where virtual time follows the wall clock.
//
// Endpoints (what a scenario or the CLI names):
//   tcp-listen:HOST:PORT  listen on HOST:PORT; the device connects. PORT 0 picks a free port
//                         (device_address() says which). A device that disconnects may
//                         connect again.
//   tcp:HOST:PORT         connect to a device or emulator that listens (QEMU's
//                         -serial tcp::PORT,server; Renode's server socket terminal).
//   pty                   create a pseudo-terminal; the device opens device_address()
//                         (/dev/pts/N) as its UART.
//   tty:PATH              open a serial device, or a PTY an emulator created (native_sim prints
//                         "UART connected to pseudotty: /dev/pts/N"), in raw mode.
//
// Thread: one thread at a time; serve() never blocks longer than the budget it is given.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <string_view>

#include "twelvefold/shim/serial_port.hpp"

namespace twelvefold::shim {

class module;

class external_firmware {
 public:
  struct serve_result {
    std::size_t requests = 0;   // request lines taken (answered, or executed for "cmd")
    std::size_t bytes_in = 0;   // from the device
    std::size_t bytes_out = 0;  // to the device (answers; may lag behind when it reads slowly)
    bool connected = false;     // a device is attached when serve() returns
    bool disconnected = false;  // the device went away during this call
  };

  // Opens the endpoint for the twin whose module is `comms` (which must outlive this object).
  // tcp: connects, waiting at most connect_timeout. Errors name the endpoint and the reason
  // ("external firmware 'tcp:127.0.0.1:5555': cannot connect: Connection refused").
  static std::expected<std::unique_ptr<external_firmware>, std::string> open(
      std::string_view endpoint, module& comms,
      std::chrono::milliseconds connect_timeout = std::chrono::seconds(2));
  // Opens the endpoint before the twin's module exists (a run opens every endpoint up front,
  // so that a busy port fails the run before it starts); bind() names the module later.
  static std::expected<std::unique_ptr<external_firmware>, std::string> open_unbound(
      std::string_view endpoint,
      std::chrono::milliseconds connect_timeout = std::chrono::seconds(2));
  // The module that answers the device from now on (must outlive this object).
  void bind(module& comms);
  // Checks an endpoint's syntax without opening anything (scenario validation): the kind, and
  // HOST:PORT with a port from 0 to 65535 or a non-empty tty path. The error says what was
  // expected, without the endpoint.
  static std::expected<void, std::string> check_endpoint(std::string_view endpoint);
  ~external_firmware();
  external_firmware(const external_firmware&) = delete;
  external_firmware& operator=(const external_firmware&) = delete;

  // Accepts a waiting device (tcp-listen), reads what the device has sent, answers every
  // complete request line through the module at `now_us`, and writes the answers. Waits up to
  // `budget` for something to answer, and returns as soon as it answered something (or at
  // once with a zero budget). Needs a bound module. An error means the link is gone for good (tcp:
  // the device closed it; a read or write failed); listen-mode disconnects are not errors.
  std::expected<serve_result, std::string> serve(std::int64_t now_us,
                                                 std::chrono::microseconds budget);

  [[nodiscard]] const std::string& endpoint() const;
  // Where the device attaches: "HOST:PORT" for tcp-listen (the port actually bound), the
  // slave's path for pty, the endpoint's own address otherwise.
  [[nodiscard]] const std::string& device_address() const;
  [[nodiscard]] bool connected() const;
  [[nodiscard]] const serial_port::counters& wire_stats() const;

 private:
  struct state;
  explicit external_firmware(std::unique_ptr<state> s);
  std::unique_ptr<state> state_;
};

}  // namespace twelvefold::shim
