// Routes' pure logic: Notefile globs and fleet filters, the back-off schedule, the NDJSON
// event format, URLs, simulated latency, and the .db / inbound reconciliation rules.
#include <gtest/gtest.h>

// Designated initialisers below leave the fields a case does not need at their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <cmath>

#include <nlohmann/json.hpp>

#include "cloud/db_sync.hpp"
#include "cloud/routes_match.hpp"
#include "cloud/routes_service.hpp"
#include "cloud/sink_worker.hpp"
#include "cloud/web_routes.hpp"

namespace twelvefold::actors::cloud {
namespace {

TEST(RoutesMatch, NotefileGlobs) {
  EXPECT_TRUE(glob_match("*.qo", "data.qo"));
  EXPECT_TRUE(glob_match("*.qo", ".qo"));
  EXPECT_FALSE(glob_match("*.qo", "data.qos"));
  EXPECT_TRUE(glob_match("*.qo*", "data.qos"));
  EXPECT_TRUE(glob_match("sensor?.qo", "sensor1.qo"));
  EXPECT_FALSE(glob_match("sensor?.qo", "sensor12.qo"));
  EXPECT_TRUE(glob_match("a*b*c", "a-x-b-y-b-c"));
  EXPECT_FALSE(glob_match("a*b*c", "a-x-b-y-b-d"));
  EXPECT_TRUE(glob_match("data.qo", "data.qo"));
  EXPECT_FALSE(glob_match("data.qo", "data.qi"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_FALSE(glob_match("", "x"));
}

TEST(RoutesMatch, FleetAndNotefileFilters) {
  route_filter all;
  EXPECT_TRUE(all.matches("anything.qo", 7));
  route_filter meters{{"*.qo", "_log.qo"}, {1, 3}};
  EXPECT_TRUE(meters.matches("readings.qo", 1));
  EXPECT_TRUE(meters.matches("readings.qo", 3));
  EXPECT_FALSE(meters.matches("readings.qo", 2));  // other fleet
  EXPECT_FALSE(meters.matches("state.db", 1));     // other Notefile
  route_filter any_fleet{{"state.db"}, {}};
  EXPECT_TRUE(any_fleet.matches("state.db", 42));
}

TEST(RoutesMatch, BackoffDoublesUpToItsBound) {
  EXPECT_EQ(backoff_delay_ms(1, 200, 5000), 0u);  // the first attempt is not a retry
  EXPECT_EQ(backoff_delay_ms(2, 200, 5000), 200u);
  EXPECT_EQ(backoff_delay_ms(3, 200, 5000), 400u);
  EXPECT_EQ(backoff_delay_ms(4, 200, 5000), 800u);
  EXPECT_EQ(backoff_delay_ms(7, 200, 5000), 5000u);   // 6400 capped
  EXPECT_EQ(backoff_delay_ms(60, 200, 5000), 5000u);  // no overflow far out
  EXPECT_EQ(backoff_delay_ms(3, 0, 5000), 0u);
}

TEST(RoutesMatch, EventJsonIsOneObjectPerLine) {
  const std::string line = event_json({.route = "feed",
                                       .kind = "note",
                                       .serial = "M-0000001",
                                       .fleet = "meters",
                                       .file = "data.qo",
                                       .seq = 12,
                                       .at_us = 1'500'000,
                                       .epoch_utc_us = 1'767'225'600'000'000,  // 2026-01-01
                                       .device_utc_s = 1'767'225'601,
                                       .body = "{\"temp\":21.5,\"text\":\"a\\nb\"}"});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["route"], "feed");
  EXPECT_EQ(j["kind"], "note");
  EXPECT_EQ(j["serial"], "M-0000001");
  EXPECT_EQ(j["fleet"], "meters");
  EXPECT_EQ(j["file"], "data.qo");
  EXPECT_EQ(j["seq"], 12);
  EXPECT_EQ(j["at_us"], 1'500'000);
  EXPECT_EQ(j["received"], "2026-01-01T00:00:01.500000Z");
  EXPECT_EQ(j["when"], 1'767'225'601);
  EXPECT_EQ(j["body"]["temp"], 21.5);
  EXPECT_EQ(j["body"]["text"], "a\nb");
  EXPECT_FALSE(j.contains("note"));
  EXPECT_FALSE(j.contains("deleted"));
  // A body that is not JSON still makes a valid line.
  const auto bad = nlohmann::json::parse(event_json({.route = "r", .body = "{oops"}));
  EXPECT_EQ(bad["body_text"], "{oops");
}

TEST(RoutesMatch, TopicTemplates) {
  EXPECT_EQ(expand_topic("fleet/{fleet}/{serial}/{file}", "S-1", "data.qo", "meters"),
            "fleet/meters/S-1/data.qo");
  EXPECT_EQ(expand_topic("plain/topic", "S", "f", "x"), "plain/topic");
  EXPECT_EQ(expand_topic("{unknown}/{serial}", "S", "f", "x"), "{unknown}/S");
}

TEST(RoutesMatch, EndpointUrls) {
  auto u = parse_endpoint_url("http://127.0.0.1:8080/ingest/v1", "http");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path, "/ingest/v1");
  u = parse_endpoint_url("https://api.example.com", "http");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->path, "/");
  u = parse_endpoint_url("mqtt://broker/t/{serial}", "mqtt");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->port, 1883);
  EXPECT_EQ(u->path, "/t/{serial}");
  EXPECT_FALSE(parse_endpoint_url("broker:1883", "mqtt"));
  EXPECT_FALSE(parse_endpoint_url("http://:80/x", "http"));
  EXPECT_FALSE(parse_endpoint_url("http://h:0/x", "http"));
  EXPECT_FALSE(parse_endpoint_url("http://h:80x/x", "http"));
  EXPECT_FALSE(parse_endpoint_url("http://user:pw@h/x", "http"));
  EXPECT_FALSE(parse_endpoint_url("http://h o/x", "http"));
  EXPECT_FALSE(parse_endpoint_url("mqtt://h/x", "http"));
}

TEST(WebRoutes, LognormalLatencyHitsItsMedianAndP99) {
  EXPECT_DOUBLE_EQ(lognormal_latency_ms(200, 1000, 0), 200);
  EXPECT_NEAR(lognormal_latency_ms(200, 1000, 2.3263478740408408), 1000, 1e-9);
  EXPECT_DOUBLE_EQ(lognormal_latency_ms(200, 200, 3), 200);  // no spread
  EXPECT_DOUBLE_EQ(lognormal_latency_ms(0, 10, 1), 0);
}

TEST(WebRoutes, SimulatedAnswersAreDeterministicAndHonourTheirLatency) {
  web_target t;
  t.sim.latency_ms_median = 500;
  t.sim.latency_ms_p99 = 2000;
  t.sim.error_rate = 0.3;
  t.sim.status_on_error = 503;
  auto answers_of = [&](bool reversed) {
    web_routes w(9, {{"api", t}});
    std::vector<web_answer> out;
    std::vector<int> order(2000);
    for (int k = 0; k < 2000; ++k) order[k] = reversed ? 1999 - k : k;
    for (int k : order) {
      wire::v1::WebRequest r;
      r.set_id(static_cast<std::uint64_t>(k % 50));
      r.set_route("api");
      w.request(static_cast<twin_index>(k / 50), 1'000'000, r, out);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return std::tie(a.twin, a.id) < std::tie(b.twin, b.id);
    });
    routes_report rep;
    w.finish(rep);
    EXPECT_EQ(rep.web_requests, 2000u);
    EXPECT_EQ(rep.web_answered, 2000u);
    return out;
  };
  const auto a = answers_of(false);
  const auto b = answers_of(true);
  ASSERT_EQ(a.size(), b.size());
  int errors = 0;
  std::vector<double> latency_ms;
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].result, b[k].result);
    EXPECT_EQ(a[k].ready_at_us, b[k].ready_at_us);
    errors += a[k].result == 503;
    latency_ms.push_back((a[k].ready_at_us - 1'000'000) / 1000.0);
  }
  EXPECT_NEAR(errors / 2000.0, 0.3, 0.04);
  std::sort(latency_ms.begin(), latency_ms.end());
  EXPECT_NEAR(latency_ms[1000], 500, 60);
  EXPECT_NEAR(latency_ms[1980], 2000, 500);
}

