// module: host firmware update — the download state machine fed by the device actor, dfu.status,
// dfu.get (in-application update) and card.dfu (outboard update).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {
namespace {

using nlohmann::json;

json ask(module& m, std::string_view request, std::int64_t now_us = 0) {
  return json::parse(m.request(request, now_us));
}

dfu_image image_of(std::size_t bytes, std::string version = "2.0.0") {
  auto data = std::make_shared<std::vector<std::uint8_t>>(bytes);
  std::iota(data->begin(), data->end(), std::uint8_t{0});
  return {
      .version = std::move(version), .name = "fw.bin", .md5 = "00ff", .notes = "", .bytes = data};
}

TEST(ModuleDfu, DownloadThenReadTheImageInChunks) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"dfu.status"})"),
            json::parse(R"({"mode":"idle","status":"no download in progress","on":true})"));
  m.offer_dfu(0, image_of(1000));
  EXPECT_EQ(m.dfu(), dfu_state::downloading);
  m.dfu_progress(0, 450);
  json status = ask(m, R"({"req":"dfu.status"})");
  EXPECT_EQ(status["mode"], "downloading");
  EXPECT_EQ(status["status"], "downloading: 45% complete");
  EXPECT_EQ(status["pending"], true);
  EXPECT_EQ(status["body"]["length"], 1000);
  EXPECT_EQ(status["body"]["version"], "2.0.0");
  m.dfu_progress(0, 1000);
  EXPECT_EQ(m.dfu(), dfu_state::ready);
  EXPECT_EQ(ask(m, R"({"req":"dfu.status"})")["mode"], "ready");

  // dfu.get needs the hub in dfu mode, as on the Notecard.
  EXPECT_NE(
      ask(m, R"({"req":"dfu.get","length":16})")["err"].get<std::string>().find("{dfu-not-ready}"),
      std::string::npos);
  ask(m, R"({"req":"hub.set","mode":"dfu"})");
  EXPECT_FALSE(m.sync_wanted(0)) << "no sessions while the host updates";
  EXPECT_EQ(ask(m, R"({"req":"dfu.get","length":0})"), json::object());
  EXPECT_EQ(ask(m, R"({"req":"dfu.get","length":4,"offset":0})")["payload"], "AAECAw==");
  EXPECT_EQ(ask(m, R"({"req":"dfu.get","length":3,"offset":252})")["payload"], "/P3+");
  // The last chunk may be short; past the end is an err.
  EXPECT_EQ(ask(m, R"({"req":"dfu.get","length":100,"offset":998})")["payload"], "5uc=");
  EXPECT_NE(ask(m, R"({"req":"dfu.get","length":1,"offset":1000})")["err"].get<std::string>().find(
                "{dfu-bad-offset}"),
            std::string::npos);

  // The firmware reports its new version and clears the update.
  ask(m,
      R"({"req":"dfu.status","stop":true,"status":"updated","version":{"version":"2.0.0","ver_major":2}})");
  EXPECT_EQ(m.dfu(), dfu_state::idle);
  EXPECT_EQ(m.host_version(), R"({"version":"2.0.0","ver_major":2})");
  ask(m, R"({"req":"hub.set","mode":"periodic"})");
  m.request(R"({"req":"hub.sync"})", 0);
  const auto up = m.begin_session(0);
  ASSERT_TRUE(up.dfu.has_value());
  EXPECT_EQ(up.dfu->status, "updated");
}

TEST(ModuleDfu, DownloadsOffDeclineOffersAndErrorsAreReported) {
  module m;
  ask(m, R"({"req":"dfu.status","off":true})");
  m.offer_dfu(0, image_of(10));
  EXPECT_EQ(m.dfu(), dfu_state::idle);
  EXPECT_EQ(ask(m, R"({"req":"dfu.status"})")["off"], true);
  ask(m, R"({"req":"dfu.status","on":true})");
  m.offer_dfu(0, image_of(10));
  m.dfu_failed(0, "checksum mismatch");
  EXPECT_EQ(ask(m, R"({"req":"dfu.status"})"),
            json::parse(R"({"mode":"error","status":"checksum mismatch","on":true})"));
  m.offer_dfu(0, image_of(10, "2.0.1"));
  EXPECT_EQ(m.dfu(), dfu_state::downloading) << "a new offer starts over";
  m.offer_dfu(0, image_of(10, "2.0.1"));
  m.dfu_progress(0, 5);
  m.offer_dfu(0, image_of(10, "2.0.1"));  // the same offer again does not restart it
  EXPECT_EQ(ask(m, R"({"req":"dfu.status"})")["status"], "downloading: 50% complete");
  ask(m, R"({"req":"dfu.status","stop":true,"err":"flash write failed"})");
  EXPECT_EQ(m.dfu(), dfu_state::error);
  EXPECT_EQ(ask(m, R"({"req":"dfu.status","name":"card"})")["mode"], "idle");
}

TEST(ModuleDfu, OutboardUpdateIsTheModulesJob) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"card.dfu","name":"stm32","on":true})"),
            json::parse(R"({"name":"stm32","on":true})"));
  EXPECT_FALSE(m.outboard_dfu_wanted());
  sync_downlink down;
  down.utc_us = 1'700'000'000'000'000;
  down.dfu = image_of(64, "3.0.0");
  m.request(R"({"req":"hub.sync"})", 0);
  m.begin_session(0);
  m.end_sync(0, &down);
  EXPECT_EQ(m.dfu(), dfu_state::downloading);
  m.dfu_progress(0, 64);
  EXPECT_TRUE(m.outboard_dfu_wanted());
  m.outboard_dfu_done(1'000'000, true);
  EXPECT_FALSE(m.outboard_dfu_wanted());
  EXPECT_EQ(m.dfu(), dfu_state::completed);
  EXPECT_EQ(m.host_version(), "3.0.0");
  EXPECT_EQ(ask(m, R"({"req":"dfu.status"})")["mode"], "completed");
  EXPECT_EQ(ask(m, R"({"req":"card.dfu","name":"-"})"), json::parse(R"({"off":true})"));
}

}  // namespace
}  // namespace twelvefold::shim
