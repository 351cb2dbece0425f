#include "cloud/auth.hpp"

#include <algorithm>

#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {

const char* to_string(auth_reject reason) {
  switch (reason) {
    case auth_reject::none:
      return "none";
    case auth_reject::malformed:
      return "malformed";
    case auth_reject::spoofed:
      return "spoofed";
    case auth_reject::bad_signature:
      return "bad_signature";
    case auth_reject::replayed:
      return "replayed";
    case auth_reject::cloned:
      return "cloned";
    case auth_reject::expired_ticket:
      return "expired_ticket";
  }
  return "unknown";
}

cloud_event rejection_event(twin_index twin, std::int64_t at_us, auth_reject why,
                            std::uint64_t counter) {
  return {twin,
          at_us,
          "auth.rejected",
          "",
          std::string("{\"reason\":\"") + to_string(why) +
              "\",\"counter\":" + std::to_string(counter) + "}",
          ""};
}

auth_service::auth_service(std::shared_ptr<const world> the_world)
    : world_(std::move(the_world)),
      replacements_(*world_),
      twins_(world_->twins.size()),
      root_(auth_keys::root_key(world_->seed)) {}

const auth_keys::ed25519_pair& auth_service::server(std::uint32_t cert) {
  while (servers_.size() <= cert) {
    servers_.push_back(
        auth_keys::server_key(world_->seed, static_cast<std::uint32_t>(servers_.size())));
  }
  return servers_[cert];
}

void auth_service::count_reject(auth_reject reason) {
  switch (reason) {
    case auth_reject::malformed:
      ++totals_.rejected_malformed;
      break;
    case auth_reject::spoofed:
      ++totals_.rejected_spoofed;
      break;
    case auth_reject::bad_signature:
      ++totals_.rejected_bad_signature;
      break;
    case auth_reject::replayed:
      ++totals_.rejected_replayed;
      break;
    case auth_reject::cloned:
      ++totals_.rejected_cloned;
      break;
    case auth_reject::expired_ticket:
      ++totals_.rejected_expired_ticket;
      break;
    case auth_reject::none:
      break;
  }
}

auth_reject auth_service::verify(twin_index twin, std::int64_t arrival_us, const std::string& bytes,
                                 const wire::v1::SessionUplink& up, auth_grant& grant) {
  const world& w = *world_;
  if (up.has_mic() || up.has_join_mic() || up.has_join_at_s() ||
      auth_keys::compact_scheme(up.status().rat())) {
    return verify_compact(twin, arrival_us, bytes, up, grant);
  }
  if (!up.has_auth()) return auth_reject::malformed;
  // The authenticated body is exactly what precedes the trailing auth record on the air.
  wire::v1::SessionUplink tail;
  *tail.mutable_auth() = up.auth();
  const std::string record = tail.SerializeAsString();
  std::string_view body;
  if (!auth_keys::split_body(bytes, record, body)) return auth_reject::malformed;
  const wire::v1::UplinkAuth& a = up.auth();
  const bool signed_session = !a.signature().empty();
  if (signed_session == !a.mac().empty()) return auth_reject::malformed;  // exactly one proof
  if (a.server_cert() == 0 || a.server_cert() > current_cert_) return auth_reject::malformed;
  // The identity: a serial the registry knows, with the hardware currently bound to it.
  if (twin >= w.twins.size() || up.serial() != w.serial_of(twin)) return auth_reject::spoofed;
  auth_twin& t = twins_[twin];
  if (a.key_generation() != t.generation ||
      up.device_id() != device_id_for(w, twin, t.generation)) {
    return auth_reject::spoofed;
  }
  auth_keys::uplink_transcript tr;
  tr.serial = up.serial();
  tr.device_id = up.device_id();
  tr.session_seq = up.session_seq();
  tr.at_us = a.at_us();
  tr.generation = a.key_generation();
  tr.server_cert = a.server_cert();
  tr.ticket_id = a.ticket_id();
  tr.expires_s = a.ticket_expires_s();
  tr.rat = up.status().rat();
  tr.body = body;
  const auth_keys::key32 digest = auth_keys::hash(tr);
  if (signed_session) {
    if (a.ticket_id() != 0 || a.signature().size() != 64) return auth_reject::malformed;
    // The provisioning registry: the public key of this serial and generation.
    const auth_keys::ed25519_pair key = auth_keys::device_key(w.seed, up.serial(), t.generation);
    if (a.key_id() != auth_keys::key_id(key.public_key)) return auth_reject::spoofed;
    if (!auth_keys::verify(digest, a.signature(), key.public_key)) {
      return auth_reject::bad_signature;
    }
    grant.device_public = key.public_key;
  } else {
    if (a.ticket_id() == 0 || a.mac().size() != 32) return auth_reject::malformed;
    const auth_keys::key32 key = auth_keys::ticket_key(
        w.seed, up.serial(), t.generation, up.status().rat(), a.ticket_id(), a.ticket_expires_s());
    if (!auth_keys::verify_mac(digest, a.mac(), key)) return auth_reject::bad_signature;
  }
  // Verified: now is it fresh, and is it the identity's next session?
  if (a.at_us() > arrival_us + auth_clock_skew_us || arrival_us - a.at_us() > auth_freshness_us) {
    return auth_reject::replayed;
  }
  if (!signed_session && a.at_us() / 1'000'000 >= a.ticket_expires_s()) {
    return auth_reject::expired_ticket;
  }
  std::uint32_t tag = 0;
  for (int i = 0; i < 4; ++i) tag = (tag << 8) | digest[static_cast<std::size_t>(i)];
  const auto counter = static_cast<std::uint32_t>(up.session_seq());
  if (up.session_seq() > 0xffffffffULL) return auth_reject::malformed;
  if ((t.flags & seen_flag) != 0 && counter <= t.last_counter) {
    return counter == t.last_counter && tag == t.last_tag ? auth_reject::replayed
                                                          : auth_reject::cloned;
  }
  if ((t.flags & seen_flag) == 0) {
    t.flags |= seen_flag;
    pending_bindings_.push_back(
        binding_for(w, twin, t.generation, replacements_.bound_from_us(twin, t.generation), -1));
  }
  t.last_counter = counter;
  t.last_tag = tag;
  t.device_cert = static_cast<std::uint16_t>(a.server_cert());
  t.flags &= static_cast<std::uint8_t>(~compact_last_flag);
  ++totals_.sessions_verified;
  ++(signed_session ? totals_.handshakes : totals_.resumed);
  grant.handshake = signed_session;
  grant.counter = up.session_seq();
  grant.generation = t.generation;
  grant.device_cert = a.server_cert();
  grant.ticket_id = a.ticket_id();
  grant.ticket_expires_s = a.ticket_expires_s();
  grant.rat = up.status().rat();
  return auth_reject::none;
}

