#include "secure_element.hpp"

#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {

secure_element_bank::secure_element_bank(std::uint64_t scenario_seed)
    : seed_(scenario_seed), root_public_(auth_keys::root_key(scenario_seed).public_key) {}

const auth_keys::key32& secure_element_bank::server_public(std::uint32_t cert) {
  if (cert >= server_public_.size()) {
    server_public_.resize(cert + 1);
    server_known_.resize(cert + 1, false);
  }
  if (!server_known_[cert]) {
    // The certificate's key as the element stored it when it accepted the certificate.
    server_public_[cert] = auth_keys::server_key(seed_, cert).public_key;
    server_known_[cert] = true;
  }
  return server_public_[cert];
}

void secure_element_bank::seal_uplink(se_slot& slot, const se_session& session,
                                      std::string& uplink) {
  if (auth_keys::compact_scheme(session.rat_name)) {
    seal_compact(slot, session, uplink);
    return;
  }
  const auto now_s = static_cast<std::uint32_t>(session.at_us / 1'000'000);
  const bool resumable = slot.ticket_id != 0 && slot.ticket_generation == session.generation &&
                         slot.ticket_rat == session.rat &&
                         slot.resets_at_ticket == session.resets &&
                         now_s + ticket_margin_s < slot.ticket_expires_s;
  if (!resumable) slot.ticket_id = 0;  // a handshake replaces whatever ticket was held

  wire::v1::SessionUplink tail;
  wire::v1::UplinkAuth* auth = tail.mutable_auth();
  auth->set_key_generation(session.generation);
  auth->set_at_us(session.at_us);
  auth->set_server_cert(slot.server_cert);
  auth_keys::uplink_transcript t;
  t.serial = session.serial;
  t.device_id = session.device_id;
  t.session_seq = session.session_seq;
  t.at_us = session.at_us;
  t.generation = session.generation;
  t.server_cert = slot.server_cert;
  t.rat = session.rat_name;
  t.body = uplink;
  if (resumable) {
    auth->set_ticket_id(slot.ticket_id);
    auth->set_ticket_expires_s(slot.ticket_expires_s);
    t.ticket_id = slot.ticket_id;
    t.expires_s = slot.ticket_expires_s;
    auth->set_mac(auth_keys::mac(auth_keys::hash(t), slot.ticket_key));
    ++counters_.resumed;
  } else {
    const auth_keys::ed25519_pair key =
        auth_keys::device_key(seed_, session.serial, session.generation);
    auth->set_key_id(auth_keys::key_id(key.public_key));
    auth->set_signature(auth_keys::sign(auth_keys::hash(t), key));
    ++counters_.handshakes;
  }
  uplink += tail.SerializeAsString();
}

bool secure_element_bank::open_downlink(se_slot& slot, const se_session& session,
                                        std::string_view downlink) {
  if (auth_keys::compact_scheme(session.rat_name)) return open_compact(slot, session, downlink);
  wire::v1::SessionDownlink down;
  if (!down.ParseFromArray(downlink.data(), static_cast<int>(downlink.size())) ||
      !down.has_auth()) {
    ++counters_.downlinks_rejected;
    return false;
  }
  wire::v1::SessionDownlink tail;
  *tail.mutable_auth() = down.auth();
  const std::string record = tail.SerializeAsString();
  std::string_view body;
  const wire::v1::DownlinkAuth& auth = down.auth();
  if (!auth_keys::split_body(downlink, record, body)) {
    ++counters_.downlinks_rejected;
    return false;
  }
  // A new certificate is only believed when the pinned root signed it.
  std::uint32_t new_cert = 0;
  auth_keys::key32 new_public{};
  if (auth.has_new_cert()) {
    const wire::v1::ServerCert& cert = auth.new_cert();
    if (cert.public_key().size() == new_public.size() && cert.serial() > slot.server_cert &&
        cert.serial() <= 0xffff) {
      std::copy(cert.public_key().begin(), cert.public_key().end(), new_public.begin());
      if (auth_keys::verify(auth_keys::cert_digest(cert.serial(), new_public),
                            cert.root_signature(), root_public_)) {
        new_cert = cert.serial();
      }
    }
    if (new_cert == 0) {
      ++counters_.downlinks_rejected;
      return false;
    }
  }
  auth_keys::downlink_transcript t;
  t.serial = session.serial;
  t.session_seq = session.session_seq;
  t.signer_cert = auth.server_cert();
  t.new_cert = new_cert;
  t.ticket_id = auth.ticket_id();
  t.expires_s = auth.ticket_expires_s();
  t.sealed_ticket_key = auth.ticket_key();
  t.body = body;
  const auth_keys::key32 digest = auth_keys::hash(t);
  bool ok = false;
  if (!auth.mac().empty()) {
    ok = slot.ticket_id != 0 && auth.ticket_key().empty() &&
         auth_keys::verify_mac(digest, auth.mac(), slot.ticket_key);
  } else if (auth.server_cert() == slot.server_cert ||
             (new_cert != 0 && auth.server_cert() == new_cert)) {
    const auth_keys::key32& signer =
        auth.server_cert() == new_cert ? new_public : server_public(slot.server_cert);
    ok = auth_keys::verify(digest, auth.signature(), signer);
    if (ok && !auth.ticket_key().empty()) {
      auth_keys::key32 key{};
      ok = auth_keys::open(auth.ticket_key(),
                           auth_keys::device_key(seed_, session.serial, session.generation), key);
      if (ok) {
        slot.ticket_key = key;
        slot.ticket_id = static_cast<std::uint32_t>(auth.ticket_id());
        slot.ticket_expires_s = auth.ticket_expires_s();
        slot.ticket_rat = session.rat;
        slot.ticket_generation = static_cast<std::uint8_t>(session.generation);
        slot.resets_at_ticket = session.resets;
      }
    }
  }
  if (!ok) {
    ++counters_.downlinks_rejected;
    return false;
  }
  if (new_cert != 0) {
    slot.server_cert = static_cast<std::uint16_t>(new_cert);
    ++counters_.cert_switches;
  }
  return true;
}

}  // namespace twelvefold::actors
