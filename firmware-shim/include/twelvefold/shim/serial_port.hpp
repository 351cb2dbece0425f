// The module's byte-serial wire: newline-delimited JSON, as the Notecard speaks it on its UART
// and as Notecard-style host libraries (note-c's serial transport) expect it. Firmware built on
// such a library, its serial hooks wired to a serial_port, runs unchanged; so does an external
// device or emulator bridged to one over a socket or PTY.
//
// The wire, byte for byte:
//  * The host writes a request as one line of JSON ending in "\n" ("\r\n" accepted), in as many
//    segments as it likes (note-c sends 250-byte segments with pauses between them).
//  * Each complete request line is answered at once with one line: the JSON response and
//    "\r\n". Its bytes are available() as soon as the write() that completed the line returns,
//    so a host polling with its own (virtual) millisecond clock always finds it.
//  * A "cmd" request gets no line at all.
//  * An empty line (only "\n", "\r\n", or whitespace) is answered with "\r\n": this is how a
//    host resets the link (it sends newlines and drains until only newlines come back).
//  * A request may end with a CRC field exactly as note-c appends it, as its last member:
//      {...,"crc":"SSSS:CCCCCCCC"}   ({ "crc":"..."} for an otherwise empty object)
//    SSSS is a 16-bit sequence number and CCCCCCCC the CRC-32 (IEEE 802.3, as zlib computes
//    it) of the request text without the field, both upper-case hex (either case is accepted).
//    A mismatch is answered with {"err":"crc mismatch ... {io}"} (note-c retries on {io}) and
//    the request is not executed. The answer to a request that carried a CRC carries one too,
//    with the request's sequence number and the CRC-32 of the answer without the field; an
//    answer to a request without one has none. A "crc" member anywhere else is not a CRC field
//    and, like any unknown member, is ignored.
//  * A line longer than the module's max_request_bytes (plus the CRC field) is not buffered:
//    the rest of it is discarded up to its newline and it is answered with an {io} err.
//  * "id" members are echoed by the module (module.hpp).
//
// Thread: like the module, used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {

// CRC-32 (reflected, polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF).
std::uint32_t crc32(std::string_view bytes);

class serial_port {
 public:
  static constexpr std::size_t crc_field_bytes = 22;  // ,"crc":"SSSS:CCCCCCCC"

  struct counters {
    std::uint64_t lines = 0;        // request lines answered or executed (cmd)
    std::uint64_t empty_lines = 0;  // link resets and stray newlines
    std::uint64_t crc_errors = 0;   // requests refused for a CRC mismatch
    std::uint64_t oversize = 0;     // lines too long to buffer
  };

  // The port talks to `target`, which must outlive it.
  explicit serial_port(module& target) : module_(&target) {}

  // Bytes from the host, at the twin's virtual time `now_us` (any split of any stream).
  void write(std::string_view bytes, std::int64_t now_us);
  // Bytes the host can read now.
  [[nodiscard]] std::size_t available() const { return out_.size() - out_pos_; }
  // Copies up to out.size() bytes to `out`; returns how many.
  std::size_t read(std::span<char> out);
  // One byte, or -1 when none is available.
  int read_byte();
  // Everything available, as a string (tests and bridges).
  std::string read_all();
  // The host reset its UART: a partial request and unread answers are dropped.
  void reset();

  [[nodiscard]] const counters& stats() const { return stats_; }

 private:
  void complete_line(std::int64_t now_us);
  void emit(std::string_view line);

  module* module_;
  std::string line_;            // the request being received
  std::size_t line_bytes_ = 0;  // its length so far, including bytes dropped for overflow
  std::string out_;             // answers not yet read
  std::size_t out_pos_ = 0;
  counters stats_;
};

}  // namespace twelvefold::shim
