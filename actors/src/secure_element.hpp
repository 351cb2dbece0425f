// The simulated secure element of every twin (factor 9), on the device side.
//
// Where it lives: in the device shard, next to (never inside) the firmware's RAM image: the
// firmware cannot read it, a dump of the RAM image holds no key. Per twin it keeps one
// se_slot (48 B): the session ticket the cloud issued at the last full handshake and the
// serial of the server certificate it trusts. The device's Ed25519 key is not stored at all:
// the element re-derives it from its factory seed when it signs (auth_keys::device_key), which
// is what a real element's key-derivation function does with its fused master secret.
//
// Per session (seal_uplink): a full handshake — Ed25519 over the transcript (identity,
// counter, device clock, server cert, hash of the uplink body) — when the twin holds no valid
// ticket (none yet, expired, RAT changed, rebooted, hardware replaced); otherwise a resumed
// session — HMAC-SHA512-256 under the ticket key. Per downlink (open_downlink): the element
// checks the server's signature (or the ticket MAC), follows a new server certificate when the
// root it pins vouches for it, and stores a newly issued ticket. A downlink that fails these
// checks is dropped: the session then counts as failed and the module keeps its Notes.
// Packet-limited transports (LoRaWAN, NTN) use the compact scheme instead: an OTAA-sized join
// and a 4-byte MIC per frame (docs/cloud-auth.md, "Packet-limited transports").
//
// Thread: one shard's bank is used by that shard's actor only.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "secure_element_keys.hpp"

namespace twelvefold::actors {

// A ticket this close to its expiry is not used: the session might outlive it.
constexpr std::uint32_t ticket_margin_s = 600;

struct se_slot {
  auth_keys::key32 ticket_key{};
  std::uint32_t ticket_id = 0;  // session counter of the handshake that issued it; 0: none
  std::uint32_t ticket_expires_s = 0;
  std::uint16_t server_cert = 1;  // provisioned at the factory with certificate 1
  std::uint16_t resets_at_ticket = 0;
  std::uint8_t ticket_rat = 0;
  std::uint8_t ticket_generation = 0;
};
static_assert(sizeof(se_slot) <= 48, "per-twin budget of the secure element");

// What the device knows about the session it is opening.
struct se_session {
  std::string_view serial;
  std::string_view device_id;
  std::uint64_t session_seq = 0;
  std::int64_t at_us = 0;
  std::uint32_t generation = 0;  // hardware generation (identity.hpp)
  std::uint8_t rat = 0;          // models::rat the modem is on
  std::string_view rat_name;
  std::uint16_t resets = 0;  // reboots so far: a reboot drops the ticket
};

struct se_counters {
  std::uint64_t handshakes = 0;
  std::uint64_t resumed = 0;
  std::uint64_t downlinks_rejected = 0;  // failed the server signature / MAC check
  std::uint64_t cert_switches = 0;
  std::uint64_t compact_joins = 0;     // packet-limited transports: joins sent
  std::uint64_t compact_sessions = 0;  // packet-limited transports: MIC-only sessions sent
};

class secure_element_bank {
 public:
  explicit secure_element_bank(std::uint64_t scenario_seed);

  // Appends the UplinkAuth record to an encoded SessionUplink (`uplink`).
  void seal_uplink(se_slot& slot, const se_session& session, std::string& uplink);
  // Checks an encoded SessionDownlink answering session `session_seq`; false: drop it.
  bool open_downlink(se_slot& slot, const se_session& session, std::string_view downlink);

  [[nodiscard]] const se_counters& counters() const { return counters_; }

 private:
  const auth_keys::key32& server_public(std::uint32_t cert);
  // The compact scheme of packet-limited transports (secure_element_compact.cpp): a join when
  // the element holds no session key, else a 4-byte MIC; the same slot holds the session key.
  void seal_compact(se_slot& slot, const se_session& session, std::string& uplink);
  bool open_compact(se_slot& slot, const se_session& session, std::string_view downlink);

  std::uint64_t seed_;
  auth_keys::key32 root_public_{};
  // Public keys of server certificates devices hold (a handful per run), by serial.
  std::vector<auth_keys::key32> server_public_;
  std::vector<bool> server_known_;
  se_counters counters_;
};

}  // namespace twelvefold::actors
