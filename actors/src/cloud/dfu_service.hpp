// The management service's DFU part (factor 8): starts campaigns from the timeline, follows
// each twin through offer -> download -> apply (or fail) -> rollback / revert from what its
// sessions report, writes the DFU part of its downlinks, evaluates health gates and samples
// the firmware versions twins report. Owned by management_state; one call per session.
//
// Per twin it keeps 18 bytes (dfu::twin_state and the version the twin ran when it joined);
// per campaign a few counters and the health gate's window.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cloud/dfu_campaign.hpp"
#include "twelvefold/actors/world.hpp"

namespace twelvefold::wire::v1 {
class SessionUplink;
class SessionDownlink;
}  // namespace twelvefold::wire::v1

namespace twelvefold::actors {

class dfu_service {
 public:
  explicit dfu_service(std::shared_ptr<const world> the_world);

  // The campaign's timeline event: from now on its stages select twins. Unknown names are
  // ignored (the loader refuses them).
  void start(const std::string& campaign, std::int64_t now_us);

  // An accepted session's uplink: its DFU report, its status (version, RAT, resets).
  void on_uplink(twin_index twin, std::int64_t now_us, const wire::v1::SessionUplink& up,
                 std::vector<cloud_event>& events);

  struct chunk {
    std::uint32_t bytes = 0;    // image bytes this downlink carries (the radio charges them)
    std::uint8_t campaign = 0;  // campaign id, 0 none
  };
  // Writes the DFU part of the twin's downlink. `rat` is the RAT of this session.
  chunk fill_downlink(twin_index twin, std::int64_t now_us, const std::string& rat,
                      wire::v1::SessionDownlink& down, std::vector<cloud_event>& events);

  // Time-series point: `host_versions` counts twins by reported host firmware; assets are
  // added here. Also where the "silent" health gates look for twins gone quiet.
  void sample(std::int64_t at_us, std::map<std::string, std::uint64_t> host_versions,
              std::vector<cloud_event>& events);

  // Campaign figures at `end_us` (radio costs are the network actor's and filled in later).
  [[nodiscard]] dfu_totals totals(std::int64_t end_us) const;

  [[nodiscard]] const dfu::twin_state& twin(twin_index t) const { return twins_[t]; }

 private:
  struct campaign_run {
    bool started = false;
    std::int64_t halted_at_us = -1;
    dfu::health_gate gate;
    dfu_campaign_report report;
  };
  void halt(std::uint32_t id, twin_index by, std::int64_t now_us, std::vector<cloud_event>& events);
  void judge(std::uint32_t id, twin_index by, std::int64_t now_us,
             std::vector<cloud_event>& events);
  void event(std::vector<cloud_event>& events, twin_index twin, std::int64_t now_us,
             const char* kind, std::uint32_t id, const std::string& from, const std::string& to);
  std::uint16_t intern(const std::string& text);
  [[nodiscard]] std::string target_label(const dfu_campaign_spec& c) const;

  std::shared_ptr<const world> world_;
  std::vector<dfu::twin_state> twins_;
  // Version reported when the twin joined, then (once applied) the version it applied.
  std::vector<std::uint16_t> joined_from_;
  std::vector<std::uint16_t> asset_;  // asset version reported (interned, 0 none)
  std::vector<std::string> strings_{""};
  std::vector<campaign_run> campaigns_;  // index: campaign id - 1
  std::vector<firmware_version_point> versions_;
};

}  // namespace twelvefold::actors