TEST(WebRoutes, UnknownRouteAndTimeoutAreAnsweredAsErrors) {
  web_target slow;
  slow.sim.latency_ms_median = 60'000;
  slow.sim.latency_ms_p99 = 60'000;
  web_routes w(1, {{"slow", slow}});
  std::vector<web_answer> out;
  wire::v1::WebRequest r;
  r.set_id(1);
  r.set_route("nope");
  w.request(0, 0, r, out);
  r.set_id(2);
  r.set_route("slow");
  r.set_timeout_s(10);
  w.request(0, 0, r, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].result, 404);
  EXPECT_NE(out[0].body.find("no web route named \\\"nope\\\""), std::string::npos) << out[0].body;
  EXPECT_EQ(out[1].result, 504);
  EXPECT_EQ(out[1].ready_at_us, 10'000'000);  // the gateway's timeout, not the latency
  routes_report rep;
  w.finish(rep);
  EXPECT_EQ(rep.web_unknown_route, 1u);
  EXPECT_EQ(rep.web_errors, 2u);
  EXPECT_EQ(rep.web_by_route.at(0).timeouts, 1u);
}

wire::v1::NoteChange change(const std::string& file, const std::string& id, std::int64_t utc_s,
                            const std::string& body) {
  wire::v1::NoteChange c;
  c.set_file(file);
  c.set_note_id(id);
  c.set_utc_s(utc_s);
  c.set_body(body);
  return c;
}

