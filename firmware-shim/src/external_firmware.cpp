#include "twelvefold/shim/external_firmware.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>

#include "external_link.hpp"
#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {
namespace {

// Bytes read per serve() at most: bounds the time one call can take on a flooding device.
constexpr std::size_t max_bytes_in_per_serve = 256 * 1024;

// Answers that the device does not read pile up here; beyond this it is not reading at all.
constexpr std::size_t max_pending_out_bytes = 1024 * 1024;

using clock_type = std::chrono::steady_clock;

}  // namespace

struct external_firmware::state {
  state(std::string endpoint_text, detail::link l)
      : endpoint(std::move(endpoint_text)), link(std::move(l)) {}

  [[nodiscard]] std::string error(const std::string& what) const {
    return "external firmware '" + endpoint + "': " + what;
  }

  std::string endpoint;
  detail::link link;
  std::optional<serial_port> port;  // set by bind()
  std::string pending_out;          // answers not yet written to the device
};

external_firmware::external_firmware(std::unique_ptr<state> s) : state_(std::move(s)) {}

external_firmware::~external_firmware() = default;

std::expected<std::unique_ptr<external_firmware>, std::string> external_firmware::open(
    std::string_view endpoint, module& comms, std::chrono::milliseconds connect_timeout) {
  auto opened = open_unbound(endpoint, connect_timeout);
  if (opened) (*opened)->bind(comms);
  return opened;
}

std::expected<std::unique_ptr<external_firmware>, std::string> external_firmware::open_unbound(
    std::string_view endpoint, std::chrono::milliseconds connect_timeout) {
  auto link = detail::open_link(endpoint, connect_timeout);
  if (!link)
    return std::unexpected("external firmware '" + std::string(endpoint) + "': " + link.error());
  return std::unique_ptr<external_firmware>(
      new external_firmware(std::make_unique<state>(std::string(endpoint), std::move(*link))));
}

void external_firmware::bind(module& comms) {
  state_->port.emplace(comms);
  state_->pending_out.clear();
}

std::expected<void, std::string> external_firmware::check_endpoint(std::string_view endpoint) {
  auto kind = detail::check_endpoint(endpoint);
  if (!kind) return std::unexpected(kind.error());
  return {};
}

const std::string& external_firmware::endpoint() const { return state_->endpoint; }

const std::string& external_firmware::device_address() const { return state_->link.device_address; }

bool external_firmware::connected() const { return state_->link.io_fd >= 0; }

const serial_port::counters& external_firmware::wire_stats() const {
  static const serial_port::counters none;
  return state_->port ? state_->port->stats() : none;
}

std::expected<external_firmware::serve_result, std::string> external_firmware::serve(
    std::int64_t now_us, std::chrono::microseconds budget) {
  state& s = *state_;
  if (!s.port) return std::unexpected(s.error("no module bound to answer the device"));
  serial_port& port = *s.port;
  detail::link& l = s.link;
  serve_result result;
  const auto deadline = clock_type::now() + budget;
  const std::uint64_t lines_before = port.stats().lines;

  // The device went away: tcp-listen waits for the next one, anything else is over.
  const auto lost = [&](const std::string& why) -> std::expected<serve_result, std::string> {
    l.close_io();
    port.reset();
    s.pending_out.clear();
    result.disconnected = true;
    result.requests = port.stats().lines - lines_before;
    if (l.kind == detail::link_kind::tcp_listen) return result;
    return std::unexpected(s.error(why));
  };

  for (;;) {
    l.accept_waiting();
    if (l.io_fd >= 0) {
      // In: everything there is now (up to the per-call bound), through the wire protocol.
      std::array<char, 4096> chunk;
      while (result.bytes_in < max_bytes_in_per_serve) {
        const ssize_t n = ::read(l.io_fd, chunk.data(), chunk.size());
        if (n > 0) {
          result.bytes_in += static_cast<std::size_t>(n);
          port.write({chunk.data(), static_cast<std::size_t>(n)}, now_us);
          continue;
        }
        if (n == 0) return lost("the device closed the connection");
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return lost(std::string("read failed: ") + std::strerror(errno));
      }
      s.pending_out += port.read_all();
      if (s.pending_out.size() > max_pending_out_bytes) {
        return lost("the device does not read its answers (" +
                    std::to_string(s.pending_out.size()) + " bytes waiting)");
      }
      // Out: as much as the device takes now; the rest waits for the next call.
      while (!s.pending_out.empty()) {
        const ssize_t n =
            l.is_socket()
                ? ::send(l.io_fd, s.pending_out.data(), s.pending_out.size(), MSG_NOSIGNAL)
                : ::write(l.io_fd, s.pending_out.data(), s.pending_out.size());
        if (n > 0) {
          result.bytes_out += static_cast<std::size_t>(n);
          s.pending_out.erase(0, static_cast<std::size_t>(n));
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        return lost(std::string("write failed: ") + std::strerror(errno));
      }
    }
    result.requests = port.stats().lines - lines_before;
    const auto left =
        std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - clock_type::now());
    if (result.requests > 0 || left.count() <= 0) break;

    // Nothing answered yet: wait for the device (or a connection) until the budget is spent.
    pollfd waiting{};
    waiting.fd = l.io_fd >= 0 ? l.io_fd : l.listen_fd;
    waiting.events = POLLIN | (s.pending_out.empty() ? 0 : POLLOUT);
    if (waiting.fd < 0) break;
    timespec timeout{};
    timeout.tv_sec = static_cast<time_t>(left.count() / 1'000'000'000);
    timeout.tv_nsec = static_cast<long>(left.count() % 1'000'000'000);
    const int ready = ppoll(&waiting, 1, &timeout, nullptr);
    if (ready == 0) break;
    if (ready < 0 && errno != EINTR)
      return lost(std::string("poll failed: ") + std::strerror(errno));
    // A hang-up with nothing left to read shows up as a 0-byte read on the next pass.
  }
  result.connected = l.io_fd >= 0;
  return result;
}

}  // namespace twelvefold::shim
