// A real sink in a resumed run (actors/include/twelvefold/actors/replay.hpp): while the run
// replays its prefix nothing reaches the transport; counters continue from the stop; NDJSON
// files are appended to.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "cloud/sink_worker.hpp"

namespace twelvefold::actors::cloud {
namespace {

constexpr auto guard = std::chrono::seconds(20);  // only a hang guard, never timing

// Records what it was asked to deliver (an HTTP or MQTT endpoint, as far as a sink can tell).
class recording_transport final : public sink_transport {
 public:
  explicit recording_transport(std::vector<std::string>& seen) : seen_(seen) {}
  std::size_t deliver(std::span<const sink_event> events, std::string&) override {
    std::lock_guard lock(mutex_);
    for (const sink_event& e : events) seen_.push_back(e.json);
    return events.size();
  }
  [[nodiscard]] std::string target() const override { return "http://test/"; }

 private:
  std::mutex mutex_;
  std::vector<std::string>& seen_;
};

sink_event event(int n) { return {"", "{\"n\":" + std::to_string(n) + "}"}; }

route_counters at_stop(std::uint64_t events, std::uint64_t bytes) {
  route_counters c;
  c.name = "stale-name";  // the route's own name and kind win
  c.sink = "stale";
  c.events = events;
  c.delivered = events;
  c.retried = 1;
  c.bytes = bytes;
  return c;
}

TEST(SinkResume, ReplayedEventsAreNotResentAndCountersContinue) {
  std::vector<std::string> seen;
  route_counters own;
  own.name = "feed";
  own.sink = "http";
  sink_worker w(own, std::make_unique<recording_transport>(seen), {});
  w.begin_replay(at_stop(5, 40));
  for (int k = 0; k < 3; ++k) w.push(event(k));  // the replayed prefix
  w.flush();
  // Fewer replayed than recorded (the rest was in flight at the stop): those are dropped next.
  EXPECT_EQ(w.end_replay(), 3u);
  for (int k = 3; k < 7; ++k) w.push(event(k));
  const route_counters c = w.finish(guard);
  EXPECT_EQ(seen, (std::vector<std::string>{"{\"n\":5}", "{\"n\":6}"}));
  EXPECT_EQ(c.name, "feed");
  EXPECT_EQ(c.sink, "http");
  EXPECT_EQ(c.events, 7u);
  EXPECT_EQ(c.delivered, 7u);
  EXPECT_EQ(c.retried, 1u);
  EXPECT_EQ(c.bytes, 40u + 2 * 7);
  EXPECT_EQ(c.failed + c.queued_at_end, 0u);
}

TEST(SinkResume, NdjsonFileIsAppendedToNotTruncated) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("twelvefold-sink-resume-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "feed.ndjson";
  std::ofstream(path, std::ios::trunc) << "{\"n\":0}\n{\"n\":1}\n";
  {
    sink_worker w(at_stop(0, 0), make_ndjson_transport(path.string()), {});
    w.begin_replay(at_stop(2, 16));
    w.push(event(0));
    w.push(event(1));
    EXPECT_EQ(w.end_replay(), 2u);
    w.push(event(2));
    const route_counters c = w.finish(guard);
    EXPECT_EQ(c.events, 3u);
    EXPECT_EQ(c.delivered, 3u);
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
  // Without a replay a run's file starts empty, as before.
  {
    sink_worker w(at_stop(0, 0), make_ndjson_transport(path.string()), {});
    w.push(event(9));
    w.finish(guard);
  }
  std::ifstream again(path);
  std::stringstream fresh;
  fresh << again.rdbuf();
  EXPECT_EQ(fresh.str(), "{\"n\":9}\n");
}

}  // namespace
}  // namespace twelvefold::actors::cloud
