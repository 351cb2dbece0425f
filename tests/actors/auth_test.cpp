// Session authentication (factor 9): the secure element and the cloud's verification, end to
// end on real wire bytes, including every way a session can be refused.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace twelvefold::actors
