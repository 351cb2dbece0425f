// The cloud's side of the compact scheme of packet-limited transports (docs/cloud-auth.md,
// "Packet-limited transports"): what a LoRaWAN network/join server does.
//
// A join proves the device holds its root key (MIC under it; a MIC that fails is a key the
// registry never provisioned: spoofed) and carries the device clock (tells a recorded join
// from a clone's fresh one). The join
// accept carries the cloud's join nonce; both ends derive the session key from (root key,
// join counter, join nonce, RAT), so the cloud keeps only the join's counter (4 B, already in
// auth_twin). Every later frame carries a 4-byte MIC under that key and is accepted only with
// a counter above the identity's last: a frame counter at or below it is a replay; a join
// whose counter forks from the identity's is a clone. No certificate travels (no TLS).
#include "cloud/auth.hpp"

#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {

auth_reject auth_service::verify_compact(twin_index twin, std::int64_t arrival_us,
                                         const std::string& bytes,
                                         const wire::v1::SessionUplink& up, auth_grant& grant) {
  const world& w = *world_;
  const bool join = up.has_join_mic();
  // Exactly one proof, of the scheme the declared transport uses.
  if (join == up.has_mic() || join != up.has_join_at_s() || up.has_auth() ||
      !auth_keys::compact_scheme(up.status().rat())) {
    return auth_reject::malformed;
  }
  wire::v1::SessionUplink tail;
  if (join) {
    tail.set_join_mic(up.join_mic());
    tail.set_join_at_s(up.join_at_s());
  } else {
    tail.set_mic(up.mic());
  }
  std::string_view body;
  if (!auth_keys::split_body(bytes, tail.SerializeAsString(), body)) return auth_reject::malformed;
  if (up.session_seq() == 0 || up.session_seq() > 0xffffffffULL) return auth_reject::malformed;
  if (twin >= w.twins.size() || up.serial() != w.serial_of(twin)) return auth_reject::spoofed;
  auth_twin& t = twins_[twin];
  // The hardware bound to the serial now: its device id names the key generation.
  if (up.device_id() != device_id_for(w, twin, t.generation)) return auth_reject::spoofed;
  auth_keys::compact_transcript tr;
  tr.serial = up.serial();
  tr.device_id = up.device_id();
  tr.session_seq = up.session_seq();
  tr.rat = up.status().rat();
  tr.body = body;
  const auth_keys::key32 root = auth_keys::compact_root_key(w.seed, up.serial(), t.generation);
  std::uint32_t tag = 0;
  if (join) {
    tr.kind = auth_keys::mic_kind::join;
    tr.at_s = up.join_at_s();
    // No key id on the air: a join MIC that fails is under a key nobody provisioned.
    if (auth_keys::mic(tr, root) != up.join_mic()) return auth_reject::spoofed;
    tag = up.join_mic();
  } else {
    // A MIC needs the session key of the last join the cloud accepted.
    if ((t.flags & joined_flag) == 0) return auth_reject::bad_signature;
    tr.kind = auth_keys::mic_kind::uplink;
    const auth_keys::key32 key = auth_keys::compact_session_key(
        root, t.join_counter,
        auth_keys::join_nonce(w.seed, up.serial(), t.generation, t.join_counter),
        up.status().rat());
    if (auth_keys::mic(tr, key) != up.mic()) return auth_reject::bad_signature;
    tag = up.mic();
  }
  const auto counter = static_cast<std::uint32_t>(up.session_seq());
  if ((t.flags & seen_flag) != 0 && counter <= t.last_counter) {
    // Frames: the counter alone (LoRaWAN's FCnt rule). Joins: a fresh join at a used counter
    // is a second holder of the root key, unless it is the very join seen last.
    if (!join || (counter == t.last_counter && tag == t.last_tag)) return auth_reject::replayed;
    // A join at a used counter: recorded bytes carry their old clock, a second holder of the
    // root key makes a fresh one. (No freshness refusal on joins: at 36 s of airtime an hour a
    // join can take an hour to get through; the counter is what stops replays, as LoRaWAN's
    // DevNonce rule.)
    const std::int64_t at_us = static_cast<std::int64_t>(up.join_at_s()) * 1'000'000;
    return arrival_us - at_us > auth_freshness_us + 1'000'000 ? auth_reject::replayed
                                                              : auth_reject::cloned;
  }
  if ((t.flags & seen_flag) == 0) {
    t.flags |= seen_flag;
    pending_bindings_.push_back(
        binding_for(w, twin, t.generation, replacements_.bound_from_us(twin, t.generation), -1));
  }
  t.last_counter = counter;
  t.last_tag = tag;
  t.device_cert = 0;  // no certificate on this transport
  t.flags |= compact_last_flag;
  if (join) {
    t.join_counter = counter;
    t.flags |= joined_flag;
  }
  ++totals_.sessions_verified;
  ++(join ? totals_.compact_joins : totals_.compact_sessions);
  grant.handshake = join;
  grant.compact = true;
  grant.counter = up.session_seq();
  grant.generation = t.generation;
  grant.ticket_id = t.join_counter;
  grant.rat = up.status().rat();
  return auth_reject::none;
}

void auth_service::seal_compact_downlink(twin_index twin, const auth_grant& grant,
                                         std::string& downlink) {
  const world& w = *world_;
  const std::string serial = w.serial_of(twin);
  const auth_keys::key32 root = auth_keys::compact_root_key(w.seed, serial, grant.generation);
  auth_keys::compact_transcript tr;
  tr.serial = serial;
  tr.session_seq = grant.counter;
  tr.rat = grant.rat;
  tr.body = downlink;
  wire::v1::SessionDownlink tail;
  if (grant.handshake) {
    // The join accept: MIC under the root key (as LoRaWAN's JoinAccept under the AppKey).
    tr.kind = auth_keys::mic_kind::join_accept;
    tr.join_nonce = auth_keys::join_nonce(w.seed, serial, grant.generation, grant.counter);
    tail.set_mic(auth_keys::mic(tr, root));
    tail.set_join_nonce(tr.join_nonce);
  } else {
    tr.kind = auth_keys::mic_kind::downlink;
    const auth_keys::key32 key = auth_keys::compact_session_key(
        root, grant.ticket_id,
        auth_keys::join_nonce(w.seed, serial, grant.generation, grant.ticket_id), grant.rat);
    tail.set_mic(auth_keys::mic(tr, key));
  }
  downlink += tail.SerializeAsString();
}

}  // namespace twelvefold::actors
