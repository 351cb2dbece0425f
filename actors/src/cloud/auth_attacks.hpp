// Attacks on the fleet's authentication, from the scenario timeline (KeyCompromise,
// SpoofAttack; docs/cloud-auth.md). The attacker's sessions are real wire messages that go
// through the management service's verification path (auth_service::verify) like any uplink;
// only their replies are dropped (they go to the attacker). Deterministic: every schedule and
// target comes from models::random_stream(seed, attack, auth_attack) and virtual time.
//
// - KeyCompromise: the attacker holds the device key of each target (generation at the time of
//   the event) and sniffs its next accepted uplink. From then it replays those bytes
//   (replays_per_hour) and runs a clone that signs fresh handshakes with the stolen key, its
//   session counter forking from the captured one (clone_sessions_per_hour).
// - SpoofAttack: sessions claiming random serials (of a fleet) with keys nobody provisioned,
//   the sniffed device id and next counter; with claim_registered_key they present the genuine
//   key id (and fail on the signature); plus malformed frames (malformed_per_hour).
//
// Thread: owned by the management actor.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cloud/auth.hpp"
#include "secure_element.hpp"
#include "twelvefold/actors/messages.hpp"

namespace twelvefold::actors {

class attack_plan {
 public:
  explicit attack_plan(auth_service& auth);

  void add_compromise(const std::vector<twin_index>& twins, std::int64_t at_us,
                      double clone_sessions_per_hour, double replays_per_hour);
  void add_spoof(std::int64_t at_us, double sessions_per_hour, bool claim_registered_key,
                 double malformed_per_hour, std::int32_t fleet);  // fleet -1: any twin

  // The attacker sniffs an accepted genuine uplink (captures it if it waits for one).
  void observe(twin_index twin, std::int64_t arrival_us, const std::string& uplink,
               std::uint64_t counter);

  // Runs every attack session due before `before_us` through verification, in time order;
  // raises an `auth.rejected` event for each refused one.
  void run_until(std::int64_t before_us, std::vector<cloud_event>& events);

  [[nodiscard]] bool empty() const { return compromises_.empty() && spoofs_.empty(); }

 private:
  struct compromise {
    twin_index twin = 0;
    std::uint32_t stolen_generation = 0;
    bool captured = false;
    std::string captured_uplink;
    std::uint64_t captured_counter = 0;
    std::string rat;
    std::int64_t clone_interval_us = 0;   // 0: no clone
    std::int64_t replay_interval_us = 0;  // 0: no replays
    std::int64_t next_clone_us = 0;
    std::int64_t next_replay_us = 0;
    std::uint64_t clones = 0;
  };
  struct spoof {
    std::uint64_t id = 0;
    std::int32_t fleet = -1;
    bool claim_registered_key = false;
    std::int64_t session_interval_us = 0;
    std::int64_t malformed_interval_us = 0;
    std::int64_t next_session_us = 0;
    std::int64_t next_malformed_us = 0;
    std::uint64_t sent = 0;
  };
  enum class stream : std::uint8_t { replay, clone, spoof_session, malformed };
  struct due_stream {
    std::int64_t at_us = 0;
    stream kind = stream::replay;
    std::uint32_t index = 0;  // into compromises_ or spoofs_
    bool operator>(const due_stream& o) const {
      return std::tie(at_us, kind, index) > std::tie(o.at_us, o.kind, o.index);
    }
  };

  std::string clone_uplink(compromise& c, std::int64_t at_us);
  delivered_uplink spoof_uplink(spoof& s, std::int64_t at_us);
  delivered_uplink malformed_frame(spoof& s, std::int64_t at_us);
  twin_index spoof_target(spoof& s, std::uint64_t n) const;

  auth_service& auth_;
  secure_element_bank attacker_element_;  // the attacker's copy of stolen keys
  std::vector<compromise> compromises_;
  std::vector<spoof> spoofs_;
  std::vector<std::pair<twin_index, std::uint32_t>> by_twin_;  // compromises by twin
  std::priority_queue<due_stream, std::vector<due_stream>, std::greater<>> queue_;
};

}  // namespace twelvefold::actors
