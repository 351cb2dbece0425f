#include "cloud/auth_attacks.hpp"

#include <algorithm>
#include <cmath>

#include "twelvefold/models/random.hpp"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {
namespace {

std::int64_t interval_us(double per_hour) {
  if (!(per_hour > 0)) return 0;
  return std::max<std::int64_t>(1, std::llround(3600e6 / per_hour));
}

}  // namespace

attack_plan::attack_plan(auth_service& auth)
    : auth_(auth), attacker_element_(auth.the_world().seed) {}

void attack_plan::add_compromise(const std::vector<twin_index>& twins, std::int64_t at_us,
                                 double clone_sessions_per_hour, double replays_per_hour) {
  for (twin_index twin : twins) {
    compromise c;
    c.twin = twin;
    c.stolen_generation = auth_.generation(twin);
    c.clone_interval_us = interval_us(clone_sessions_per_hour);
    c.replay_interval_us = interval_us(replays_per_hour);
    c.next_clone_us = at_us;  // rescheduled at capture
    by_twin_.push_back({twin, static_cast<std::uint32_t>(compromises_.size())});
    compromises_.push_back(std::move(c));
  }
  std::sort(by_twin_.begin(), by_twin_.end());
}

void attack_plan::add_spoof(std::int64_t at_us, double sessions_per_hour, bool claim_registered_key,
                            double malformed_per_hour, std::int32_t fleet) {
  spoof s;
  s.id = spoofs_.size();
  s.fleet = fleet;
  s.claim_registered_key = claim_registered_key;
  s.session_interval_us = interval_us(sessions_per_hour);
  s.malformed_interval_us = interval_us(malformed_per_hour);
  s.next_session_us = at_us;
  s.next_malformed_us = at_us;
  const auto index = static_cast<std::uint32_t>(spoofs_.size());
  if (s.session_interval_us > 0) queue_.push({at_us, stream::spoof_session, index});
  if (s.malformed_interval_us > 0) queue_.push({at_us, stream::malformed, index});
  spoofs_.push_back(s);
}

void attack_plan::observe(twin_index twin, std::int64_t arrival_us, const std::string& uplink,
                          std::uint64_t counter) {
  const auto lo = std::lower_bound(by_twin_.begin(), by_twin_.end(),
                                   std::pair<twin_index, std::uint32_t>{twin, 0});
  for (auto it = lo; it != by_twin_.end() && it->first == twin; ++it) {
    compromise& c = compromises_[it->second];
    if (c.captured) continue;
    c.captured = true;
    c.captured_uplink = uplink;
    c.captured_counter = counter;
    wire::v1::SessionUplink up;
    if (up.ParseFromString(uplink)) c.rat = up.status().rat();
    // The clone starts one interval after the capture; replays start half an interval after.
    c.next_clone_us = arrival_us + c.clone_interval_us;
    c.next_replay_us = arrival_us + c.replay_interval_us / 2;
    if (c.replay_interval_us > 0) queue_.push({c.next_replay_us, stream::replay, it->second});
    if (c.clone_interval_us > 0) queue_.push({c.next_clone_us, stream::clone, it->second});
  }
}

std::string attack_plan::clone_uplink(compromise& c, std::int64_t at_us) {
  const world& w = auth_.the_world();
  wire::v1::SessionUplink up;
  up.set_serial(w.serial_of(c.twin));
  up.set_device_id(device_id_for(w, c.twin, c.stolen_generation));
  up.set_session_seq(c.captured_counter + ++c.clones);
  up.mutable_status()->set_rat(c.rat);
  up.mutable_status()->set_firmware("clone");
  std::string bytes = up.SerializeAsString();
  se_slot slot;  // no ticket: the clone signs full handshakes with the stolen key
  se_session session;
  session.serial = up.serial();
  session.device_id = up.device_id();
  session.session_seq = up.session_seq();
  session.at_us = at_us;
  session.generation = c.stolen_generation;
  session.rat_name = c.rat;
  attacker_element_.seal_uplink(slot, session, bytes);
  return bytes;
}

twin_index attack_plan::spoof_target(spoof& s, std::uint64_t n) const {
  const world& w = auth_.the_world();
  models::random_stream rng(w.seed, (s.id << 40) | n, models::stream_purpose::auth_attack);
  if (s.fleet < 0) return static_cast<twin_index>(rng.below(w.twins.size()));
  const auto f = static_cast<std::uint32_t>(s.fleet);
  const auto lo = std::partition_point(w.twins.begin(), w.twins.end(),
                                       [f](const twin_spec& t) { return t.fleet < f; });
  const auto hi =
      std::partition_point(lo, w.twins.end(), [f](const twin_spec& t) { return t.fleet <= f; });
  return static_cast<twin_index>((lo - w.twins.begin()) +
                                 static_cast<std::ptrdiff_t>(rng.below(static_cast<std::uint64_t>(
                                     std::max<std::ptrdiff_t>(1, hi - lo)))));
}

