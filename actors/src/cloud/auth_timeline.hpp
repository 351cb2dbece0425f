// The auth and identity events of the scenario timeline, applied by the management service
// (docs/cloud-auth.md): KeyCompromise and SpoofAttack start attacks, CertRotation rotates the
// server certificate, HardwareReplacement re-binds a serial to new hardware.
#pragma once

#include <cstdint>
#include <vector>

#include "cloud/auth.hpp"
#include "cloud/auth_attacks.hpp"

namespace twelvefold::scenario::v1 {
class TimelineEvent;
}

namespace twelvefold::actors {

// True when `event` was one of ours (and is applied); false for other kinds.
bool apply_auth_event(auth_service& auth, attack_plan& attacks,
                      const scenario::v1::TimelineEvent& event, std::int64_t at_us,
                      std::vector<cloud_event>& events);

}  // namespace twelvefold::actors
