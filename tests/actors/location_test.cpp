// The cloud's location service and time reconciliation (factors 6 and 7) on synthetic uplinks,
// and the wire fields that carry them.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "cloud/location.hpp"
#include "cloud/time_sync.hpp"
#include "device_location.hpp"
#include "twelvefold/actors/wire_codec.hpp"
#include "twelvefold/models/clock.hpp"
#include "twelvefold/models/multilateration.hpp"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {
namespace {

constexpr models::geo_point center{52.370, 4.895};
constexpr std::int64_t s_us = 1'000'000;
constexpr std::int64_t hour_us = 3600 * s_us;

// One urban region with a 3 x 3 grid of LTE-M cells 1 km apart and four Wi-Fi APs, and
// `twins` twins at known positions.
world test_world(std::size_t twins) {
  world w;
  w.seed = 9;
  w.epoch_utc_us = 1'772'323'200LL * s_us;  // 2026-03-01
  region_spec region;
  region.name = "city";
  region.center = center;
  region.environment = models::environment_kind::urban;
  std::uint32_t id = 1;
  for (int i = -1; i <= 1; ++i) {
    for (int j = -1; j <= 1; ++j) {
      models::cell_site cell;
      cell.id = id++;
      cell.position = models::to_geo(center, {i * 1000.0, j * 1000.0});
      region.cells.push_back(cell);
    }
  }
  for (int k = 0; k < 4; ++k) {
    models::cell_site ap = models::default_site(models::rat::wifi);
    ap.id = 100 + k;
    ap.position = models::to_geo(center, {(k % 2) * 60.0 - 30, (k / 2) * 60.0 - 30});
    region.cells.push_back(ap);
  }
  w.regions.push_back(region);
  device_model_spec model;
  model.name = "tracker";
  model.rats = {models::rat::lte_m};
  w.device_models.push_back(model);
  w.fleets.push_back({"f", "T-", 0, 0, {}});
  for (std::uint32_t i = 0; i < twins; ++i) {
    w.twins.push_back({0, i, models::to_geo(center, {i * 37.0 - 300, 200 - i * 23.0}), 0, 0});
  }
  return w;
}

wire::v1::SessionUplink gnss_uplink(const models::geo_point& p, float accuracy_m,
                                    std::uint32_t age_s) {
  wire::v1::SessionUplink up;
  auto* g = up.mutable_gnss();
  g->set_lat_e7(static_cast<std::int32_t>(std::lround(p.lat_deg * 1e7)));
  g->set_lon_e7(static_cast<std::int32_t>(std::lround(p.lon_deg * 1e7)));
  g->set_accuracy_m(accuracy_m);
  g->set_age_s(age_s);
  return up;
}

// A noise-free cell scan of every site at `where`.
wire::v1::SessionUplink scan_uplink(const world& w, const models::geo_point& where) {
  wire::v1::SessionUplink up;
  for (const models::cell_site& site : w.regions[0].cells) {
    if (site.technology != models::rat::lte_m) continue;
    const auto rs = models::ranging_site_for(site, w.regions[0].environment);
    auto* c = up.add_cells();
    c->set_cell_id(site.id);
    c->set_rsrp_dbm(static_cast<std::int32_t>(std::lround(models::predicted_rx_dbm(rs, where))));
  }
  return up;
}

TEST(LocationService, GnssFixIsBestAndNotSentBack) {
  const world w = test_world(1);
  location_service loc(w);
  const models::geo_point truth = w.twins[0].position;
  loc.on_uplink(0, 10 * s_us, gnss_uplink(models::to_geo(truth, {3, 4}), 6, 2));
  const best_location& best = loc.best(0);
  EXPECT_EQ(best.kind, location_kind::gnss);
  EXPECT_EQ(best.at_us, 8 * s_us);  // arrival - age
  EXPECT_FLOAT_EQ(best.error_m, 6);
  wire::v1::SessionDownlink down;
  loc.fill_downlink(0, down);
  EXPECT_FALSE(down.has_location());  // the device knows its own fix
  const location_totals t = loc.totals();
  ASSERT_EQ(t.by_kind.size(), 1u);
  EXPECT_EQ(t.by_kind[0].kind, "gnss");
  EXPECT_EQ(t.by_kind[0].count, 1u);
  EXPECT_NEAR(t.by_kind[0].error_p50_m, 5.0, 0.15);  // 3-4-5, within the histogram's bin
  EXPECT_EQ(t.twins_located, 1u);
  EXPECT_EQ(t.twins_unlocated, 0u);
}

TEST(LocationService, FreshGnssBeatsTriangulationAStaleOneDoesNot) {
  const world w = test_world(1);
  location_service loc(w);
  const models::geo_point truth = w.twins[0].position;
  loc.on_uplink(0, 100 * s_us, gnss_uplink(truth, 5, 0));
  loc.on_uplink(0, 160 * s_us, scan_uplink(w, truth));
  EXPECT_EQ(loc.best(0).kind, location_kind::gnss);  // a minute old: still better
  loc.on_uplink(0, 100 * s_us + 10 * hour_us, scan_uplink(w, truth));
  const best_location& best = loc.best(0);
  EXPECT_EQ(best.kind, location_kind::triangulated);  // 10 h old GNSS counts as 3.6 km
  // Noise-free but for the integer dBm of the report (0.5 dB: ~3% of each range).
  EXPECT_LT(models::distance_m({best.lat_e7 / 1e7, best.lon_e7 / 1e7}, truth), 50.0);
  wire::v1::SessionDownlink down;
  loc.fill_downlink(0, down);
  ASSERT_TRUE(down.has_location());
  EXPECT_EQ(down.location().kind(), 2u);
  wire::v1::SessionDownlink again;
  loc.fill_downlink(0, again);
  EXPECT_FALSE(again.has_location());  // sent once
}

TEST(LocationService, FewSitesGiveATowerFixAndUnknownSitesAreCounted) {
  const world w = test_world(2);
  location_service loc(w);
  wire::v1::SessionUplink up;
  auto* c = up.add_cells();
  c->set_cell_id(5);  // the centre cell
  c->set_rsrp_dbm(-80);
  auto* bogus = up.add_cells();
  bogus->set_cell_id(777);
  bogus->set_rsrp_dbm(-70);
  loc.on_uplink(1, s_us, up);
  EXPECT_EQ(loc.best(1).kind, location_kind::cell);
  EXPECT_EQ(loc.best(0).at_us, -1);
  const location_totals t = loc.totals();
  EXPECT_EQ(t.unknown_sites, 1u);
  EXPECT_EQ(t.twins_located, 1u);
  EXPECT_EQ(t.twins_unlocated, 1u);
}

TEST(LocationService, WifiWinsWhenItIsMorePrecise) {
  const world w = test_world(1);
  location_service loc(w);
  const models::geo_point truth = models::to_geo(center, {10, 5});
  wire::v1::SessionUplink up = scan_uplink(w, truth);
  for (const models::cell_site& site : w.regions[0].cells) {
    if (site.technology != models::rat::wifi) continue;
    const auto rs = models::ranging_site_for(site, w.regions[0].environment);
    auto* a = up.add_aps();
    a->set_site_id(site.id);
    a->set_rssi_dbm(static_cast<std::int32_t>(std::lround(models::predicted_rx_dbm(rs, truth))));
  }
  loc.on_uplink(0, s_us, up);
  EXPECT_EQ(loc.best(0).kind, location_kind::wifi);
  EXPECT_LT(loc.best(0).error_m, 100.0f);
}

TEST(LocationService, BadGnssIsIgnored) {
  const world w = test_world(1);
  location_service loc(w);
  wire::v1::SessionUplink up;
  up.mutable_gnss()->set_lat_e7(1'000'000'000);  // 100 degrees
  loc.on_uplink(0, s_us, up);
  loc.on_uplink(5, s_us, gnss_uplink(center, 5, 0));  // no such twin
  EXPECT_EQ(loc.best(0).at_us, -1);
  EXPECT_TRUE(loc.totals().by_kind.empty());
}

// One session of a twin whose clock drifts by `drift_ppm`: Notes captured at `captures_us`
// (true virtual time), the session starting at `start_us` and reaching the cloud `latency_us`
// later. Encoded by the device's own codec, so the ages are what the wire carries.
delivered_uplink session(const world& w, twin_index twin, double drift_ppm, std::uint64_t& seq,
                         const std::vector<std::int64_t>& captures_us, std::int64_t start_us,
                         std::int64_t latency_us) {
  shim::sync_uplink s;
  for (std::int64_t at : captures_us) {
    shim::outbound_note n;
    n.seq = ++seq;
    n.file = "track.qo";
    n.added_us = at;
    s.notes.push_back(n);
  }
  uplink_fields f;
  f.serial = w.serial_of(twin);
  f.clock_drift_ppm = drift_ppm;
  f.local_ms = static_cast<std::uint64_t>(
      models::local_elapsed_us(start_us - w.twins[twin].boot_us, drift_ppm) / 1000);
  delivered_uplink d;
  d.twin = twin;
  d.arrival_us = start_us + latency_us;
  d.uplink = encode_uplink(f, s, start_us);
  d.start_us = start_us;
  d.note_capture_us = captures_us;
  return d;
}

TEST(TimeSync, OfflineDayIsReconciledWithinTheDriftBound) {
  const world w = test_world(1);
  time_sync ts(w);
  const double drift_ppm = 18.0;
  std::uint64_t seq = 0;
  wire::v1::SessionUplink up;
  // Hourly sessions for a day (latency 1.2 s, one quick one at 0.3 s), then a day offline
  // with a Note every hour, delivered by a session that takes 25 s (back-off after an outage).
  for (int h = 1; h <= 24; ++h) {
    const auto d = session(w, 0, drift_ppm, seq, {h * hour_us - 600 * s_us}, h * hour_us,
                           h == 5 ? 300'000 : 1'200'000);
    ASSERT_TRUE(up.ParseFromString(d.uplink));
    ts.on_uplink(0, d.arrival_us, up, d.note_capture_us);
  }
  EXPECT_TRUE(ts.estimator(0).valid);
  EXPECT_NEAR(ts.estimator(0).estimate_ppm, drift_ppm, 0.05);
  std::vector<std::int64_t> offline;
  for (int h = 25; h < 49; ++h) offline.push_back(h * hour_us + 123 * s_us);
  const auto d = session(w, 0, drift_ppm, seq, offline, 49 * hour_us, 25 * s_us);
  ASSERT_TRUE(up.ParseFromString(d.uplink));
  ts.on_uplink(0, d.arrival_us, up, d.note_capture_us);
  const time_totals t = ts.totals();
  EXPECT_EQ(t.notes_reconciled, 48u);
  // Bound: the age's truncation (0.5 s) + the anchor session's latency (0.3 s) + the drift
  // estimate's error over 49 h (0.05 ppm x 49 h = 9 ms). Neither the 25 s latency of the
  // delivering session nor the 18 ppm x 24 h = 1.6 s of raw drift shows.
  EXPECT_LT(t.residual_error_max_ms, 500 + 300 + 9 + 1);
  EXPECT_GT(t.residual_error_max_ms, 300);  // the anchor's own latency remains
  EXPECT_EQ(t.twins_never_synced, 0u);
  EXPECT_EQ(t.twins_drift_estimated, 1u);
}

TEST(TimeSync, ResentNotesAreReconciledOnceAndSilentTwinsCount) {
  const world w = test_world(3);
  time_sync ts(w);
  std::uint64_t seq = 0;
  wire::v1::SessionUplink up;
  const auto d = session(w, 1, 0, seq, {s_us, 2 * s_us}, 10 * s_us, 0);
  ASSERT_TRUE(up.ParseFromString(d.uplink));
  ts.on_uplink(1, d.arrival_us, up, d.note_capture_us);
  ts.on_uplink(1, d.arrival_us + s_us, up, d.note_capture_us);  // the same Notes again
  ts.on_uplink(7, d.arrival_us, up, d.note_capture_us);         // no such twin: ignored
  const time_totals t = ts.totals();
  EXPECT_EQ(t.notes_reconciled, 2u);
  EXPECT_EQ(t.twins_never_synced, 2u);
  EXPECT_LE(t.drift_min_ppm, t.drift_max_ppm);
}

TEST(DeviceLocation, GnssNeedsPowerAndSkyAndScansReportTheGrid) {
  world w = test_world(2);
  device_location dev(w);
  twin_location_state state = dev.initial_state(0);
  EXPECT_EQ(state.drift_ppm, static_cast<float>(models::clock_drift_ppm({}, w.seed, 0)));
  double value = -1;
  double charge = -1;
  EXPECT_FALSE(dev.read_gnss(0, "temperature_c", true, s_us, state, value, charge));
  ASSERT_TRUE(dev.read_gnss(0, "gnss_ok", false, s_us, state, value, charge));
  EXPECT_EQ(value, 0);  // receiver off
  EXPECT_EQ(charge, 0);
  // Urban availability is 95%: some wake among the first ten gets a fix.
  bool fixed = false;
  for (int k = 1; k <= 10 && !fixed; ++k) {
    ASSERT_TRUE(dev.read_gnss(0, "gnss_ok", true, k * hour_us, state, value, charge));
    EXPECT_GT(charge, 0);
    fixed = value == 1;
  }
  ASSERT_TRUE(fixed);
  double lat = 0;
  double lon = 0;
  ASSERT_TRUE(dev.read_gnss(0, "gnss_lat", true, state.attempt_us, state, lat, charge));
  EXPECT_EQ(charge, 0);  // the same activation: no second attempt
  ASSERT_TRUE(dev.read_gnss(0, "gnss_lon", true, state.attempt_us, state, lon, charge));
  EXPECT_LT(models::distance_m({lat, lon}, w.twins[0].position), 30.0);
  EXPECT_GT(models::distance_m({lat, lon}, w.twins[0].position), 0.0);  // not the truth

  uplink_fields f;
  dev.fill_uplink(0, state, true, 1, state.attempt_us + 5 * s_us, f);
  ASSERT_TRUE(f.gnss.has_value());
  EXPECT_EQ(f.gnss->age_s, 5u);
  EXPECT_GE(f.cells.size(), 3u);
  EXPECT_LE(f.cells.size(), 7u);
  EXPECT_GT(f.local_ms, 0u);

  // Indoors: never a fix, and the attempt runs to the timeout.
  w.regions[0].environment = models::environment_kind::indoor;
  device_location inside(w);
  twin_location_state in_state = inside.initial_state(1);
  for (int k = 1; k <= 10; ++k) {
    ASSERT_TRUE(inside.read_gnss(1, "gnss_ok", true, k * hour_us, in_state, value, charge));
    EXPECT_EQ(value, 0);
  }
  EXPECT_NEAR(charge, 25.0 * 60 / 3600, 1e-9);
}

TEST(WireCodec, LocationFieldsRoundTrip) {
  uplink_fields f;
  f.gnss = uplink_gnss_fix{523700000, 48950000, 4.5f, 12};
  f.cells = {{101, -97}, {102, -110}};
  f.aps = {{200, -71}};
  f.local_ms = 123456789;
  const std::string bytes = encode_uplink(f, {}, 0);
  wire::v1::SessionUplink up;
  ASSERT_TRUE(up.ParseFromString(bytes));
  EXPECT_EQ(up.gnss().lat_e7(), 523700000);
  EXPECT_EQ(up.gnss().age_s(), 12u);
  ASSERT_EQ(up.cells_size(), 2);
  EXPECT_EQ(up.cells(1).rsrp_dbm(), -110);
  EXPECT_EQ(up.aps(0).site_id(), 200u);
  EXPECT_EQ(up.local_ms(), 123456789u);

  wire::v1::SessionDownlink down;
  down.mutable_location()->set_lat_e7(523700000);
  down.mutable_location()->set_lon_e7(48950000);
  down.mutable_location()->set_kind(4);
  shim::sync_downlink out;
  std::uint64_t env_version = 0;
  ASSERT_TRUE(decode_downlink(down.SerializeAsString(), out, env_version));
  ASSERT_TRUE(out.location.has_value());
  EXPECT_EQ(out.location->source, shim::location_source::tower);
  EXPECT_DOUBLE_EQ(out.location->lat_deg, 52.37);
  down.clear_location();
  ASSERT_TRUE(decode_downlink(down.SerializeAsString(), out, env_version));
  EXPECT_FALSE(out.location.has_value());
}

}  // namespace
}  // namespace twelvefold::actors
