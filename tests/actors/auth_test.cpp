// Session authentication (factor 9): the secure element and the cloud's verification, end to
// end on real wire bytes, including every way a session can be refused.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include "cloud/auth.hpp"
#include "cloud/auth_attacks.hpp"
#include "secure_element.hpp"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {
namespace {

constexpr std::int64_t hour_us = 3600LL * 1'000'000;

std::shared_ptr<const world> small_world() {
  auto w = std::make_shared<world>();
  w->seed = 7;
  w->device_models.push_back({});
  w->device_models.back().rats = {models::rat::lte_m, models::rat::nb_iot};
  w->fleets.push_back({"meters", "MTR-", 0, 0, {}});
  for (std::uint32_t i = 0; i < 4; ++i) w->twins.push_back({0, i, {}, 0, 0});
  return w;
}

// One twin's device side: its secure element slot and session counter.
struct device {
  const world* w;
  twin_index twin;
  secure_element_bank* bank;
  se_slot slot;
  std::uint64_t seq = 0;
  std::uint32_t generation = 0;
  std::uint8_t rat = static_cast<std::uint8_t>(models::rat::lte_m);
  std::uint16_t resets = 0;
  std::string serial = w->serial_of(twin);
  std::string device_id = w->device_id_of(twin);

  se_session session(std::int64_t at_us) const {
    se_session s;
    s.serial = serial;
    s.device_id = device_id;
    s.session_seq = seq;
    s.at_us = at_us;
    s.generation = generation;
    s.rat = rat;
    s.rat_name = models::rat_name(static_cast<models::rat>(rat));
    s.resets = resets;
    return s;
  }
  // A new session's uplink at `at_us` (one Note), sealed by the secure element.
  std::string uplink(std::int64_t at_us) {
    ++seq;
    wire::v1::SessionUplink up;
    up.set_serial(serial);
    up.set_device_id(device_id);
    up.set_session_seq(seq);
    up.mutable_status()->set_rat(std::string(models::rat_name(static_cast<models::rat>(rat))));
    auto* note = up.add_notes();
    note->set_seq(seq);
    note->set_file("data.qo");
    note->set_body("{\"temp\":21.5}");
    std::string bytes = up.SerializeAsString();
    bank->seal_uplink(slot, session(at_us), bytes);
    return bytes;
  }
};

class Auth : public ::testing::Test {
 protected:
  std::shared_ptr<const world> w = small_world();
  auth_service cloud{w};
  secure_element_bank bank{w->seed};
  device dev{w.get(), 1, &bank, {}};

