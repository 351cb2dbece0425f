// The key material and transcripts both ends of a session agree on (docs/cloud-auth.md).
//
// Keys are derived, not stored: a twin's Ed25519 seed is BLAKE2b-256 keyed by a factory secret
// (itself derived from the scenario seed) over (serial, hardware generation). The device's
// secure element re-derives it when it signs; the cloud's provisioning registry re-derives the
// public key when it verifies — standing for the factory's provisioning database, at no
// per-twin memory. The root key (pinned by every device), the server certificates and the
// cloud's ticket key are derived the same way.
//
// libsodium primitives: Ed25519 (crypto_sign), BLAKE2b (crypto_generichash), HMAC-SHA512-256
// (crypto_auth), sealed boxes over X25519 (crypto_box_seal).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace twelvefold::actors::auth_keys {

using key32 = std::array<unsigned char, 32>;

}  // namespace twelvefold::actors::auth_keys

namespace twelvefold::actors {
// Session ticket lifetime (the cloud sets it, the device honours it); a real deployment's TLS
// session-ticket lifetime is of this order.
constexpr std::uint32_t ticket_lifetime_s = 24 * 3600;
}  // namespace twelvefold::actors

namespace twelvefold::actors::auth_keys {

struct ed25519_pair {
  key32 public_key{};
  std::array<unsigned char, 64> secret_key{};
};

// sodium_init, once per process; every function below calls it.
void init();

ed25519_pair device_key(std::uint64_t scenario_seed, std::string_view serial,
                        std::uint32_t generation);
ed25519_pair root_key(std::uint64_t scenario_seed);
ed25519_pair server_key(std::uint64_t scenario_seed, std::uint32_t cert_serial);
// A key nobody provisioned (spoofing attacker number `n`).
ed25519_pair stray_key(std::uint64_t scenario_seed, std::uint64_t n);

// First 8 bytes of BLAKE2b-256(public key), little endian.
std::uint64_t key_id(const key32& public_key);

// What the root signs for a server certificate.
key32 cert_digest(std::uint32_t cert_serial, const key32& public_key);

// The ticket key of a resumed session: BLAKE2b keyed by the cloud's ticket secret over
// everything the ticket is bound to (identity, key generation, RAT, id, expiry).
key32 ticket_key(std::uint64_t scenario_seed, std::string_view serial, std::uint32_t generation,
                 std::string_view rat, std::uint64_t ticket_id, std::uint32_t expires_s);

struct uplink_transcript {
  std::string_view serial;
  std::string_view device_id;
  std::uint64_t session_seq = 0;
  std::int64_t at_us = 0;
  std::uint32_t generation = 0;
  std::uint32_t server_cert = 0;
  std::uint64_t ticket_id = 0;
  std::uint32_t expires_s = 0;
  std::string_view rat;
  std::string_view body;  // the uplink bytes before the auth record
};
key32 hash(const uplink_transcript& t);

struct downlink_transcript {
  std::string_view serial;
  std::uint64_t session_seq = 0;  // of the uplink this answers: binds the reply to it
  std::uint32_t signer_cert = 0;
  std::uint32_t new_cert = 0;
  std::uint64_t ticket_id = 0;
  std::uint32_t expires_s = 0;
  std::string_view sealed_ticket_key;
  std::string_view body;  // the downlink bytes before the auth record
};
key32 hash(const downlink_transcript& t);

std::string sign(const key32& digest, const ed25519_pair& key);
bool verify(const key32& digest, std::string_view signature, const key32& public_key);
std::string mac(const key32& digest, const key32& key);
bool verify_mac(const key32& digest, std::string_view tag, const key32& key);
// Seals `secret` to the X25519 form of an Ed25519 public key; opens it with the secret key.
std::string seal(const key32& secret, const key32& ed25519_public);
bool open(std::string_view sealed, const ed25519_pair& key, key32& secret);

// --- Compact scheme of packet-limited transports (LoRaWAN, NTN; docs/cloud-auth.md) ---------
// The transports that use it: the packet-limited ones (models radio_model::packet_limited()),
// by the RAT name an uplink declares — both ends decide from that name alone.
bool compact_scheme(std::string_view rat);
// The device's root key (LoRaWAN's AppKey): derived from the same factory secret as the
// Ed25519 seed, over (serial, hardware generation), under its own label.
key32 compact_root_key(std::uint64_t scenario_seed, std::string_view serial,
                       std::uint32_t generation);
// A root key nobody provisioned (spoofing attacker number `n`).
key32 stray_compact_key(std::uint64_t scenario_seed, std::uint64_t n);
// The cloud's join nonce answering the join with counter `dev_nonce` (LoRaWAN's JoinNonce):
// derived from the cloud's join secret, so the cloud stores only the join's counter.
std::uint32_t join_nonce(std::uint64_t scenario_seed, std::string_view serial,
                         std::uint32_t generation, std::uint64_t dev_nonce);
// The session key both ends derive at the join (LoRaWAN 1.0's NwkSKey/AppSKey, one key here:
// the sim encrypts nothing, it only authenticates).
key32 compact_session_key(const key32& root, std::uint64_t dev_nonce, std::uint32_t join_nonce,
                          std::string_view rat);

// What a compact MIC covers. `kind` separates join, join accept, uplink and downlink MICs.
enum class mic_kind : std::uint8_t { join, join_accept, uplink, downlink };
struct compact_transcript {
  mic_kind kind = mic_kind::uplink;
  std::string_view serial;
  std::string_view device_id;     // uplinks and joins
  std::uint64_t session_seq = 0;  // the frame counter (downlinks: the uplink's)
  std::uint32_t at_s = 0;         // joins: device clock
  std::uint32_t join_nonce = 0;   // join accepts
  std::string_view rat;
  std::string_view body;  // the bytes before the MIC fields
};
// BLAKE2b-256 keyed by `key` over the transcript, truncated to its first 4 bytes (as LoRaWAN
// truncates AES-CMAC): a forger's chance is 2^-32 per frame and every try costs airtime.
std::uint32_t mic(const compact_transcript& t, const key32& key);

// A wire message ends with its auth record: true with `body` = the bytes before `record`
// when `bytes` ends with exactly `record`.
bool split_body(std::string_view bytes, std::string_view record, std::string_view& body);

}  // namespace twelvefold::actors::auth_keys
