// serial_port: the newline-delimited JSON wire, byte for byte (segments, CRLF, link reset by
// newlines, CRC check and echo, id echo, cmd silence, oversize lines, polling).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "twelvefold/shim/serial_port.hpp"

namespace twelvefold::shim {
namespace {

std::string hex(std::uint32_t value, int digits) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%0*X", digits, value);
  return buffer;
}

// A request as note-c sends it: the CRC field appended as the last member.
std::string with_crc(std::string request, std::uint16_t seq) {
  const std::uint32_t crc = crc32(request);
  const bool empty = request.find(':') == std::string::npos;
  request.pop_back();
  request += empty ? " " : ",";
  request += "\"crc\":\"" + hex(seq, 4) + ":" + hex(crc, 8) + "\"}";
  return request;
}

TEST(SerialCrc, IsTheStandardCrc32) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);  // the CRC-32 check value
  EXPECT_EQ(crc32(""), 0u);
  EXPECT_EQ(crc32("a"), 0xE8B7BE43u);
  EXPECT_EQ(crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
}

TEST(SerialPort, ARequestLineGetsOneAnswerLine) {
  module m;
  serial_port port(m);
  port.write("{\"req\":\"hub.sync\"}\n", 0);
  EXPECT_EQ(port.read_all(), "{}\r\n");
  port.write("{\"req\":\"card.time\"}\r\n", 0);  // CRLF as well
  EXPECT_EQ(port.read_all(), "{\"zone\":\"UTC,Unknown\"}\r\n");
  EXPECT_EQ(port.available(), 0u);
  EXPECT_EQ(m.counters().requests, 2u);
}

TEST(SerialPort, SegmentedRequestIsAnsweredOnlyOnceTheLineIsComplete) {
  module m;
  serial_port port(m);
  const std::string body = std::string(600, 'x');
  const std::string request =
      "{\"req\":\"note.add\",\"file\":\"big.qo\",\"body\":{\"text\":\"" + body + "\"}}\n";
  // 250-byte segments, as note-c writes them; nothing is readable until the newline.
  for (std::size_t at = 0; at < request.size(); at += 250) {
    EXPECT_EQ(port.available(), 0u) << "at byte " << at;
    port.write(std::string_view(request).substr(at, 250), static_cast<std::int64_t>(at));
  }
  EXPECT_EQ(port.read_all(), "{\"total\":1}\r\n");
  m.request("{\"req\":\"hub.sync\"}", 0);
  const auto notes = m.begin_sync(0);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].body_json, "{\"text\":\"" + body + "\"}");
}

TEST(SerialPort, OneByteAtATimeAndSeveralLinesPerWrite) {
  module m;
  serial_port port(m);
  for (const char c : std::string("{\"req\":\"hub.sync\",\"id\":1}\n")) {
    port.write(std::string_view(&c, 1), 0);
  }
  port.write("{\"req\":\"hub.sync\",\"id\":2}\n{\"req\":\"hub.sync\",\"id\":3}\n", 0);
  EXPECT_EQ(port.read_all(), "{\"id\":1}\r\n{\"id\":2}\r\n{\"id\":3}\r\n");
}

TEST(SerialPort, BareNewlinesAreAnsweredWithNewlinesAndAreNotRequests) {
  module m;
  serial_port port(m);
  port.write("\n", 0);
  EXPECT_EQ(port.read_all(), "\r\n");
  port.write("\r\n\n  \t\r\n", 0);
  EXPECT_EQ(port.read_all(), "\r\n\r\n\r\n");
  EXPECT_EQ(m.counters().requests, 0u);
  EXPECT_EQ(port.stats().empty_lines, 4u);
}

TEST(SerialPort, HostResetByNewlinesClearsAPartialRequest) {
  // A host that lost sync sends "\n" and drains until only newlines come back: the garbage
  // before it is answered once with an err line, then the link is clean.
  module m;
  serial_port port(m);
  port.write("{\"req\":\"no", 0);
  port.write("\n", 0);
  const std::string first = port.read_all();
  ASSERT_TRUE(first.ends_with("\r\n"));
  EXPECT_NE(first.find("{io}"), std::string::npos) << first;
  port.write("\n", 0);
  EXPECT_EQ(port.read_all(), "\r\n");
  port.write("{\"req\":\"hub.sync\"}\n", 0);
  EXPECT_EQ(port.read_all(), "{}\r\n");
}

TEST(SerialPort, CommandsGetNoLineButStillAct) {
  module m;
  serial_port port(m);
  port.write("{\"cmd\":\"hub.sync\"}\n", 0);
  EXPECT_EQ(port.available(), 0u);
  EXPECT_TRUE(m.sync_wanted(0));
  port.write("{\"cmd\":\"note.add\",\"body\":{\"a\":1}}\r\n", 0);
  port.write("{\"cmd\":\"no.such\"}\n", 0);
  EXPECT_EQ(port.available(), 0u);
  EXPECT_EQ(m.notes_pending(), 1u);
  EXPECT_EQ(m.counters().request_errors, 1u) << "a failed cmd is silent but counted";
}