TEST(DbSync, InboundNotesGoDownUntilAcknowledgedThenNeverAgain) {
  db_sync db(4, 1);
  db.change_twin(2, {.database = false, .file = "data.qi", .body = "{\"a\":1}", .utc_s = 5});
  db.change_fleet(0, {.database = false, .file = "data.qi", .body = "{\"b\":2}", .utc_s = 6});
  wire::v1::SessionUplink up;
  wire::v1::SessionDownlink down;
  std::vector<wire::v1::NoteChange> accepted;
  db.session(2, 0, 100, up, {}, down, accepted);
  ASSERT_EQ(down.inbound_size(), 2);
  EXPECT_EQ(down.down_seq(), 2u);
  // The downlink was lost: the device acknowledges nothing, both go down again.
  wire::v1::SessionDownlink again;
  db.session(2, 0, 200, up, {}, again, accepted);
  EXPECT_EQ(again.inbound_size(), 2);
  // Acknowledged: gone, counted delivered once.
  up.set_down_acked_seq(2);
  wire::v1::SessionDownlink after;
  db.session(2, 0, 300, up, {}, after, accepted);
  EXPECT_EQ(after.inbound_size(), 0);
  routes_report r;
  db.report(r);
  EXPECT_EQ(r.inbound_sent, 2u);
  EXPECT_EQ(r.inbound_delivered, 2u);
  // Another twin of the fleet gets the fleet Note at its first sync.
  wire::v1::SessionUplink other_up;
  wire::v1::SessionDownlink other;
  db.session(1, 0, 300, other_up, {}, other, accepted);
  ASSERT_EQ(other.inbound_size(), 1);
  EXPECT_EQ(other.inbound(0).body(), "{\"b\":2}");
}

TEST(DbSync, LaterEditWinsAConflictAndTheCloudWinsATie) {
  db_sync db(1, 1);
  const cloud_change cloud{.database = true,
                           .file = "cfg.db",
                           .note_id = "x",
                           .body = "{\"v\":\"cloud\"}",
                           .utc_s = 1000};
  std::vector<wire::v1::NoteChange> accepted;
  // The device edited later than the cloud: its edit wins, the cloud's does not go down.
  db.change_twin(0, cloud);
  wire::v1::SessionUplink up;
  *up.add_db_changes() = change("cfg.db", "x", 1001, "{\"v\":\"device\"}");
  wire::v1::SessionDownlink down;
  db.session(0, 0, 0, up, {}, down, accepted);
  EXPECT_EQ(down.inbound_size(), 0);
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(db.cloud_copy(0, "cfg.db", "x")->body(), "{\"v\":\"device\"}");
  // A tie: the cloud's edit wins, goes down, and the device's is not kept.
  db.change_twin(0, cloud);
  wire::v1::SessionUplink tie;
  *tie.add_db_changes() = change("cfg.db", "x", 1000, "{\"v\":\"device2\"}");
  wire::v1::SessionDownlink tie_down;
  accepted.clear();
  db.session(0, 0, 0, tie, {}, tie_down, accepted);
  ASSERT_EQ(tie_down.inbound_size(), 1);
  EXPECT_EQ(tie_down.inbound(0).body(), "{\"v\":\"cloud\"}");
  EXPECT_TRUE(accepted.empty());
  EXPECT_EQ(db.cloud_copy(0, "cfg.db", "x")->body(), "{\"v\":\"cloud\"}");
  // No conflict: a device edit of another Note is simply merged.
  wire::v1::SessionUplink plain;
  plain.set_down_acked_seq(tie_down.down_seq());
  *plain.add_db_changes() = change("cfg.db", "y", 5, "{}");
  wire::v1::SessionDownlink plain_down;
  db.session(0, 0, 0, plain, {}, plain_down, accepted);
  routes_report r;
  db.report(r);
  EXPECT_EQ(r.db_conflicts, 2u);
  EXPECT_EQ(r.db_up, 2u);    // the first device edit and "y"
  EXPECT_EQ(r.db_down, 1u);  // the tie's cloud edit, acknowledged
}

