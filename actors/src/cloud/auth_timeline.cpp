#include "cloud/auth_timeline.hpp"

#include <algorithm>

#include "twelvefold/scenario/v1/scenario.pb.h"

namespace twelvefold::actors {
namespace {

// Parses "7d", "36h", "90m", "45s" (the scenario loader has validated it already).
std::int64_t overlap_of(const std::string& text) {
  if (text.empty()) return default_cert_overlap_us;
  std::int64_t total_us = 0;
  std::int64_t value = 0;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
      continue;
    }
    const std::int64_t scale = c == 'd'   ? 86'400'000'000LL
                               : c == 'h' ? 3'600'000'000LL
                               : c == 'm' ? 60'000'000LL
                               : c == 's' ? 1'000'000LL
                                          : 0;
    total_us += value * scale;
    value = 0;
  }
  return total_us;
}

std::int32_t fleet_index(const world& w, const std::string& name) {
  for (std::size_t f = 0; f < w.fleets.size(); ++f) {
    if (w.fleets[f].name == name) return static_cast<std::int32_t>(f);
  }
  return -1;
}

}  // namespace

bool apply_auth_event(auth_service& auth, attack_plan& attacks,
                      const scenario::v1::TimelineEvent& event, std::int64_t at_us,
                      std::vector<cloud_event>& events) {
  const world& w = auth.the_world();
  switch (event.event_case()) {
    case scenario::v1::TimelineEvent::kKeyCompromise: {
      const auto& k = event.key_compromise();
      std::vector<twin_index> twins;
      if (!k.fleet().empty()) {
        const std::int32_t f = fleet_index(w, k.fleet());
        for (twin_index t = 0; t < w.twins.size(); ++t) {
          if (static_cast<std::int32_t>(w.twins[t].fleet) == f) twins.push_back(t);
        }
      }
      for (const std::string& serial : k.serials()) {
        // Serials of a scaled-down run may not exist: skipped, as the loader checked the rest.
        if (auto t = twin_of_serial(w, serial)) twins.push_back(*t);
      }
      std::sort(twins.begin(), twins.end());
      twins.erase(std::unique(twins.begin(), twins.end()), twins.end());
      attacks.add_compromise(twins, at_us,
                             k.has_clone_sessions_per_hour() ? k.clone_sessions_per_hour() : 1.0,
                             k.has_replays_per_hour() ? k.replays_per_hour() : 1.0);
      return true;
    }
    case scenario::v1::TimelineEvent::kSpoofAttack: {
      const auto& sp = event.spoof_attack();
      attacks.add_spoof(at_us, sp.has_sessions_per_hour() ? sp.sessions_per_hour() : 10.0,
                        sp.claim_registered_key(),
                        sp.has_malformed_per_hour() ? sp.malformed_per_hour() : 0.0,
                        sp.fleet().empty() ? -1 : fleet_index(w, sp.fleet()));
      return true;
    }
    case scenario::v1::TimelineEvent::kCertRotation:
      auth.rotate_cert(at_us, overlap_of(event.cert_rotation().overlap()));
      return true;
    case scenario::v1::TimelineEvent::kHardwareReplacement: {
      if (auto t = twin_of_serial(w, event.hardware_replacement().serial())) {
        auth.replace_hardware(*t, at_us);
        const std::uint32_t generation = auth.generation(*t);
        events.push_back({*t, at_us, "identity.rebind", "",
                          "{\"generation\":" + std::to_string(generation) + ",\"device_id\":\"" +
                              device_id_for(w, *t, generation) + "\"}",
                          ""});
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace twelvefold::actors