delivered_uplink attack_plan::spoof_uplink(spoof& s, std::int64_t at_us) {
  const world& w = auth_.the_world();
  const std::uint64_t n = s.sent++;
  const twin_index twin = spoof_target(s, n);
  const std::uint32_t generation = auth_.generation(twin);
  wire::v1::SessionUplink up;
  up.set_serial(w.serial_of(twin));
  up.set_device_id(device_id_for(w, twin, generation));  // sniffed off the air
  up.set_session_seq(auth_.last_counter(twin) + 1);      // the next counter, also sniffed
  const std::string rat(models::rat_name(w.model_of(twin).rats.front()));
  up.mutable_status()->set_rat(rat);
  up.mutable_status()->set_firmware("spoof");
  std::string bytes = up.SerializeAsString();
  if (auth_keys::compact_scheme(rat)) {
    // Packet-limited transport: a join with a MIC under a root key nobody provisioned (there
    // is no key id to claim on this scheme).
    auth_keys::compact_transcript tr;
    tr.kind = auth_keys::mic_kind::join;
    tr.serial = up.serial();
    tr.device_id = up.device_id();
    tr.session_seq = up.session_seq();
    tr.at_s = static_cast<std::uint32_t>(at_us / 1'000'000);
    tr.rat = rat;
    tr.body = bytes;
    wire::v1::SessionUplink tail;
    tail.set_join_mic(auth_keys::mic(tr, auth_keys::stray_compact_key(w.seed, (s.id << 40) | n)));
    tail.set_join_at_s(tr.at_s);
    bytes += tail.SerializeAsString();
    return {twin, at_us, std::move(bytes)};
  }
  const auth_keys::ed25519_pair key = auth_keys::stray_key(w.seed, (s.id << 40) | n);
  auth_keys::uplink_transcript tr;
  tr.serial = up.serial();
  tr.device_id = up.device_id();
  tr.session_seq = up.session_seq();
  tr.at_us = at_us;
  tr.generation = generation;
  tr.server_cert = 1;
  tr.rat = rat;
  tr.body = bytes;
  wire::v1::SessionUplink tail;
  wire::v1::UplinkAuth* a = tail.mutable_auth();
  a->set_key_generation(generation);
  a->set_at_us(at_us);
  a->set_server_cert(1);
  a->set_key_id(
      s.claim_registered_key
          ? auth_keys::key_id(auth_keys::device_key(w.seed, up.serial(), generation).public_key)
          : auth_keys::key_id(key.public_key));
  a->set_signature(auth_keys::sign(auth_keys::hash(tr), key));
  bytes += tail.SerializeAsString();
  return {twin, at_us, std::move(bytes)};
}

delivered_uplink attack_plan::malformed_frame(spoof& s, std::int64_t at_us) {
  const world& w = auth_.the_world();
  const std::uint64_t n = s.sent++;
  models::random_stream rng(w.seed, (s.id << 40) | n | (1ULL << 39),
                            models::stream_purpose::auth_attack);
  // 0x0f: field 1 with wire type 7, which protobuf never accepts: the frame cannot parse.
  std::string bytes(1, '\x0f');
  const std::uint64_t length = 16 + rng.below(160);
  for (std::uint64_t i = 0; i < length; ++i) bytes += static_cast<char>(rng.below(256));
  return {spoof_target(s, n), at_us, std::move(bytes)};
}

void attack_plan::run_until(std::int64_t before_us, std::vector<cloud_event>& events) {
  wire::v1::SessionUplink up;
  // One stream at a time, in (time, stream kind, index) order: deterministic, and cheap when
  // nothing is due (this runs before every genuine uplink).
  while (!queue_.empty() && queue_.top().at_us < before_us) {
    const due_stream next = queue_.top();
    queue_.pop();
    delivered_uplink d;
    switch (next.kind) {
      case stream::replay: {
        compromise& c = compromises_[next.index];
        d = {c.twin, next.at_us, c.captured_uplink};
        queue_.push({c.next_replay_us += c.replay_interval_us, next.kind, next.index});
        break;
      }
      case stream::clone: {
        compromise& c = compromises_[next.index];
        d = {c.twin, next.at_us, clone_uplink(c, next.at_us)};
        queue_.push({c.next_clone_us += c.clone_interval_us, next.kind, next.index});
        break;
      }
      case stream::spoof_session: {
        spoof& sp = spoofs_[next.index];
        d = spoof_uplink(sp, next.at_us);
        queue_.push({sp.next_session_us += sp.session_interval_us, next.kind, next.index});
        break;
      }
      case stream::malformed: {
        spoof& sp = spoofs_[next.index];
        d = malformed_frame(sp, next.at_us);
        queue_.push({sp.next_malformed_us += sp.malformed_interval_us, next.kind, next.index});
        break;
      }
    }
    ++auth_.totals().attack_sessions;
    auth_grant grant;
    const bool parsed = up.ParseFromString(d.uplink);
    const auth_reject why =
        parsed ? auth_.verify(d.twin, d.arrival_us, d.uplink, up, grant) : auth_reject::malformed;
    if (why == auth_reject::none) {
      ++auth_.totals().attack_sessions_accepted;  // the attacker's reply is not modelled
      continue;
    }
    auth_.count_reject(why);
    events.push_back(rejection_event(d.twin, d.arrival_us, why, parsed ? up.session_seq() : 0));
  }
}

}  // namespace twelvefold::actors