TEST(SerialPort, IdIsEchoedOnAnswersAndErrors) {
  module m;
  serial_port port(m);
  port.write("{\"req\":\"hub.sync\",\"id\":42}\n", 0);
  EXPECT_EQ(port.read_all(), "{\"id\":42}\r\n");
  port.write("{\"req\":\"nope\",\"id\":\"x\"}\n", 0);
  EXPECT_EQ(port.read_all(),
            "{\"err\":\"unknown request: nope {not-supported}\",\"id\":\"x\"}\r\n");
}

TEST(SerialPort, ACorrectCrcIsCheckedStrippedAndAnsweredWithACrc) {
  module m;
  serial_port port(m);
  const std::string request = "{\"req\":\"note.add\",\"body\":{\"v\":1}}";
  const std::string line = with_crc(request, 5);
  ASSERT_EQ(line.size(), request.size() + serial_port::crc_field_bytes);
  port.write(line + "\n", 0);
  const std::string answer = "{\"total\":1}";
  EXPECT_EQ(port.read_all(), "{\"total\":1,\"crc\":\"0005:" + hex(crc32(answer), 8) + "\"}\r\n");
  m.request("{\"req\":\"hub.sync\"}", 0);
  const auto notes = m.begin_sync(0);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].body_json, "{\"v\":1}") << "the crc field is not part of the request";

  // An empty answer gets note-c's empty-object layout; lower-case hex is accepted.
  std::string sync = with_crc("{\"req\":\"hub.sync\"}", 0xBEEF);
  for (char& c : sync) c = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
  port.write(sync + "\r\n", 0);
  EXPECT_EQ(port.read_all(), "{ \"crc\":\"BEEF:" + hex(crc32("{}"), 8) + "\"}\r\n");
  EXPECT_EQ(port.stats().crc_errors, 0u);
}

TEST(SerialPort, ACrcMismatchIsRefusedWithAnIoErrorAndNotExecuted) {
  module m;
  serial_port port(m);
  std::string line = with_crc("{\"req\":\"note.add\",\"body\":{\"v\":1}}", 9);
  line[line.size() - 3] = line[line.size() - 3] == '0' ? '1' : '0';  // corrupt one CRC digit
  port.write(line + "\n", 0);
  const std::string err = "{\"err\":\"crc mismatch: request corrupted on the wire {io}\"}";
  EXPECT_EQ(port.read_all(),
            "{\"err\":\"crc mismatch: request corrupted on the wire {io}\","
            "\"crc\":\"0009:" +
                hex(crc32(err), 8) + "\"}\r\n");
  EXPECT_EQ(m.counters().notes_added, 0u);
  EXPECT_EQ(m.counters().request_errors, 1u);
  EXPECT_EQ(port.stats().crc_errors, 1u);

  // A corrupted body with a correct-looking field fails the same way.
  std::string body_flip = with_crc("{\"req\":\"note.add\",\"body\":{\"v\":1}}", 10);
  body_flip[body_flip.find("\"v\":1") + 4] = '2';
  port.write(body_flip + "\n", 0);
  EXPECT_NE(port.read_all().find("crc mismatch"), std::string::npos);
  // Non-hex digits in the field are a mismatch too.
  std::string bad_hex = with_crc("{\"req\":\"hub.sync\"}", 1);
  bad_hex[bad_hex.size() - 4] = 'G';
  port.write(bad_hex + "\n", 0);
  EXPECT_NE(port.read_all().find("crc mismatch"), std::string::npos);
  EXPECT_EQ(m.counters().notes_added, 0u);
}

TEST(SerialPort, AnOversizeLineIsDiscardedAndAnsweredThenTheLinkWorks) {
  module m(module_limits{.max_request_bytes = 64});
  serial_port port(m);
  const std::string big =
      "{\"req\":\"note.add\",\"body\":{\"t\":\"" + std::string(500, 'y') + "\"}}";
  for (std::size_t at = 0; at < big.size(); at += 100) port.write(big.substr(at, 100), 0);
  EXPECT_EQ(port.available(), 0u);
  port.write("\n", 0);
  const std::string answer = port.read_all();
  EXPECT_EQ(answer, "{\"err\":\"request of " + std::to_string(big.size()) +
                        " bytes exceeds the 64-byte limit {io}\"}\r\n");
  EXPECT_EQ(m.counters().notes_added, 0u);
  EXPECT_EQ(port.stats().oversize, 1u);
  port.write("{\"req\":\"hub.sync\"}\n", 0);
  EXPECT_EQ(port.read_all(), "{}\r\n");
}

