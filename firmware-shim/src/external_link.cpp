#include "external_link.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

namespace twelvefold::shim::detail {
namespace {

std::string errno_text(int error) { return std::strerror(error); }

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

bool set_nonblocking(int fd) {
  const int flags = fcntl(fd, F_GETFL, 0);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

// Line-at-a-time request/answer traffic: send each answer at once rather than coalescing.
void set_nodelay(int fd) {
  const int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

// A tty the device's bytes pass through untouched: no echo, no line editing, no CR/LF mapping.
bool make_raw(int fd) {
  termios mode{};
  if (tcgetattr(fd, &mode) != 0) return false;
  cfmakeraw(&mode);
  return tcsetattr(fd, TCSANOW, &mode) == 0;
}

struct host_port {
  std::string host;
  std::string port;
};

std::expected<host_port, std::string> split_host_port(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return std::unexpected("expected HOST:PORT, got '" + std::string(text) + "'");
  }
  std::string host(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {  // [::1]:5555
    host = host.substr(1, host.size() - 2);
  }
  const std::string port(text.substr(colon + 1));
  char* end = nullptr;
  const long number = std::strtol(port.c_str(), &end, 10);
  if (*end != '\0' || number < 0 || number > 65535) {
    return std::unexpected("port '" + port + "' is not a number from 0 to 65535");
  }
  return host_port{std::move(host), port};
}

using addresses = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

std::expected<addresses, std::string> resolve(const host_port& where, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  addrinfo* found = nullptr;
  const int status = getaddrinfo(where.host.c_str(), where.port.c_str(), &hints, &found);
  if (status != 0) {
    return std::unexpected("cannot resolve '" + where.host + "': " + gai_strerror(status));
  }
  return addresses(found, &freeaddrinfo);
}

std::string address_text(const sockaddr* address) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    port = ntohs(v4->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
  inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
  port = ntohs(v6->sin6_port);
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

std::expected<link, std::string> open_listen(std::string_view spec) {
  auto where = split_host_port(spec);
  if (!where) return std::unexpected(where.error());
  auto found = resolve(*where, true);
  if (!found) return std::unexpected(found.error());
  std::string last_error = "no usable address";
  for (const addrinfo* a = found->get(); a != nullptr; a = a->ai_next) {
    link l;
    l.kind = link_kind::tcp_listen;
    l.listen_fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (l.listen_fd < 0) {
      last_error = "socket: " + errno_text(errno);
      continue;
    }
    const int on = 1;
    setsockopt(l.listen_fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (bind(l.listen_fd, a->ai_addr, a->ai_addrlen) != 0 || listen(l.listen_fd, 1) != 0 ||
        !set_nonblocking(l.listen_fd)) {
      last_error = "cannot listen: " + errno_text(errno);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    getsockname(l.listen_fd, reinterpret_cast<sockaddr*>(&bound), &length);
    l.device_address = address_text(reinterpret_cast<const sockaddr*>(&bound));
    return l;
  }
  return std::unexpected(last_error);
}

// Connects with a timeout: a non-blocking connect, then a poll for its outcome.
std::expected<int, std::string> connect_within(const addrinfo* a,
                                               std::chrono::milliseconds timeout) {
  int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
  if (fd < 0) return std::unexpected("socket: " + errno_text(errno));
  if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      const int error = errno;
      close_fd(fd);
      return std::unexpected("cannot connect: " + errno_text(error));
    }
    pollfd p{fd, POLLOUT, 0};
    const int ready = poll(&p, 1, static_cast<int>(timeout.count()));
    int error = 0;
    socklen_t length = sizeof error;
    if (ready <= 0) {
      error = ready == 0 ? ETIMEDOUT : errno;
    } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
      error = errno;
    }
    if (error != 0) {
      close_fd(fd);
      return std::unexpected("cannot connect: " + errno_text(error));
    }
  }
  set_nodelay(fd);
  return fd;
}

std::expected<link, std::string> open_connect(std::string_view spec,
                                              std::chrono::milliseconds timeout) {
  auto where = split_host_port(spec);
  if (!where) return std::unexpected(where.error());
  auto found = resolve(*where, false);
  if (!found) return std::unexpected(found.error());
  std::string last_error = "no usable address";
  for (const addrinfo* a = found->get(); a != nullptr; a = a->ai_next) {
    auto fd = connect_within(a, timeout);
    if (!fd) {
      last_error = fd.error();
      continue;
    }
    link l;
    l.kind = link_kind::tcp_connect;
    l.io_fd = *fd;
    l.device_address = std::string(spec);
    return l;
  }
  return std::unexpected(last_error);
}

std::expected<link, std::string> open_pty() {
  link l;
  l.kind = link_kind::pty;
  l.io_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (l.io_fd < 0) return std::unexpected("posix_openpt: " + errno_text(errno));
  if (grantpt(l.io_fd) != 0 || unlockpt(l.io_fd) != 0) {
    return std::unexpected("cannot unlock the pseudo-terminal: " + errno_text(errno));
  }
  char name[128];
  if (ptsname_r(l.io_fd, name, sizeof name) != 0) {
    return std::unexpected("ptsname: " + errno_text(errno));
  }
  l.device_address = name;
  // Holding the slave open keeps the master readable (no EIO) while no device has it open,
  // and lets a device close and reopen it; it also carries the raw mode the device will see.
  l.keep_fd = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (l.keep_fd < 0) return std::unexpected(std::string(name) + ": " + errno_text(errno));
  if (!make_raw(l.keep_fd) || !set_nonblocking(l.io_fd)) {
    return std::unexpected("cannot set the pseudo-terminal raw: " + errno_text(errno));
  }
  return l;
}

std::expected<link, std::string> open_tty(std::string_view path) {
  if (path.empty()) return std::unexpected(std::string("tty: needs a device path"));
  link l;
  l.kind = link_kind::tty;
  l.device_address = std::string(path);
  l.io_fd = ::open(l.device_address.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (l.io_fd < 0) return std::unexpected(l.device_address + ": " + errno_text(errno));
  // Not a tty (a FIFO, say) is fine as it is; a tty must not echo or edit lines.
  if (isatty(l.io_fd) != 0 && !make_raw(l.io_fd)) {
    return std::unexpected(l.device_address + ": cannot set raw mode: " + errno_text(errno));
  }
  return l;
}

}  // namespace

link::link(link&& other) noexcept
    : kind(other.kind),
      listen_fd(std::exchange(other.listen_fd, -1)),
      io_fd(std::exchange(other.io_fd, -1)),
      keep_fd(std::exchange(other.keep_fd, -1)),
      device_address(std::move(other.device_address)) {}

link& link::operator=(link&& other) noexcept {
  if (this != &other) {
    close_all();
    kind = other.kind;
    listen_fd = std::exchange(other.listen_fd, -1);
    io_fd = std::exchange(other.io_fd, -1);
    keep_fd = std::exchange(other.keep_fd, -1);
    device_address = std::move(other.device_address);
  }
  return *this;
}

link::~link() { close_all(); }

void link::close_all() {
  close_fd(io_fd);
  close_fd(keep_fd);
  close_fd(listen_fd);
}

void link::close_io() { close_fd(io_fd); }

void link::accept_waiting() {
  if (listen_fd < 0 || io_fd >= 0) return;
  const int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0) return;  // EAGAIN: nobody yet; anything else: try again next time
  set_nodelay(fd);
  io_fd = fd;
}

std::expected<link_kind, std::string> check_endpoint(std::string_view endpoint) {
  const auto host_port_of = [&](std::string_view prefix,
                                link_kind kind) -> std::expected<link_kind, std::string> {
    auto where = split_host_port(endpoint.substr(prefix.size()));
    if (!where) return std::unexpected(where.error());
    if (where->host.empty()) return std::unexpected(std::string("HOST is empty"));
    return kind;
  };
  if (endpoint.starts_with("tcp-listen:"))
    return host_port_of("tcp-listen:", link_kind::tcp_listen);
  if (endpoint.starts_with("tcp:")) return host_port_of("tcp:", link_kind::tcp_connect);
  if (endpoint == "pty") return link_kind::pty;
  if (endpoint.starts_with("tty:")) {
    if (endpoint.size() == 4) return std::unexpected(std::string("tty: needs a device path"));
    return link_kind::tty;
  }
  return std::unexpected(std::string(
      "unknown kind of endpoint (expected tcp-listen:HOST:PORT, tcp:HOST:PORT, pty or tty:PATH)"));
}

std::expected<link, std::string> open_link(std::string_view endpoint,
                                           std::chrono::milliseconds connect_timeout) {
  const auto rest = [&](std::string_view prefix) { return endpoint.substr(prefix.size()); };
  if (endpoint.starts_with("tcp-listen:")) return open_listen(rest("tcp-listen:"));
  if (endpoint.starts_with("tcp:")) return open_connect(rest("tcp:"), connect_timeout);
  if (endpoint == "pty") return open_pty();
  if (endpoint.starts_with("tty:")) return open_tty(rest("tty:"));
  return std::unexpected(std::string(
      "unknown kind of endpoint (expected tcp-listen:HOST:PORT, tcp:HOST:PORT, pty or tty:PATH)"));
}

}  // namespace twelvefold::shim::detail