  auth_reject verify(twin_index twin, std::int64_t arrival_us, const std::string& bytes,
                     auth_grant* out = nullptr) {
    wire::v1::SessionUplink up;
    if (!up.ParseFromString(bytes)) return auth_reject::malformed;
    auth_grant grant;
    const auth_reject why = cloud.verify(twin, arrival_us, bytes, up, grant);
    if (why != auth_reject::none) cloud.count_reject(why);
    if (out != nullptr) *out = grant;
    return why;
  }
  // A full exchange: uplink, verification, downlink, the device's check. Returns the verdict.
  auth_reject exchange(device& d, std::int64_t at_us, bool* downlink_ok = nullptr) {
    const std::string up = d.uplink(at_us);
    auth_grant grant;
    const auth_reject why = verify(d.twin, at_us + 2'000'000, up, &grant);
    if (why == auth_reject::none) {
      wire::v1::SessionDownlink down;
      down.set_utc_us(at_us);
      down.set_acked_through_seq(d.seq);
      std::string bytes = down.SerializeAsString();
      cloud.seal_downlink(d.twin, at_us + 2'000'000, grant, bytes);
      const bool ok = bank.open_downlink(d.slot, d.session(at_us + 3'000'000), bytes);
      if (downlink_ok != nullptr) *downlink_ok = ok;
    }
    return why;
  }
};

TEST_F(Auth, HandshakeThenResumedSessionsVerifyBothWays) {
  bool ok = false;
  EXPECT_EQ(exchange(dev, hour_us, &ok), auth_reject::none);
  EXPECT_TRUE(ok);
  EXPECT_NE(dev.slot.ticket_id, 0u);  // the sealed ticket was opened and stored
  EXPECT_EQ(cloud.totals().handshakes, 1u);
  for (int i = 2; i <= 5; ++i) {
    EXPECT_EQ(exchange(dev, i * hour_us, &ok), auth_reject::none);
    EXPECT_TRUE(ok);
  }
  EXPECT_EQ(cloud.totals().resumed, 4u);
  EXPECT_EQ(bank.counters().handshakes, 1u);
  EXPECT_EQ(bank.counters().resumed, 4u);
  EXPECT_EQ(bank.counters().downlinks_rejected, 0u);
}

TEST_F(Auth, TicketIsDroppedOnExpiryRatChangeAndReboot) {
  ASSERT_EQ(exchange(dev, hour_us), auth_reject::none);
  ASSERT_EQ(exchange(dev, 2 * hour_us), auth_reject::none);
  EXPECT_EQ(cloud.totals().resumed, 1u);
  ASSERT_EQ(exchange(dev, 26 * hour_us), auth_reject::none);  // past the 24 h lifetime
  EXPECT_EQ(cloud.totals().handshakes, 2u);
  dev.rat = static_cast<std::uint8_t>(models::rat::nb_iot);
  ASSERT_EQ(exchange(dev, 27 * hour_us), auth_reject::none);
  EXPECT_EQ(cloud.totals().handshakes, 3u);
  dev.resets = 1;
  ASSERT_EQ(exchange(dev, 28 * hour_us), auth_reject::none);
  EXPECT_EQ(cloud.totals().handshakes, 4u);
  ASSERT_EQ(exchange(dev, 29 * hour_us), auth_reject::none);
  EXPECT_EQ(cloud.totals().resumed, 2u);
}

TEST_F(Auth, ReplayedUplinkIsRejectedFreshOrStale) {
  const std::string up = dev.uplink(hour_us);
  ASSERT_EQ(verify(dev.twin, hour_us + 1'000'000, up), auth_reject::none);
  // The same bytes again, seconds later (fresh timestamp, same transcript) and an hour later.
  EXPECT_EQ(verify(dev.twin, hour_us + 5'000'000, up), auth_reject::replayed);
  EXPECT_EQ(verify(dev.twin, 2 * hour_us, up), auth_reject::replayed);
  EXPECT_EQ(cloud.totals().rejected_replayed, 2u);
  // The genuine device is not locked out.
  EXPECT_EQ(verify(dev.twin, 2 * hour_us, dev.uplink(2 * hour_us - 1'000'000)), auth_reject::none);
}

TEST_F(Auth, CloneWithTheSameKeyIsRejectedWhenItsCounterForks) {
  ASSERT_EQ(exchange(dev, hour_us), auth_reject::none);
  ASSERT_EQ(exchange(dev, 2 * hour_us), auth_reject::none);
  device clone{w.get(), 1, &bank, {}};  // same identity, same key, its own counter
  clone.seq = 1;
  EXPECT_EQ(verify(clone.twin, 3 * hour_us, clone.uplink(3 * hour_us)), auth_reject::cloned);
  EXPECT_EQ(cloud.totals().rejected_cloned, 1u);
  // A clone that runs ahead is accepted, and the genuine device's next session (the later of
  // the two forks) is the one refused; its Notes stay queued for the session after.
  clone.seq = 10;
  EXPECT_EQ(verify(clone.twin, 4 * hour_us, clone.uplink(4 * hour_us)), auth_reject::none);
  EXPECT_EQ(verify(dev.twin, 4 * hour_us + 60'000'000, dev.uplink(4 * hour_us)),
            auth_reject::cloned);
  EXPECT_EQ(cloud.totals().rejected_cloned, 2u);
}

TEST_F(Auth, UnknownKeyIsSpoofedAndAWrongSignatureIsBadSignature) {
  wire::v1::SessionUplink up;
  up.set_serial(dev.serial);
  up.set_device_id(dev.device_id);
  up.set_session_seq(1);
  up.mutable_status()->set_rat("lte-m");
  std::string body = up.SerializeAsString();
  const auto stray = auth_keys::stray_key(w->seed, 1);
  auth_keys::uplink_transcript tr;
  tr.serial = dev.serial;
  tr.device_id = dev.device_id;
  tr.session_seq = 1;
  tr.at_us = hour_us;
  tr.server_cert = 1;
  tr.rat = "lte-m";
  tr.body = body;
  auto forge = [&](std::uint64_t key_id) {
    wire::v1::SessionUplink tail;
    auto* a = tail.mutable_auth();
    a->set_at_us(hour_us);
    a->set_server_cert(1);
    a->set_key_id(key_id);
    a->set_signature(auth_keys::sign(auth_keys::hash(tr), stray));
    return body + tail.SerializeAsString();
  };
  EXPECT_EQ(verify(dev.twin, hour_us, forge(auth_keys::key_id(stray.public_key))),
            auth_reject::spoofed);
  const auto genuine = auth_keys::device_key(w->seed, dev.serial, 0);
  EXPECT_EQ(verify(dev.twin, hour_us, forge(auth_keys::key_id(genuine.public_key))),
            auth_reject::bad_signature);
  // A genuine uplink with one body byte changed in flight.
  std::string tampered = dev.uplink(hour_us);
  tampered[tampered.find("21.5")] = '9';
  EXPECT_EQ(verify(dev.twin, hour_us, tampered), auth_reject::bad_signature);
  // A genuine uplink presented for another twin's serial.
  EXPECT_EQ(verify(2, hour_us, dev.uplink(hour_us)), auth_reject::spoofed);
  EXPECT_EQ(cloud.totals().rejected_spoofed, 2u);
  EXPECT_EQ(cloud.totals().rejected_bad_signature, 2u);
  EXPECT_EQ(cloud.totals().sessions_verified, 0u);
}

TEST_F(Auth, MalformedWireMessagesAreRefused) {
  const std::string good = dev.uplink(hour_us);
  wire::v1::SessionUplink up;
  ASSERT_TRUE(up.ParseFromString(good));
  auto without_auth = up;
  without_auth.clear_auth();
  EXPECT_EQ(verify(dev.twin, hour_us, without_auth.SerializeAsString()), auth_reject::malformed);
  // Bytes after the auth record: the body is no longer what precedes it.
  wire::v1::SessionUplink extra;
  extra.set_product("x");
  EXPECT_EQ(verify(dev.twin, hour_us, good + extra.SerializeAsString()), auth_reject::malformed);
  // Both a signature and a MAC; a short signature; a certificate the server never issued.
  auto both = up;
  both.mutable_auth()->set_mac(std::string(32, 'm'));
  EXPECT_EQ(verify(dev.twin, hour_us, both.SerializeAsString()), auth_reject::malformed);
  auto short_sig = up;
  short_sig.mutable_auth()->set_signature("abc");
  EXPECT_EQ(verify(dev.twin, hour_us, short_sig.SerializeAsString()), auth_reject::malformed);
  auto future_cert = up;
  future_cert.mutable_auth()->set_server_cert(9);
  EXPECT_EQ(verify(dev.twin, hour_us, future_cert.SerializeAsString()), auth_reject::malformed);
  EXPECT_EQ(verify(dev.twin, hour_us, std::string("\x0f\x01\x02", 3)), auth_reject::malformed);
  EXPECT_EQ(cloud.totals().rejected_malformed, 5u);  // the last never reached verify()
}

TEST_F(Auth, ExpiredTicketIsRefused) {
  ASSERT_EQ(exchange(dev, hour_us), auth_reject::none);
  // A device that keeps using its ticket past the expiry (the element never does: forged here
  // with the real ticket key).
  const std::uint32_t expires_s = dev.slot.ticket_expires_s;
  const std::int64_t at_us = (expires_s + 10) * 1'000'000LL;
  wire::v1::SessionUplink up;
  up.set_serial(dev.serial);
  up.set_device_id(dev.device_id);
  up.set_session_seq(++dev.seq);
  up.mutable_status()->set_rat("lte-m");
  const std::string body = up.SerializeAsString();
  auth_keys::uplink_transcript tr;
  tr.serial = dev.serial;
  tr.device_id = dev.device_id;
  tr.session_seq = dev.seq;
  tr.at_us = at_us;
  tr.server_cert = 1;
  tr.ticket_id = dev.slot.ticket_id;
  tr.expires_s = expires_s;
  tr.rat = "lte-m";
  tr.body = body;
  wire::v1::SessionUplink tail;
  auto* a = tail.mutable_auth();
  a->set_at_us(at_us);
  a->set_server_cert(1);
  a->set_ticket_id(dev.slot.ticket_id);
  a->set_ticket_expires_s(expires_s);
  a->set_mac(auth_keys::mac(auth_keys::hash(tr), dev.slot.ticket_key));
  EXPECT_EQ(verify(dev.twin, at_us + 1'000'000, body + tail.SerializeAsString()),
            auth_reject::expired_ticket);
  EXPECT_EQ(cloud.totals().rejected_expired_ticket, 1u);
}

TEST_F(Auth, DevicesFollowACertRotationEvenAfterTheOverlap) {
  device late{w.get(), 2, &bank, {}};
  ASSERT_EQ(exchange(dev, hour_us), auth_reject::none);
  ASSERT_EQ(exchange(late, hour_us), auth_reject::none);
  cloud.rotate_cert(2 * hour_us, 2 * hour_us);
  // Inside the overlap, on a resumed session: the new certificate arrives, the root vouches.
  bool ok = false;
  ASSERT_EQ(exchange(dev, 3 * hour_us, &ok), auth_reject::none);
  EXPECT_TRUE(ok);
  EXPECT_EQ(dev.slot.server_cert, 2);
  EXPECT_EQ(cloud.totals().followed_after_overlap, 0u);
  // `late` sleeps through the overlap and comes back with a handshake (its ticket expired).
  ASSERT_EQ(exchange(late, 30 * hour_us, &ok), auth_reject::none);
  EXPECT_TRUE(ok);
  EXPECT_EQ(late.slot.server_cert, 2);
  EXPECT_EQ(cloud.totals().followed_after_overlap, 1u);
  // Both now prove they hold certificate 2.
  ASSERT_EQ(exchange(dev, 31 * hour_us), auth_reject::none);
  ASSERT_EQ(exchange(late, 31 * hour_us), auth_reject::none);
  EXPECT_EQ(cloud.final_totals().devices_on_new_cert, 2u);
  EXPECT_EQ(cloud.final_totals().cert_rotations, 1u);
  EXPECT_EQ(bank.counters().downlinks_rejected, 0u);
}

TEST_F(Auth, DeviceRejectsATamperedDownlinkOrAForgedCertificate) {
  const std::string up = dev.uplink(hour_us);
  auth_grant grant;
  ASSERT_EQ(verify(dev.twin, hour_us, up, &grant), auth_reject::none);
  wire::v1::SessionDownlink down;
  down.set_acked_through_seq(1);
  std::string bytes = down.SerializeAsString();
  cloud.seal_downlink(dev.twin, hour_us, grant, bytes);
  std::string tampered = bytes;
  tampered[1] ^= 0x01;  // acked_through_seq 1 -> 0
  EXPECT_FALSE(bank.open_downlink(dev.slot, dev.session(hour_us), tampered));
  EXPECT_EQ(dev.slot.ticket_id, 0u);
  // A man in the middle offers its own "new certificate".
  wire::v1::SessionDownlink mitm;
  ASSERT_TRUE(mitm.ParseFromString(bytes));
  const auto fake = auth_keys::stray_key(w->seed, 99);
  auto* cert = mitm.mutable_auth()->mutable_new_cert();
  cert->set_serial(2);
  cert->set_public_key(fake.public_key.data(), fake.public_key.size());
  cert->set_root_signature(auth_keys::sign(auth_keys::cert_digest(2, fake.public_key), fake));
  EXPECT_FALSE(bank.open_downlink(dev.slot, dev.session(hour_us), mitm.SerializeAsString()));
  EXPECT_EQ(dev.slot.server_cert, 1);
  EXPECT_TRUE(bank.open_downlink(dev.slot, dev.session(hour_us), bytes));
  EXPECT_EQ(bank.counters().downlinks_rejected, 2u);
}

TEST_F(Auth, AttackPlanSessionsGoThroughVerificationAndAreCounted) {
  attack_plan attacks(cloud);
  std::vector<cloud_event> events;
  attacks.add_compromise({1}, hour_us, 2.0, 2.0);
  attacks.add_spoof(hour_us, 4.0, false, 2.0, -1);
  // The attacker captures the twin's next accepted uplink, at 1.5 h.
  const std::string captured = dev.uplink(hour_us + hour_us / 2);
  ASSERT_EQ(verify(dev.twin, hour_us + hour_us / 2 + 1'000'000, captured), auth_reject::none);
  attacks.observe(dev.twin, hour_us + hour_us / 2 + 1'000'000, captured, dev.seq);
  // The genuine device keeps syncing every 20 minutes while the attacks run to 5 h.
  for (std::int64_t t = 2 * hour_us; t < 5 * hour_us; t += hour_us / 3) {
    attacks.run_until(t, events);
    ASSERT_EQ(verify(dev.twin, t + 1'000'000, dev.uplink(t)), auth_reject::none);
  }
  attacks.run_until(5 * hour_us, events);
  const auth_totals& t = cloud.totals();
  EXPECT_EQ(t.attack_sessions_accepted, 0u);
  EXPECT_EQ(t.rejected_replayed, 7u);   // 1.75 h .. 4.75 h every 30 min
  EXPECT_EQ(t.rejected_cloned, 6u);     // 2 h .. 4.5 h every 30 min
  EXPECT_EQ(t.rejected_spoofed, 16u);   // 1 h .. 4.75 h every 15 min
  EXPECT_EQ(t.rejected_malformed, 8u);  // 1 h .. 4.5 h every 30 min
  EXPECT_EQ(t.attack_sessions, 37u);
  EXPECT_EQ(events.size(), 37u);
  EXPECT_EQ(events.front().kind, "auth.rejected");
}

// --- Compact scheme of packet-limited transports (LoRaWAN, NTN) -------------------------------

class CompactAuth : public Auth {
 protected:
  void SetUp() override { dev.rat = static_cast<std::uint8_t>(models::rat::lorawan); }