void auth_service::seal_downlink(twin_index twin, std::int64_t arrival_us, const auth_grant& grant,
                                 std::string& downlink) {
  if (grant.compact) {
    seal_compact_downlink(twin, grant, downlink);
    return;
  }
  const world& w = *world_;
  const std::string serial = w.serial_of(twin);
  wire::v1::SessionDownlink tail;
  wire::v1::DownlinkAuth* a = tail.mutable_auth();
  const bool in_overlap = grant.device_cert == previous_cert_ && arrival_us < overlap_end_us_;
  std::uint32_t new_cert = 0;
  if (grant.device_cert != current_cert_) {
    new_cert = current_cert_;
    wire::v1::ServerCert* cert = a->mutable_new_cert();
    const auth_keys::ed25519_pair& key = server(current_cert_);
    cert->set_serial(current_cert_);
    cert->set_public_key(key.public_key.data(), key.public_key.size());
    cert->set_root_signature(
        auth_keys::sign(auth_keys::cert_digest(current_cert_, key.public_key), root_));
    // A device whose certificate is retired can only follow through the root's signature.
    if (!in_overlap) ++totals_.followed_after_overlap;
  }
  auth_keys::downlink_transcript tr;
  tr.serial = serial;
  tr.session_seq = grant.counter;
  tr.new_cert = new_cert;
  tr.body = downlink;
  if (grant.handshake) {
    // A new ticket: its key is derived (the cloud stores none) and sealed to the device.
    const auto expires_s = static_cast<std::uint32_t>(arrival_us / 1'000'000) + ticket_lifetime_s;
    const auth_keys::key32 key = auth_keys::ticket_key(w.seed, serial, grant.generation, grant.rat,
                                                       grant.counter, expires_s);
    a->set_ticket_id(grant.counter);
    a->set_ticket_expires_s(expires_s);
    a->set_ticket_key(auth_keys::seal(key, grant.device_public));
    // During the overlap the certificate the device holds still signs; after it, the current.
    const std::uint32_t signer = in_overlap ? previous_cert_ : current_cert_;
    a->set_server_cert(signer);
    tr.signer_cert = signer;
    tr.ticket_id = a->ticket_id();
    tr.expires_s = expires_s;
    tr.sealed_ticket_key = a->ticket_key();
    a->set_signature(auth_keys::sign(auth_keys::hash(tr), server(signer)));
  } else {
    const auth_keys::key32 key = auth_keys::ticket_key(w.seed, serial, grant.generation, grant.rat,
                                                       grant.ticket_id, grant.ticket_expires_s);
    a->set_mac(auth_keys::mac(auth_keys::hash(tr), key));
  }
  downlink += tail.SerializeAsString();
}

void auth_service::rotate_cert(std::int64_t at_us, std::int64_t overlap_us) {
  previous_cert_ = current_cert_;
  ++current_cert_;
  overlap_end_us_ = at_us + overlap_us;
  ++totals_.cert_rotations;
}

void auth_service::replace_hardware(twin_index twin, std::int64_t at_us) {
  auth_twin& t = twins_[twin];
  const world& w = *world_;
  // Close the old binding, open the new one; the counter continues (the serial's history does).
  pending_bindings_.push_back(
      binding_for(w, twin, t.generation, replacements_.bound_from_us(twin, t.generation), at_us));
  ++t.generation;
  t.flags &= static_cast<std::uint8_t>(~joined_flag);  // the new hardware joins afresh
  pending_bindings_.push_back(binding_for(w, twin, t.generation, at_us, -1));
  t.flags |= seen_flag;  // the new binding is written now, not at first sight
  ++totals_.hardware_replacements;
}

std::vector<binding_row> auth_service::take_bindings() {
  return std::exchange(pending_bindings_, {});
}

auth_totals auth_service::final_totals() const {
  auth_totals out = totals_;
  out.current_cert = current_cert_;
  out.devices_on_new_cert = static_cast<std::uint64_t>(
      std::count_if(twins_.begin(), twins_.end(),
                    [this](const auth_twin& t) { return t.device_cert == current_cert_; }));
  out.cert_exempt_twins = static_cast<std::uint64_t>(
      std::count_if(twins_.begin(), twins_.end(),
                    [](const auth_twin& t) { return (t.flags & compact_last_flag) != 0; }));
  return out;
}

}  // namespace twelvefold::actors
