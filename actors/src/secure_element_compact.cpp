// The secure element's compact scheme for packet-limited transports (docs/cloud-auth.md).
//
// LoRaWAN devices do not run a signature handshake over the air: 51-byte frames at SF12 and a
// duty-cycle budget leave no room for a 64-byte signature, a sealed ticket and a certificate.
// They join (OTAA) with a MIC under their root key, derive session keys from the join, and
// put a 4-byte MIC on every frame. This is that scheme: the slot's ticket fields hold the
// session key, the join's counter (DevNonce) and the rejoin deadline.
#include "secure_element.hpp"

#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {

void secure_element_bank::seal_compact(se_slot& slot, const se_session& session,
                                       std::string& uplink) {
  const auto now_s = static_cast<std::uint32_t>(session.at_us / 1'000'000);
  const bool joined = slot.ticket_id != 0 && slot.ticket_generation == session.generation &&
                      slot.ticket_rat == session.rat && slot.resets_at_ticket == session.resets &&
                      now_s + ticket_margin_s < slot.ticket_expires_s;
  if (!joined) slot.ticket_id = 0;  // the join accept brings the next session key

  auth_keys::compact_transcript t;
  t.serial = session.serial;
  t.device_id = session.device_id;
  t.session_seq = session.session_seq;
  t.rat = session.rat_name;
  t.body = uplink;
  wire::v1::SessionUplink tail;
  if (joined) {
    t.kind = auth_keys::mic_kind::uplink;
    tail.set_mic(auth_keys::mic(t, slot.ticket_key));
    ++counters_.compact_sessions;
  } else {
    t.kind = auth_keys::mic_kind::join;
    t.at_s = now_s;
    tail.set_join_mic(
        auth_keys::mic(t, auth_keys::compact_root_key(seed_, session.serial, session.generation)));
    tail.set_join_at_s(now_s);
    ++counters_.compact_joins;
  }
  uplink += tail.SerializeAsString();
}

bool secure_element_bank::open_compact(se_slot& slot, const se_session& session,
                                       std::string_view downlink) {
  wire::v1::SessionDownlink down;
  if (!down.ParseFromArray(downlink.data(), static_cast<int>(downlink.size())) || !down.has_mic() ||
      down.has_auth()) {
    ++counters_.downlinks_rejected;
    return false;
  }
  wire::v1::SessionDownlink tail;
  tail.set_mic(down.mic());
  if (down.has_join_nonce()) tail.set_join_nonce(down.join_nonce());
  const std::string record = tail.SerializeAsString();
  std::string_view body;
  // A join accept answers a join only (the element holds no session key after sending one).
  const bool join_accept = slot.ticket_id == 0;
  if (!auth_keys::split_body(downlink, record, body) || join_accept != down.has_join_nonce()) {
    ++counters_.downlinks_rejected;
    return false;
  }
  auth_keys::compact_transcript t;
  t.serial = session.serial;
  t.session_seq = session.session_seq;
  t.rat = session.rat_name;
  t.body = body;
  bool ok = false;
  if (join_accept) {
    const auth_keys::key32 root =
        auth_keys::compact_root_key(seed_, session.serial, session.generation);
    t.kind = auth_keys::mic_kind::join_accept;
    t.join_nonce = down.join_nonce();
    ok = auth_keys::mic(t, root) == down.mic();
    if (ok) {
      slot.ticket_key = auth_keys::compact_session_key(root, session.session_seq, down.join_nonce(),
                                                       session.rat_name);
      slot.ticket_id = static_cast<std::uint32_t>(session.session_seq);
      // LoRaWAN sessions have no expiry of their own; the device rejoins daily (as the
      // Ed25519 path's ticket lifetime), which also bounds the use of one session key.
      slot.ticket_expires_s =
          static_cast<std::uint32_t>(session.at_us / 1'000'000) + ticket_lifetime_s;
      slot.ticket_rat = session.rat;
      slot.ticket_generation = static_cast<std::uint8_t>(session.generation);
      slot.resets_at_ticket = session.resets;
    }
  } else {
    t.kind = auth_keys::mic_kind::downlink;
    ok = auth_keys::mic(t, slot.ticket_key) == down.mic();
  }
  if (!ok) ++counters_.downlinks_rejected;
  return ok;
}

}  // namespace twelvefold::actors