  // The uplink body the element seals (as device::uplink builds it, before sealing).
  std::string body_of(const device& d) const {
    wire::v1::SessionUplink up;
    up.set_serial(d.serial);
    up.set_device_id(d.device_id);
    up.set_session_seq(d.seq);
    up.mutable_status()->set_rat(std::string(models::rat_name(static_cast<models::rat>(d.rat))));
    auto* note = up.add_notes();
    note->set_seq(d.seq);
    note->set_file("data.qo");
    note->set_body("{\"temp\":21.5}");
    return up.SerializeAsString();
  }
  // A sealed downlink answering `grant` and its body's size.
  std::string downlink_for(const device& d, const auth_grant& grant, std::int64_t at_us,
                           std::size_t* body_size) {
    wire::v1::SessionDownlink down;
    down.set_utc_us(at_us);
    down.set_acked_through_seq(d.seq);
    std::string bytes = down.SerializeAsString();
    *body_size = bytes.size();
    cloud.seal_downlink(d.twin, at_us, grant, bytes);
    return bytes;
  }
};

TEST_F(CompactAuth, JoinThenMicSessionsVerifyBothWays) {
  bool ok = false;
  EXPECT_EQ(exchange(dev, hour_us, &ok), auth_reject::none);
  EXPECT_TRUE(ok);
  EXPECT_EQ(dev.slot.ticket_id, 1u);  // the join accept's session key is held (join counter 1)
  EXPECT_EQ(cloud.totals().compact_joins, 1u);
  for (int i = 2; i <= 5; ++i) {
    EXPECT_EQ(exchange(dev, i * hour_us, &ok), auth_reject::none);
    EXPECT_TRUE(ok);
  }
  EXPECT_EQ(cloud.totals().compact_sessions, 4u);
  EXPECT_EQ(cloud.totals().sessions_verified, 5u);
  EXPECT_EQ(cloud.totals().handshakes + cloud.totals().resumed, 0u);  // no Ed25519 at all
  EXPECT_EQ(bank.counters().compact_joins, 1u);
  EXPECT_EQ(bank.counters().compact_sessions, 4u);
  EXPECT_EQ(bank.counters().downlinks_rejected, 0u);
  // Rejoins: after a day (the session key's lifetime on the device) and after a reboot.
  ASSERT_EQ(exchange(dev, 30 * hour_us, &ok), auth_reject::none);
  EXPECT_TRUE(ok);
  dev.resets = 1;
  ASSERT_EQ(exchange(dev, 31 * hour_us, &ok), auth_reject::none);
  EXPECT_TRUE(ok);
  EXPECT_EQ(cloud.totals().compact_joins, 3u);
  // No TLS on this transport: exempt from certificate rotation, never counted as lagging.
  cloud.rotate_cert(32 * hour_us, hour_us);
  ASSERT_EQ(exchange(dev, 33 * hour_us, &ok), auth_reject::none);
  EXPECT_TRUE(ok);
  const auth_totals totals = cloud.final_totals();
  EXPECT_EQ(totals.cert_exempt_twins, 1u);
  EXPECT_EQ(totals.devices_on_new_cert, 0u);
  EXPECT_EQ(totals.followed_after_overlap, 0u);
}

TEST_F(CompactAuth, OnAirOverheadIsOtaaSizedJoinThenFourByteMic) {
  // Join: uplink and join accept.
  std::string join = dev.uplink(hour_us);
  const std::size_t join_up = join.size() - body_of(dev).size();
  auth_grant grant;
  ASSERT_EQ(verify(dev.twin, hour_us + 1'000'000, join, &grant), auth_reject::none);
  std::size_t body = 0;
  std::string accept = downlink_for(dev, grant, hour_us + 1'000'000, &body);
  const std::size_t join_down = accept.size() - body;
  ASSERT_TRUE(bank.open_downlink(dev.slot, dev.session(hour_us + 2'000'000), accept));
  // LoRaWAN's OTAA: JoinRequest 23 B, JoinAccept 17 B (whole frames); ours add at most that.
  EXPECT_LE(join_up, 23u);
  EXPECT_LE(join_down, 17u);
  // Every later frame: the 4-byte MIC (+ its 2-byte field tag); the counter is session_seq,
  // which the body carries anyway (LoRaWAN's FCnt).
  std::string up = dev.uplink(2 * hour_us);
  const std::size_t per_uplink = up.size() - body_of(dev).size();
  wire::v1::SessionUplink counter_only;
  counter_only.set_session_seq(dev.seq);
  const std::size_t counter_bytes = counter_only.ByteSizeLong();
  EXPECT_LE(per_uplink, 4u + counter_bytes);
  EXPECT_EQ(per_uplink, 6u);
  ASSERT_EQ(verify(dev.twin, 2 * hour_us + 1'000'000, up, &grant), auth_reject::none);
  std::string down = downlink_for(dev, grant, 2 * hour_us + 1'000'000, &body);
  EXPECT_EQ(down.size() - body, 6u);
  EXPECT_TRUE(bank.open_downlink(dev.slot, dev.session(2 * hour_us + 2'000'000), down));
  // The Ed25519 scheme on the same body, for comparison: far beyond a 51-byte SF12 frame.
  device cell{w.get(), 2, &bank, {}};
  const std::string handshake = cell.uplink(hour_us);
  EXPECT_GT(handshake.size() - body_of(cell).size(), 64u);
  std::printf(
      "compact overhead: join up %zu B, join accept %zu B, per frame %zu B up / %zu B "
      "down; Ed25519 handshake uplink %zu B\n",
      join_up, join_down, per_uplink, down.size() - body, handshake.size() - body_of(cell).size());
}

TEST_F(CompactAuth, TamperedMicOrBodyIsRejectedBothWays) {
  ASSERT_EQ(exchange(dev, hour_us), auth_reject::none);
  std::string up = dev.uplink(2 * hour_us);
  std::string bad_mic = up;
  bad_mic.back() = static_cast<char>(bad_mic.back() ^ 0x01);
  EXPECT_EQ(verify(dev.twin, 2 * hour_us, bad_mic), auth_reject::bad_signature);
  std::string bad_body = up;
  const auto at = bad_body.find("21.5");
  ASSERT_NE(at, std::string::npos);
  bad_body[at] = '9';
  EXPECT_EQ(verify(dev.twin, 2 * hour_us, bad_body), auth_reject::bad_signature);
  EXPECT_EQ(cloud.totals().rejected_bad_signature, 2u);
  // The genuine frame still passes (nothing above moved the counter).
  auth_grant grant;
  ASSERT_EQ(verify(dev.twin, 2 * hour_us, up, &grant), auth_reject::none);
  // The device drops a downlink whose MIC or body was altered, and one without a MIC.
  std::size_t body = 0;
  const std::string down = downlink_for(dev, grant, 2 * hour_us, &body);
  std::string tampered = down;
  tampered.back() = static_cast<char>(tampered.back() ^ 0x80);
  EXPECT_FALSE(bank.open_downlink(dev.slot, dev.session(2 * hour_us), tampered));
  EXPECT_FALSE(bank.open_downlink(dev.slot, dev.session(2 * hour_us), down.substr(0, body)));
  EXPECT_EQ(bank.counters().downlinks_rejected, 2u);
  EXPECT_TRUE(bank.open_downlink(dev.slot, dev.session(2 * hour_us), down));
  // A downlink bound to another counter (a replayed reply) fails too.
  dev.seq += 1;
  EXPECT_FALSE(bank.open_downlink(dev.slot, dev.session(2 * hour_us), down));
}

TEST_F(CompactAuth, ReplayedCounterIsRejected) {
  const std::string join = dev.uplink(hour_us);
  ASSERT_EQ(verify(dev.twin, hour_us + 1'000'000, join), auth_reject::none);
  EXPECT_EQ(verify(dev.twin, hour_us + 5'000'000, join), auth_reject::replayed);  // same join
  EXPECT_EQ(verify(dev.twin, 3 * hour_us, join), auth_reject::replayed);          // stale join
  // Complete the join on the device, then frames: the counter alone decides.
  auth_grant grant;
  grant.handshake = true;
  grant.compact = true;
  grant.counter = 1;
  grant.rat = "lorawan";
  std::size_t body = 0;
  ASSERT_TRUE(
      bank.open_downlink(dev.slot, dev.session(hour_us), downlink_for(dev, grant, hour_us, &body)));
  const std::string second = dev.uplink(2 * hour_us);
  const std::string third = dev.uplink(3 * hour_us);
  ASSERT_EQ(verify(dev.twin, 2 * hour_us, second), auth_reject::none);
  ASSERT_EQ(verify(dev.twin, 3 * hour_us, third), auth_reject::none);
  EXPECT_EQ(verify(dev.twin, 3 * hour_us + 1'000'000, third), auth_reject::replayed);
  EXPECT_EQ(verify(dev.twin, 4 * hour_us, second), auth_reject::replayed);
  EXPECT_EQ(cloud.totals().rejected_replayed, 4u);
  EXPECT_EQ(verify(dev.twin, 4 * hour_us, dev.uplink(4 * hour_us)), auth_reject::none);
}

TEST_F(CompactAuth, UnknownRootKeyIsSpoofedAndAForkedJoinIsCloned) {
  // A join under a root key nobody provisioned (no key id on this scheme: the MIC decides).
  wire::v1::SessionUplink up;
  up.set_serial(dev.serial);
  up.set_device_id(dev.device_id);
  up.set_session_seq(1);
  up.mutable_status()->set_rat("lorawan");
  const std::string body = up.SerializeAsString();
  auth_keys::compact_transcript tr;
  tr.kind = auth_keys::mic_kind::join;
  tr.serial = dev.serial;
  tr.device_id = dev.device_id;
  tr.session_seq = 1;
  tr.at_s = static_cast<std::uint32_t>(hour_us / 1'000'000);
  tr.rat = "lorawan";
  tr.body = body;
  wire::v1::SessionUplink tail;
  tail.set_join_mic(auth_keys::mic(tr, auth_keys::stray_compact_key(w->seed, 1)));
  tail.set_join_at_s(tr.at_s);
  EXPECT_EQ(verify(dev.twin, hour_us, body + tail.SerializeAsString()), auth_reject::spoofed);
  // The genuine root key of another twin is as unknown to this serial.
  tail.set_join_mic(auth_keys::mic(tr, auth_keys::compact_root_key(w->seed, w->serial_of(2), 0)));
  EXPECT_EQ(verify(dev.twin, hour_us, body + tail.SerializeAsString()), auth_reject::spoofed);
  // A MIC frame before any join: no session key to check it under.
  wire::v1::SessionUplink mic_tail;
  mic_tail.set_mic(0x12345678);
  EXPECT_EQ(verify(dev.twin, hour_us, body + mic_tail.SerializeAsString()),
            auth_reject::bad_signature);
  EXPECT_EQ(cloud.totals().rejected_spoofed, 2u);
  // A clone holding the root key: its join at a counter the identity already used is a fork.
  ASSERT_EQ(exchange(dev, hour_us), auth_reject::none);
  ASSERT_EQ(exchange(dev, 2 * hour_us), auth_reject::none);
  device clone{w.get(), 1, &bank, {}};
  clone.rat = dev.rat;
  clone.seq = 1;
  EXPECT_EQ(verify(clone.twin, 3 * hour_us, clone.uplink(3 * hour_us)), auth_reject::cloned);
  EXPECT_EQ(cloud.totals().rejected_cloned, 1u);
  // Retired hardware (an old generation's device id) is refused as before.
  cloud.replace_hardware(dev.twin, 4 * hour_us);
  EXPECT_EQ(verify(dev.twin, 4 * hour_us + 1'000'000, dev.uplink(4 * hour_us)),
            auth_reject::spoofed);
}

TEST_F(CompactAuth, TheTransportDecidesTheScheme) {
  // A compact proof on a transport that is not packet-limited, and an Ed25519 record on one
  // that is: neither is what a genuine element sends.
  const std::string lora = dev.uplink(hour_us);
  wire::v1::SessionUplink up;
  ASSERT_TRUE(up.ParseFromString(lora));
  up.mutable_status()->set_rat("lte-m");
  EXPECT_EQ(verify(dev.twin, hour_us, up.SerializeAsString()), auth_reject::malformed);
  device cell{w.get(), 2, &bank, {}};
  ASSERT_TRUE(up.ParseFromString(cell.uplink(hour_us)));
  up.mutable_status()->set_rat("lorawan");
  EXPECT_EQ(verify(cell.twin, hour_us, up.SerializeAsString()), auth_reject::malformed);
  EXPECT_TRUE(auth_keys::compact_scheme("lorawan"));
  EXPECT_TRUE(auth_keys::compact_scheme("ntn"));
  EXPECT_FALSE(auth_keys::compact_scheme("lte-m"));
  EXPECT_FALSE(auth_keys::compact_scheme("wifi"));
}

TEST_F(CompactAuth, AttackPlanOnPacketLimitedTwinsIsRefused) {
  auto lora_world = std::make_shared<world>(*w);
  lora_world->device_models[0].rats = {models::rat::lorawan};
  auth_service lora_cloud{lora_world};
  attack_plan plan{lora_cloud};
  plan.add_spoof(hour_us, 60, false, 0, -1);
  std::vector<cloud_event> events;
  plan.run_until(2 * hour_us, events);
  EXPECT_GT(lora_cloud.totals().attack_sessions, 0u);
  EXPECT_EQ(lora_cloud.totals().attack_sessions_accepted, 0u);
  EXPECT_EQ(lora_cloud.totals().rejected_spoofed, lora_cloud.totals().attack_sessions);
}

}  // namespace
}  // namespace twelvefold::actors