TEST(SerialPort, PollingReadsPartialAnswersByteByByte) {
  module m;
  serial_port port(m);
  port.write("{\"req\":\"hub.sync\",\"id\":7}\n", 0);
  const std::string expected = "{\"id\":7}\r\n";
  EXPECT_EQ(port.available(), expected.size());
  char head[3];
  EXPECT_EQ(port.read(head), 3u);
  EXPECT_EQ(std::string(head, 3), expected.substr(0, 3));
  std::string rest;
  for (int c = port.read_byte(); c >= 0; c = port.read_byte()) rest.push_back(static_cast<char>(c));
  EXPECT_EQ(rest, expected.substr(3));
  EXPECT_EQ(port.read_byte(), -1);
}

TEST(SerialPort, ResetDropsAPartialRequestAndUnreadAnswers) {
  module m;
  serial_port port(m);
  port.write("{\"req\":\"hub.sync\"}\n{\"req\":\"note.add\"", 0);
  port.reset();
  EXPECT_EQ(port.available(), 0u);
  port.write(",\"body\":{}}\n", 0);  // the rest of the dropped request is garbage now
  EXPECT_NE(port.read_all().find("{io}"), std::string::npos);
  EXPECT_EQ(m.counters().notes_added, 0u);
}

// A host doing what a Notecard-style C library does over its serial hooks: reset the link
// with newlines, send each request with a CRC in 250-byte segments, poll for the answer with
// its own clock, check the answer's CRC.
class notec_style_host {
 public:
  explicit notec_style_host(serial_port& port) : port_(port) {}

  bool reset() {
    for (int attempt = 0; attempt < 10; ++attempt) {
      port_.write("\n", now_ms_ * 1000);
      bool something = false;
      bool garbage = false;
      for (int ms = 0; ms < 500; ++ms, ++now_ms_) {
        while (port_.available() > 0) {
          something = true;
          const int c = port_.read_byte();
          garbage = garbage || (c != '\n' && c != '\r');
        }
      }
      if (something && !garbage) return true;
    }
    return false;
  }

  nlohmann::json transact(const nlohmann::json& request) {
    const std::string text = with_crc(request.dump(), seq_);
    const std::string line = text + "\n";
    for (std::size_t at = 0; at < line.size(); at += 250) {
      port_.write(std::string_view(line).substr(at, 250), now_ms_ * 1000);
      now_ms_ += 250;  // the library's inter-segment delay
    }
    std::string answer;
    for (int waited = 0; answer.empty() || answer.back() != '\n'; ++waited, ++now_ms_) {
      if (waited > 5000) return {{"err", "timeout {io}"}};
      while (port_.available() > 0) answer.push_back(static_cast<char>(port_.read_byte()));
    }
    // The answer's CRC: strip it and check, as the library does.
    while (!answer.empty() && static_cast<unsigned char>(answer.back()) <= ' ') answer.pop_back();
    const std::size_t at = answer.size() - 1 - serial_port::crc_field_bytes;
    EXPECT_EQ(answer.substr(at + 1, 7), "\"crc\":\"");
    const std::string seq = answer.substr(at + 8, 4);
    const std::string crc = answer.substr(at + 13, 8);
    const std::string stripped = answer.substr(0, at) + "}";
    EXPECT_EQ(seq, hex(seq_, 4));
    EXPECT_EQ(crc, hex(crc32(stripped), 8));
    ++seq_;
    return nlohmann::json::parse(stripped);
  }

 private:
  serial_port& port_;
  std::int64_t now_ms_ = 0;
  std::uint16_t seq_ = 0;
};

TEST(SerialPort, ANotecStyleHostTalksToTheModule) {
  module m;
  serial_port port(m);
  port.write("{\"req\":\"garbage from a previous life", 0);
  notec_style_host host(port);
  ASSERT_TRUE(host.reset());
  EXPECT_EQ(host.transact({{"req", "hub.set"}, {"product", "com.x:y"}, {"mode", "periodic"}}),
            nlohmann::json::object());
  EXPECT_EQ(host.transact({{"req", "env.default"}, {"name", "n"}, {"text", "5"}}),
            nlohmann::json::object());
  EXPECT_EQ(host.transact({{"req", "env.get"}, {"name", "n"}}), nlohmann::json({{"text", "5"}}));
  nlohmann::json big = {{"req", "note.add"}, {"body", {{"blob", std::string(1000, 'z')}}}};
  EXPECT_EQ(host.transact(big), nlohmann::json({{"total", 1}}));
  EXPECT_EQ(m.product(), "com.x:y");
  EXPECT_EQ(m.notes_pending(), 1u);
}

}  // namespace
}  // namespace twelvefold::shim
