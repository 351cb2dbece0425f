// The byte pipe to an external twin's device: opening each kind of endpoint, non-blocking.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <string_view>

namespace twelvefold::shim::detail {

enum class link_kind { tcp_listen, tcp_connect, pty, tty };

// File descriptors owned by the link, closed with it. All are non-blocking.
class link {
 public:
  link() = default;
  link(link&& other) noexcept;
  link& operator=(link&& other) noexcept;
  link(const link&) = delete;
  link& operator=(const link&) = delete;
  ~link();

  link_kind kind = link_kind::tty;
  int listen_fd = -1;  // tcp_listen: the listening socket
  int io_fd = -1;      // the device's bytes: a socket, the PTY master or the tty; -1 if none yet
  int keep_fd = -1;    // pty: our own handle on the slave, so the device may close and reopen it
  std::string device_address;

  [[nodiscard]] bool is_socket() const {
    return kind == link_kind::tcp_listen || kind == link_kind::tcp_connect;
  }
  // tcp_listen: takes a waiting connection, if any (io_fd stays -1 otherwise).
  void accept_waiting();
  void close_io();

 private:
  void close_all();
};

// Parses and opens `endpoint` (external_firmware.hpp lists the forms). Errors say what failed,
// without the endpoint (the caller prefixes it).
// Parses `endpoint` only (nothing is opened): its kind, or what was expected.
std::expected<link_kind, std::string> check_endpoint(std::string_view endpoint);

std::expected<link, std::string> open_link(std::string_view endpoint,
                                           std::chrono::milliseconds connect_timeout);

}  // namespace twelvefold::shim::detail
