// Session authentication in the management service (factor 9; docs/cloud-auth.md).
//
// Every uplink carries an UplinkAuth record from the twin's secure element (secure_element.hpp).
// verify() checks it against the provisioning registry (public keys re-derived on demand, see
// secure_element_keys.hpp) and the identity's session counter, and says why a session is
// refused: malformed, spoofed (a key the registry never provisioned, or retired hardware),
// bad_signature, replayed (stale, or the very session seen last), cloned (a fresh, verified
// session whose counter forks from the identity's: two devices share one key) or
// expired_ticket. seal_downlink() appends the server's proof to the reply: an Ed25519
// signature by the server certificate (and a new session ticket, sealed to the device) after
// a handshake, a ticket MAC after a resumed session, and the current certificate, signed by
// the root, when the device holds an older one. Packet-limited transports (LoRaWAN, NTN) use
// the compact scheme instead (auth_compact.cpp): an OTAA-sized join, then a 4-byte MIC.
//
// Per-twin state: 16 B (auth_twin). Thread: owned by the management actor.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cloud/identity.hpp"
#include "secure_element_keys.hpp"
#include "twelvefold/actors/auth.hpp"
#include "twelvefold/actors/world.hpp"

namespace twelvefold::wire::v1 {
class SessionUplink;
}

namespace twelvefold::actors {

// Maximum age of a session's device timestamp when it reaches the cloud, and how far ahead of
// the cloud's clock it may be: outside, a verified session is a replay.
constexpr std::int64_t auth_freshness_us = 15LL * 60 * 1'000'000;
constexpr std::int64_t auth_clock_skew_us = 60LL * 1'000'000;
// Default overlap during which the previous server certificate still signs.
constexpr std::int64_t default_cert_overlap_us = 7LL * 86'400 * 1'000'000;

const char* to_string(auth_reject reason);
// The `auth.rejected` event of a refused session (body: reason, claimed session counter).
cloud_event rejection_event(twin_index twin, std::int64_t at_us, auth_reject why,
                            std::uint64_t counter);

// What an accepted session needs for its reply.
struct auth_grant {
  bool handshake = false;  // Ed25519 handshake, or (compact) a join
  bool compact = false;    // packet-limited transport: join accept / 4-byte MIC reply
  std::uint64_t counter = 0;
  std::uint32_t generation = 0;
  std::uint32_t device_cert = 0;
  std::uint64_t ticket_id = 0;  // resumed: the ticket in use; compact: the join's counter
  std::uint32_t ticket_expires_s = 0;
  std::string rat;
  auth_keys::key32 device_public{};  // handshake: to seal the new ticket to
};

class auth_service {
 public:
  explicit auth_service(std::shared_ptr<const world> the_world);

  // Checks one uplink (`bytes` as received, `up` parsed from it) claiming twin `twin`.
  auth_reject verify(twin_index twin, std::int64_t arrival_us, const std::string& bytes,
                     const wire::v1::SessionUplink& up, auth_grant& grant);
  // Appends the DownlinkAuth record to the encoded SessionDownlink answering that session.
  void seal_downlink(twin_index twin, std::int64_t arrival_us, const auth_grant& grant,
                     std::string& downlink);
  // Counts a refused session (also those refused before verify, e.g. unparsable).
  void count_reject(auth_reject reason);

  // Timeline: the server certificate rotates at `at_us`.
  void rotate_cert(std::int64_t at_us, std::int64_t overlap_us);
  // Timeline: `twin`'s hardware is replaced at `at_us`: new generation, bindings rewritten.
  void replace_hardware(twin_index twin, std::int64_t at_us);

  [[nodiscard]] std::uint32_t generation(twin_index twin) const { return twins_[twin].generation; }
  // The counter of the identity's last accepted session (what a sniffer learns).
  [[nodiscard]] std::uint64_t last_counter(twin_index twin) const {
    return twins_[twin].last_counter;
  }
  [[nodiscard]] const world& the_world() const { return *world_; }
  [[nodiscard]] const replacement_schedule& replacements() const { return replacements_; }

  // Binding rows to write at the next flush (first sight of a twin, replacements).
  std::vector<binding_row> take_bindings();
  auth_totals& totals() { return totals_; }
  [[nodiscard]] auth_totals final_totals() const;

 private:
  struct auth_twin {
    std::uint32_t last_counter = 0;  // session counter of the last accepted session
    std::uint32_t last_tag = 0;      // first bytes of its transcript hash (exact replays)
    std::uint16_t device_cert = 0;   // certificate the device proved to hold; 0: never seen
    std::uint8_t generation = 0;
    std::uint8_t flags = 0;
    std::uint32_t join_counter = 0;  // compact scheme: counter (DevNonce) of the last join
  };
  static_assert(sizeof(auth_twin) == 16);
  static constexpr std::uint8_t seen_flag = 1;
  static constexpr std::uint8_t joined_flag = 2;        // join_counter names a session key
  static constexpr std::uint8_t compact_last_flag = 4;  // last accepted session was compact

  // The compact scheme of packet-limited transports (auth_compact.cpp).
  auth_reject verify_compact(twin_index twin, std::int64_t arrival_us, const std::string& bytes,
                             const wire::v1::SessionUplink& up, auth_grant& grant);
  void seal_compact_downlink(twin_index twin, const auth_grant& grant, std::string& downlink);

  const auth_keys::ed25519_pair& server(std::uint32_t cert);

  std::shared_ptr<const world> world_;
  replacement_schedule replacements_;
  std::vector<auth_twin> twins_;
  auth_keys::ed25519_pair root_;
  std::vector<auth_keys::ed25519_pair> servers_;  // index: certificate serial (0 unused)
  std::uint32_t current_cert_ = 1;
  std::uint32_t previous_cert_ = 0;
  std::int64_t overlap_end_us_ = 0;
  std::vector<binding_row> pending_bindings_;
  auth_totals totals_;
};

}  // namespace twelvefold::actors