TEST(DbSync, WebAnswersWaitForTheirLatencyAndRequestsAreDeduplicated) {
  db_sync db(1, 1);
  EXPECT_TRUE(db.first_web_request(0, 0));
  EXPECT_TRUE(db.first_web_request(0, 1));
  EXPECT_FALSE(db.first_web_request(0, 1));  // resent after a lost downlink
  EXPECT_FALSE(db.first_web_request(0, 0));
  std::vector<web_answer> answers{{0, 0, 200, "{}", 5'000'000}, {0, 1, 500, "", 1'000'000}};
  wire::v1::SessionUplink up;
  wire::v1::SessionDownlink early;
  std::vector<wire::v1::NoteChange> accepted;
  db.session(0, 0, 2'000'000, up, answers, early, accepted);
  ASSERT_EQ(early.web_responses_size(), 1);
  EXPECT_EQ(early.web_responses(0).id(), 1u);
  up.set_down_acked_seq(early.down_seq());
  wire::v1::SessionDownlink later;
  db.session(0, 0, 6'000'000, up, {}, later, accepted);
  ASSERT_EQ(later.web_responses_size(), 1);
  EXPECT_EQ(later.web_responses(0).id(), 0u);
}

TEST(Routes, Base64) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64(std::string("\xff\x00\x10", 3)), "/wAQ");
}

// A transport that fails its first `failures` deliveries, for the worker's accounting.
class flaky_transport final : public sink_transport {
 public:
  explicit flaky_transport(int failures) : failures_(failures) {}
  std::size_t deliver(std::span<const sink_event> events, std::string& error) override {
    if (failures_-- > 0) {
      error = "refused";
      return 0;
    }
    delivered_ += events.size();
    return events.size();
  }
  [[nodiscard]] std::string target() const override { return "flaky://"; }
  int failures_;
  std::size_t delivered_ = 0;
};

route_counters named(const char* name) {
  route_counters c;
  c.name = name;
  c.sink = "test";
  return c;
}

TEST(SinkWorker, RetriesThenDelivers) {
  sink_worker w(named("r"), std::make_unique<flaky_transport>(2),
                {.max_attempts = 3, .backoff_initial_ms = 1, .backoff_max_ms = 2});
  for (int k = 0; k < 5; ++k) w.push({"", "{}"});
  const auto c = w.finish(std::chrono::seconds(30));
  EXPECT_EQ(c.events, 5u);
  EXPECT_EQ(c.delivered, 5u);
  EXPECT_EQ(c.retried, 2u);
  EXPECT_EQ(c.failed, 0u);
  EXPECT_EQ(c.bytes, 10u);
}

TEST(SinkWorker, GivesUpAfterItsAttemptsAndCountsTheEventsFailed) {
  // At most 4 events per delivery: 7 events are two batches, whatever the timing.
  sink_worker w(named("down"), std::make_unique<flaky_transport>(1000),
                {.max_attempts = 3, .backoff_initial_ms = 1, .backoff_max_ms = 2, .max_batch = 4});
  for (int k = 0; k < 4; ++k) w.push({"", "{}"});
  w.flush();
  for (int k = 0; k < 3; ++k) w.push({"", "{}"});
  const auto c = w.finish(std::chrono::seconds(30));
  EXPECT_EQ(c.events, 7u);
  EXPECT_EQ(c.delivered, 0u);
  EXPECT_EQ(c.failed, 7u);
  EXPECT_EQ(c.retried, 4u);  // two batches, two retries each
  EXPECT_EQ(c.queued_at_end, 0u);
  EXPECT_NE(c.last_error.find("route \"down\" (flaky://): refused (3 attempts)"), std::string::npos)
      << c.last_error;
}

TEST(SinkWorker, AFullQueueRefusesAndCounts) {
  sink_worker w(named("small"), std::make_unique<flaky_transport>(0), {.queue_limit = 3});
  for (int k = 0; k < 5; ++k) w.push({"", "{}"});  // not flushed: the queue holds 3
  const auto c = w.finish(std::chrono::seconds(30));
  EXPECT_EQ(c.events, 5u);
  EXPECT_EQ(c.delivered, 3u);
  EXPECT_EQ(c.failed, 2u);
  EXPECT_NE(c.last_error.find("queue full"), std::string::npos);
}

TEST(SinkWorker, WhatTheDrainTimeoutLeavesIsCountedQueuedAtEnd) {
  // Every delivery fails and the back-off is long: finish() gives up at once.
  sink_worker w(named("slow"), std::make_unique<flaky_transport>(1000),
                {.max_attempts = 10, .backoff_initial_ms = 600'000, .backoff_max_ms = 600'000});
  for (int k = 0; k < 4; ++k) w.push({"", "{}"});
  const auto c = w.finish(std::chrono::milliseconds(0));
  EXPECT_EQ(c.events, 4u);
  EXPECT_EQ(c.delivered + c.failed + c.queued_at_end, 4u);
  EXPECT_EQ(c.queued_at_end, 4u);
}

}  // namespace
}  // namespace twelvefold::actors::cloud
