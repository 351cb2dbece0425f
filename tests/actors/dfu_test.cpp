// The DFU campaign engine (actors/src/cloud/dfu_campaign.hpp), the management service's DFU
// part (dfu_service.hpp) and the device side (dfu_download.hpp), without actors.
#include <gtest/gtest.h>

#include <memory>

#include "cloud/dfu_campaign.hpp"
#include "cloud/dfu_service.hpp"
#include "dfu_download.hpp"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {
namespace {

dfu_campaign_spec staged() {
  dfu_campaign_spec c;
  c.name = "c";
  c.start_us = 1'000'000;
  c.stages = {{10, 0}, {50, 3'600'000'000}, {100, 7'200'000'000}};
  return c;
}

TEST(DfuCampaign, StagePercentFollowsTheStages) {
  const dfu_campaign_spec c = staged();
  EXPECT_EQ(dfu::stage_percent(c, 0), 0);
  EXPECT_EQ(dfu::stage_percent(c, 1'000'000), 10);
  EXPECT_EQ(dfu::stage_percent(c, 1'000'000 + 3'599'000'000), 10);
  EXPECT_EQ(dfu::stage_percent(c, 1'000'000 + 3'600'000'000), 50);
  EXPECT_EQ(dfu::stage_percent(c, 1'000'000 + 7'200'000'000), 100);
}

TEST(DfuCampaign, SelectionGrowsWithTheStagesAndMatchesThePercent) {
  constexpr std::uint32_t twins = 20'000;
  std::uint32_t at10 = 0, at50 = 0, at100 = 0, both = 0, other_campaign = 0;
  for (std::uint32_t t = 0; t < twins; ++t) {
    const bool s10 = dfu::selected(7, t, 1, 10);
    const bool s50 = dfu::selected(7, t, 1, 50);
    at10 += s10;
    at50 += s50;
    at100 += dfu::selected(7, t, 1, 100);
    both += s10 && s50;
    other_campaign += s10 && dfu::selected(7, t, 2, 10);
  }
  EXPECT_EQ(both, at10);  // a later stage keeps every twin of the earlier one
  EXPECT_EQ(at100, twins);
  EXPECT_NEAR(at10 / double(twins), 0.10, 0.01);
  EXPECT_NEAR(at50 / double(twins), 0.50, 0.015);
  // Another campaign draws afresh: about 10% of the first 10% again.
  EXPECT_NEAR(other_campaign / double(at10), 0.10, 0.03);
  EXPECT_FALSE(dfu::selected(7, 3, 1, 0));
}

TEST(DfuCampaign, ApplyFailuresHappenAtTheConfiguredRate) {
  std::uint32_t failed = 0;
  for (std::uint32_t t = 0; t < 20'000; ++t) failed += dfu::apply_fails(3, t, 1, 0.02);
  EXPECT_NEAR(failed / 20'000.0, 0.02, 0.004);
  for (std::uint32_t t = 0; t < 100; ++t) {
    EXPECT_FALSE(dfu::apply_fails(3, t, 1, 0));
    EXPECT_TRUE(dfu::apply_fails(3, t, 1, 1));
  }
}

TEST(DfuCampaign, ChunksFollowTheRat) {
  EXPECT_GT(dfu::chunk_bytes_per_session("wifi"), dfu::chunk_bytes_per_session("lte-m"));
  EXPECT_GT(dfu::chunk_bytes_per_session("lte-m"), dfu::chunk_bytes_per_session("nb-iot"));
  EXPECT_EQ(dfu::chunk_bytes_per_session("lorawan"), 51u);
  EXPECT_TRUE(dfu::packet_limited("lorawan"));
  EXPECT_TRUE(dfu::packet_limited("ntn"));
  EXPECT_FALSE(dfu::packet_limited("lte-m"));
  EXPECT_EQ(dfu::chunk_bytes_per_session("carrier-pigeon"), 0u);
}

TEST(DfuCampaign, HealthGateNeedsSamplesAndForgetsOldOnes) {
  dfu_campaign_spec c = staged();
  c.has_gate = true;
  c.gate_max_failure_rate = 0.2;
  c.gate_window_us = 1000;
  c.gate_min_samples = 5;
  dfu::health_gate gate;
  gate.record(0, true, true);
  gate.record(1, true, true);
  EXPECT_FALSE(gate.tripped(c, 2));  // 2 of 2 failed, but too few samples to judge
  for (int i = 0; i < 8; ++i) gate.record(2 + i, true, false);
  EXPECT_FALSE(gate.tripped(c, 10));  // 2 of 10: exactly the limit, not above it
  gate.record(11, true, true);
  EXPECT_TRUE(gate.tripped(c, 11));  // 3 of 11
  // Much later the failures have left the window.
  gate.record(5000, true, false);
  EXPECT_FALSE(gate.tripped(c, 5000));
  EXPECT_EQ(gate.rate(), 0);
  dfu_campaign_spec no_gate = c;
  no_gate.has_gate = false;
  dfu::health_gate g2;
  for (int i = 0; i < 10; ++i) g2.record(i, true, true);
  EXPECT_FALSE(g2.tripped(no_gate, 10));
}

TEST(DfuCampaign, HaltCancelsDownloadsAndRollsBackOnlyWithRollback) {
  dfu_campaign_spec c = staged();
  c.rollback = true;
  EXPECT_EQ(dfu::on_halt(c, dfu::phase::offered), dfu::phase::cancelling);
  EXPECT_EQ(dfu::on_halt(c, dfu::phase::ready), dfu::phase::cancelling);
  EXPECT_EQ(dfu::on_halt(c, dfu::phase::applied), dfu::phase::rolling_back);
  EXPECT_EQ(dfu::on_halt(c, dfu::phase::failed), dfu::phase::failed);
  EXPECT_EQ(dfu::on_halt(c, dfu::phase::none), dfu::phase::none);
  c.rollback = false;
  EXPECT_EQ(dfu::on_halt(c, dfu::phase::applied), dfu::phase::applied);
}

// A world of one fleet of `twins` and one 100 KB image, with `campaign` as campaign 1.
std::shared_ptr<world> small_world(std::uint32_t twins, dfu_campaign_spec campaign) {
  auto w = std::make_shared<world>();
  w->seed = 11;
  w->fleets.push_back({"f", "F-", 0, 0, {}});
  w->twins.resize(twins);
  w->firmware_images.push_back({"img", "", "2.0.0", 100'000, firmware_image_spec::no_library});
  campaign.fleet = 0;
  campaign.image = 0;
  w->dfu_campaigns.push_back(std::move(campaign));
  return w;
}

wire::v1::SessionUplink uplink(const std::string& firmware, std::uint32_t state = 0,
                               std::uint64_t received = 0, std::uint32_t resets = 0) {
  wire::v1::SessionUplink up;
  up.mutable_status()->set_firmware(firmware);
  up.mutable_status()->set_rat("lte-m");
  up.mutable_status()->set_resets(resets);
  if (state != 0) {
    up.mutable_dfu()->set_campaign(1);
    up.mutable_dfu()->set_state(state);
    up.mutable_dfu()->set_received_bytes(received);
  }
  return up;
}

TEST(DfuService, OffersChunksThenCountsTheApply) {
  dfu_campaign_spec c;
  c.name = "c";
  c.stages = {{100, 0}};
  auto w = small_world(1, c);
  dfu_service svc(w);
  std::vector<cloud_event> events;
  svc.on_uplink(0, 10, uplink("fw@1.0.0"), events);
  EXPECT_EQ(svc.twin(0).where, dfu::phase::none);  // not started yet
  svc.start("c", 20);
  svc.on_uplink(0, 30, uplink("fw@1.0.0"), events);
  ASSERT_EQ(svc.twin(0).where, dfu::phase::offered);
  wire::v1::SessionDownlink down;
  auto chunk = svc.fill_downlink(0, 30, "lte-m", down, events);
  EXPECT_EQ(chunk.bytes, 65'536u);
  EXPECT_EQ(chunk.campaign, 1);
  EXPECT_EQ(down.dfu().offset(), 0u);
  EXPECT_EQ(down.dfu().size_bytes(), 100'000u);
  // The device got the first chunk: the second carries the rest.
  svc.on_uplink(0, 40, uplink("fw@1.0.0", 1, 65'536), events);
  down.Clear();
  chunk = svc.fill_downlink(0, 40, "lte-m", down, events);
  EXPECT_EQ(chunk.bytes, 100'000u - 65'536u);
  EXPECT_EQ(down.dfu().offset(), 65'536u);
  svc.on_uplink(0, 50, uplink("fw@2.0.0", 3, 100'000), events);
  EXPECT_EQ(svc.twin(0).where, dfu::phase::applied);
  down.Clear();
  EXPECT_EQ(svc.fill_downlink(0, 50, "lte-m", down, events).bytes, 0u);
  EXPECT_FALSE(down.has_dfu());
  const dfu_totals t = svc.totals(100);
  ASSERT_EQ(t.campaigns.size(), 1u);
  EXPECT_EQ(t.campaigns[0].twins_targeted, 1u);
  EXPECT_EQ(t.campaigns[0].offered, 1u);
  EXPECT_EQ(t.campaigns[0].downloaded, 1u);
  EXPECT_EQ(t.campaigns[0].applied, 1u);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, "dfu.applied");
  EXPECT_NE(events.back().body.find("\"to\":\"fw@2.0.0\""), std::string::npos);
}

TEST(DfuService, TrippedGateHaltsAndRollsBackUpdatedTwins) {
  dfu_campaign_spec c;
  c.name = "c";
  c.stages = {{100, 0}};
  c.has_gate = true;
  c.gate_max_failure_rate = 0.3;
  c.gate_window_us = 1'000'000'000;
  c.gate_min_samples = 4;
  c.rollback = true;
  auto w = small_world(8, c);
  dfu_service svc(w);
  std::vector<cloud_event> events;
  svc.start("c", 0);
  for (twin_index t = 0; t < 8; ++t) svc.on_uplink(t, 10, uplink("fw@1"), events);
  // Two apply, then two fail: 2 of 4 > 30% halts the campaign.
  svc.on_uplink(0, 20, uplink("fw@2", 3, 100'000), events);
  svc.on_uplink(1, 21, uplink("fw@2", 3, 100'000), events);
  svc.on_uplink(2, 22, uplink("fw@1", 4, 100'000), events);
  EXPECT_EQ(svc.totals(30).campaigns[0].halted_at_s, -1);
  svc.on_uplink(3, 23, uplink("fw@1", 4, 100'000), events);
  const auto halted = svc.totals(30).campaigns[0];
  EXPECT_NEAR(halted.halted_at_s, 23e-6, 1e-9);
  EXPECT_EQ(svc.twin(0).where, dfu::phase::rolling_back);
  EXPECT_EQ(svc.twin(2).where, dfu::phase::failed);
  EXPECT_EQ(svc.twin(4).where, dfu::phase::cancelling);  // was still downloading
  wire::v1::SessionDownlink down;
  svc.fill_downlink(0, 30, "lte-m", down, events);
  EXPECT_TRUE(down.dfu().revert());
  down.Clear();
  svc.fill_downlink(4, 30, "lte-m", down, events);
  EXPECT_TRUE(down.dfu().cancel());
  EXPECT_EQ(svc.twin(4).where, dfu::phase::cancelled);
  svc.on_uplink(0, 40, uplink("fw@1", 5, 100'000), events);
  EXPECT_EQ(svc.twin(0).where, dfu::phase::rolled_back);
  const auto end = svc.totals(50).campaigns[0];
  EXPECT_EQ(end.applied, 2u);
  EXPECT_EQ(end.failed, 2u);
  EXPECT_EQ(end.rolled_back, 1u);
  EXPECT_EQ(end.cancelled, 1u);
  // No new twin joins a halted campaign.
  EXPECT_EQ(svc.twin(7).where, dfu::phase::cancelling);
}

TEST(DfuService, PacketLimitedTwinsAreSkippedUnlessAllowed) {
  dfu_campaign_spec c;
  c.name = "c";
  c.stages = {{100, 0}};
  auto w = small_world(1, c);
  dfu_service svc(w);
  std::vector<cloud_event> events;
  svc.start("c", 0);
  auto up = uplink("fw@1");
  up.mutable_status()->set_rat("lorawan");
  svc.on_uplink(0, 10, up, events);
  EXPECT_EQ(svc.twin(0).where, dfu::phase::skipped);
  EXPECT_EQ(svc.totals(20).campaigns[0].skipped_packet_limited, 1u);

  c.allow_packet_limited = true;
  dfu_service allowed(small_world(1, c));
  allowed.start("c", 0);
  allowed.on_uplink(0, 10, up, events);
  wire::v1::SessionDownlink down;
  EXPECT_EQ(allowed.fill_downlink(0, 10, "lorawan", down, events).bytes, 51u);
}

TEST(DfuService, DiagnosticImageIsRevertedAfterItsTime) {
  dfu_campaign_spec c;
  c.name = "c";
  c.stages = {{100, 0}};
  c.diagnostic = true;
  c.revert_after_us = 3'600'000'000;
  auto w = small_world(1, c);
  dfu_service svc(w);
  std::vector<cloud_event> events;
  svc.start("c", 0);
  svc.on_uplink(0, 0, uplink("fw@1"), events);
  svc.on_uplink(0, 1'000'000, uplink("diag@9", 3, 100'000), events);
  wire::v1::SessionDownlink down;
  svc.fill_downlink(0, 1'000'000 + 3'599'000'000, "lte-m", down, events);
  EXPECT_FALSE(down.has_dfu());
  svc.fill_downlink(0, 1'000'000 + 3'600'000'000, "lte-m", down, events);
  EXPECT_TRUE(down.dfu().revert());
  svc.on_uplink(0, 1'000'000 + 3'700'000'000, uplink("fw@1", 5, 100'000), events);
  EXPECT_EQ(svc.totals(0).campaigns[0].reverted, 1u);
}

TEST(DfuDevice, DownloadsInChunksAppliesAnAssetAndRevertsIt) {
  dfu_campaign_spec c;
  c.name = "c";
  c.kind = dfu_kind::asset;
  c.stages = {{100, 0}};
  auto w = small_world(1, c);
  dfu::image_bytes bytes(*w);
  shim::module comms;
  dfu::device_twin d;
  downlink_dfu offer{true, 1, 0, "2.0.0", 100'000, 0, 65'536, false, false};
  EXPECT_FALSE(dfu::on_offer(*w, 0, d, offer, comms, 0, bytes).reboot);
  EXPECT_EQ(d.state, dfu::device_state::downloading);
  EXPECT_EQ(d.received_bytes, 65'536u);
  // A repeated chunk (its downlink was lost and resent) changes nothing; a gap is ignored.
  EXPECT_FALSE(dfu::on_offer(*w, 0, d, offer, comms, 1, bytes).reboot);
  EXPECT_EQ(d.received_bytes, 65'536u);
  offer.offset = 90'000;
  dfu::on_offer(*w, 0, d, offer, comms, 2, bytes);
  EXPECT_EQ(d.received_bytes, 65'536u);
  offer.offset = 65'536;
  offer.chunk_bytes = 100'000 - 65'536;
  EXPECT_FALSE(dfu::on_offer(*w, 0, d, offer, comms, 3, bytes).reboot);  // an asset: no reboot
  EXPECT_EQ(d.state, dfu::device_state::applied);
  EXPECT_EQ(d.asset, 1);
  uplink_fields fields;
  dfu::fill_uplink(*w, d, fields);
  EXPECT_EQ(fields.asset, "img@2.0.0");
  EXPECT_EQ(fields.dfu_state, 3u);
  offer.revert = true;
  dfu::on_offer(*w, 0, d, offer, comms, 4, bytes);
  EXPECT_EQ(d.state, dfu::device_state::reverted);
  EXPECT_EQ(d.asset, 0);
}

TEST(DfuDevice, OutboardHostUpdateRebootsIntoTheNewImageOrStaysOnFailure) {
  dfu_campaign_spec c;
  c.name = "c";
  c.outboard = true;
  c.stages = {{100, 0}};
  c.apply_failure_rate = 0;
  auto w = small_world(1, c);
  dfu::image_bytes bytes(*w);
  shim::module comms;
  dfu::device_twin d;
  const downlink_dfu offer{true, 1, 0, "2.0.0", 100'000, 0, 100'000, false, false};
  const dfu::image_change change = dfu::on_offer(*w, 0, d, offer, comms, 0, bytes);
  EXPECT_TRUE(change.reboot);
  EXPECT_EQ(change.image, 1);
  EXPECT_EQ(d.previous_image, 0);
  EXPECT_EQ(comms.dfu(), shim::dfu_state::completed);

  w->dfu_campaigns[0].apply_failure_rate = 1;
  dfu::device_twin failing;
  shim::module comms2;
  const dfu::image_change back = dfu::on_offer(*w, 0, failing, offer, comms2, 0, bytes);
  EXPECT_TRUE(back.reboot);  // the new slot did not come up: the old one boots again
  EXPECT_EQ(back.image, 0);
  EXPECT_EQ(failing.state, dfu::device_state::failed);
}

}  // namespace
}  // namespace twelvefold::actors

namespace twelvefold::actors {
namespace {

dfu_campaign_spec gated(dfu_metric metric) {
  dfu_campaign_spec c;
  c.name = "c";
  c.stages = {{100, 0}};
  c.has_gate = true;
  c.gate_metric = metric;
  c.gate_max_failure_rate = 0.4;
  c.gate_window_us = 3'600'000'000;
  c.gate_min_samples = 2;
  return c;
}

TEST(DfuService, RebootsAfterTheUpdateTripTheRebootGate) {
  dfu_service svc(small_world(2, gated(dfu_metric::reboots)));
  std::vector<cloud_event> events;
  svc.start("c", 0);
  for (twin_index t = 0; t < 2; ++t) svc.on_uplink(t, 0, uplink("fw@1", 0, 0, 3), events);
  svc.on_uplink(0, 10, uplink("fw@2", 3, 100'000, 3), events);
  svc.on_uplink(1, 10, uplink("fw@2", 3, 100'000, 3), events);
  svc.on_uplink(0, 20, uplink("fw@2", 3, 100'000, 3), events);  // same resets: healthy
  EXPECT_EQ(svc.totals(30).campaigns[0].halted_at_s, -1);
  svc.on_uplink(1, 30, uplink("fw@2", 3, 100'000, 4), events);  // reset after updating: 1 of 2
  EXPECT_NEAR(svc.totals(40).campaigns[0].halted_at_s, 30e-6, 1e-12);
}

TEST(DfuService, UpdatedTwinsThatGoQuietTripTheSilentGate) {
  dfu_service svc(small_world(2, gated(dfu_metric::silent)));
  std::vector<cloud_event> events;
  svc.start("c", 0);
  for (twin_index t = 0; t < 2; ++t) svc.on_uplink(t, 0, uplink("fw@1"), events);
  svc.on_uplink(0, 1'000'000, uplink("fw@2", 3, 100'000), events);
  svc.on_uplink(1, 1'000'000, uplink("fw@2", 3, 100'000), events);
  // Twin 0 keeps talking, twin 1 is never heard of again.
  svc.on_uplink(0, 3'000'000'000, uplink("fw@2", 3, 100'000), events);
  svc.sample(3'000'000'000, {}, events);
  EXPECT_EQ(svc.totals(0).campaigns[0].halted_at_s, -1);
  svc.on_uplink(0, 3'700'000'000, uplink("fw@2", 3, 100'000), events);
  svc.sample(3'700'000'000, {{"fw@2", 2}}, events);
  EXPECT_NEAR(svc.totals(0).campaigns[0].halted_at_s, 3700, 1e-9);
  ASSERT_EQ(events.back().kind, "dfu.halted");
  EXPECT_EQ(events.back().twin, 1u);
}

}  // namespace
}  // namespace twelvefold::actors

namespace twelvefold::actors {
namespace {

TEST(DfuService, TwinOnADiagnosticImageJoinsNoOtherCampaignUntilReverted) {
  dfu_campaign_spec diag;
  diag.name = "diag";
  diag.stages = {{100, 0}};
  diag.diagnostic = true;
  diag.revert_after_us = 1'000'000'000;
  auto w = small_world(1, diag);
  dfu_campaign_spec next = diag;
  next.name = "next";
  next.diagnostic = false;
  w->dfu_campaigns.push_back(next);
  dfu_service svc(w);
  std::vector<cloud_event> events;
  svc.start("diag", 0);
  svc.start("next", 0);
  svc.on_uplink(0, 0, uplink("fw@1"), events);
  EXPECT_EQ(svc.twin(0).campaign, 1);
  svc.on_uplink(0, 10, uplink("diag@9", 3, 100'000), events);
  svc.on_uplink(0, 20, uplink("diag@9", 3, 100'000), events);
  EXPECT_EQ(svc.twin(0).campaign, 1);  // still on the diagnostic image
  EXPECT_EQ(svc.twin(0).where, dfu::phase::applied);
  wire::v1::SessionDownlink down;
  svc.fill_downlink(0, 1'000'000'010, "lte-m", down, events);
  ASSERT_TRUE(down.dfu().revert());
  svc.on_uplink(0, 1'000'000'020, uplink("fw@1", 5, 100'000), events);
  EXPECT_EQ(svc.twin(0).campaign, 2);  // reverted: the next campaign takes it
  EXPECT_EQ(svc.twin(0).where, dfu::phase::offered);
}

}  // namespace
}  // namespace twelvefold::actors
