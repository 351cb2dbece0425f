// Figures and records of authentication (factor 9) and identity (factor 11), shared by the
// management service, the twin store and the kernel (docs/cloud-auth.md).
#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>

namespace twelvefold::actors {

// Why the management service refused a session (event `auth.rejected`, summary auth.rejected).
enum class auth_reject : std::uint8_t {
  none,
  malformed,       // not a SessionUplink, no/odd auth record, unknown serial
  spoofed,         // a key (or hardware generation / device id) the registry never provisioned
  bad_signature,   // the right key id, but the signature or MAC does not verify
  replayed,        // a verified session seen before (stale timestamp or the same transcript)
  cloned,          // a verified, fresh session whose counter forks from the identity's
  expired_ticket,  // a resumed session on a ticket past its lifetime
};

struct auth_totals {
  std::uint64_t sessions_verified = 0;  // accepted (genuine and attack)
  std::uint64_t handshakes = 0;         // accepted with an Ed25519 signature
  std::uint64_t resumed = 0;            // accepted with a ticket MAC
  std::uint64_t rejected_malformed = 0;
  std::uint64_t rejected_spoofed = 0;
  std::uint64_t rejected_bad_signature = 0;
  std::uint64_t rejected_replayed = 0;
  std::uint64_t rejected_cloned = 0;
  std::uint64_t rejected_expired_ticket = 0;
  std::uint64_t attack_sessions = 0;           // injected by the scenario's attacks
  std::uint64_t attack_sessions_accepted = 0;  // of those, wrongly accepted (should be 0)
  std::uint64_t cert_rotations = 0;
  std::uint32_t current_cert = 1;
  std::uint64_t devices_on_new_cert = 0;     // twins proven to hold current_cert (end of run)
  std::uint64_t followed_after_overlap = 0;  // cert switches that relied on the root alone
  std::uint64_t hardware_replacements = 0;
  // Compact scheme of packet-limited transports (LoRaWAN, NTN): accepted joins and MIC-only
  // sessions (also in sessions_verified), and twins whose last session used it (no TLS, so
  // certificate rotation does not apply to them; they are not in devices_on_new_cert).
  std::uint64_t compact_joins = 0;
  std::uint64_t compact_sessions = 0;
  std::uint64_t cert_exempt_twins = 0;
};

// One row of table `bindings` (docs/twin-store.md): hardware bound to a serial for a time.
// Transport ids are empty when the device model has no such radio.
struct binding_row {
  std::string serial;
  std::uint32_t generation = 0;
  std::string device_id;
  std::string imsi;
  std::string iccid;
  std::string dev_eui;
  std::string mac;
  std::int64_t bound_from_us = 0;
  std::int64_t bound_until_us = -1;  // -1: still bound
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, auth_totals& x) {
  return f(caf::meta::type_name("auth_totals"), x.sessions_verified, x.handshakes, x.resumed,
           x.rejected_malformed, x.rejected_spoofed, x.rejected_bad_signature, x.rejected_replayed,
           x.rejected_cloned, x.rejected_expired_ticket, x.attack_sessions,
           x.attack_sessions_accepted, x.cert_rotations, x.current_cert, x.devices_on_new_cert,
           x.followed_after_overlap, x.hardware_replacements, x.compact_joins, x.compact_sessions,
           x.cert_exempt_twins);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, binding_row& x) {
  return f(caf::meta::type_name("binding_row"), x.serial, x.generation, x.device_id, x.imsi,
           x.iccid, x.dev_eui, x.mac, x.bound_from_us, x.bound_until_us);
}

}  // namespace twelvefold::actors
