// The DFU campaign engine (factor 8), pure: which twins a campaign targets as its stages open,
// how big a chunk a session carries, and when the health gate halts it. No actors, no I/O:
// the management service (dfu_service.hpp) drives it; tests/actors/dfu_test.cpp checks it.
#pragma once

#include <cstdint>
#include <deque>
#include <string_view>

#include "twelvefold/actors/dfu_spec.hpp"

namespace twelvefold::actors::dfu {

// Where one twin is with its current campaign, as the cloud knows it.
enum class phase : std::uint8_t {
  none,          // not part of a campaign (or its campaign is over for it)
  offered,       // targeted: chunks go down with its sessions
  ready,         // the device has the whole image
  applied,       // running the new image (or asset)
  failed,        // apply failed: still on its old image
  rolling_back,  // the gate tripped: a revert goes down with its next session
  rolled_back,
  reverting,  // diagnostic image: its time is up, a revert goes down next
  reverted,
  cancelling,  // the campaign halted during its download: a cancel goes down next
  cancelled,
  skipped,  // on a packet-limited RAT and the campaign does not allow them
};

// Where the device says it is (wire DfuReport.state).
enum class device_state : std::uint8_t {
  none = 0,
  downloading = 1,
  ready = 2,
  applied = 3,
  failed = 4,
  reverted = 5,
};

// Per-twin cloud-side DFU state: 16 bytes (a million twins: 16 MB).
struct twin_state {
  std::uint32_t received_bytes = 0;  // as the device last reported
  std::int32_t applied_at_s = 0;     // virtual seconds, when it reported the apply
  std::int32_t last_seen_s = 0;      // virtual seconds, its last session
  std::uint8_t campaign = 0;         // id (index + 1), 0 none
  phase where = phase::none;
  std::uint8_t resets_at_apply = 0;  // reset counter (low 8 bits) when it applied
  std::uint8_t flags = 0;            // flag_* below
};
static_assert(sizeof(twin_state) <= 16);
inline constexpr std::uint8_t flag_rebooted = 1;  // counted as a reboot after the update
inline constexpr std::uint8_t flag_silent = 2;    // counted as silent after the update

// True for phases after which the twin may join a later campaign.
[[nodiscard]] bool finished(phase p);

// The share of the fleet (0..100) a campaign targets at `now_us` (0 before its first stage).
[[nodiscard]] double stage_percent(const dfu_campaign_spec& c, std::int64_t now_us);

// The twin's fixed draw in [0, 1) for campaign `campaign_id`: targeted once the stage percent
// exceeds draw * 100. One draw per twin per campaign, so stages only ever add twins.
[[nodiscard]] double selection_draw(std::uint64_t seed, std::uint32_t twin,
                                    std::uint32_t campaign_id);
[[nodiscard]] bool selected(std::uint64_t seed, std::uint32_t twin, std::uint32_t campaign_id,
                            double percent);

// Whether applying campaign `campaign_id`'s image fails on this twin (rate in [0, 1]).
[[nodiscard]] bool apply_fails(std::uint64_t seed, std::uint32_t twin, std::uint32_t campaign_id,
                               double rate);

// Bytes of image one session carries on a RAT ("lte-m", "nb-iot", ... as models::rat_name);
// 0 for an unknown RAT. Packet-limited RATs carry one frame's worth.
[[nodiscard]] std::uint32_t chunk_bytes_per_session(std::string_view rat);
[[nodiscard]] bool packet_limited(std::string_view rat);

// The health gate's sliding window: attempts (applies, or failed applies) and bad outcomes
// (failures, reboots or silences after an update, per the gate's metric). apply_failures:
// failed / attempted applies within the window; reboots and silent: twins that reset or went
// quiet within the window / twins updated since the campaign began.
class health_gate {
 public:
  void record(std::int64_t at_us, bool attempt, bool bad);
  // Drops what fell out of the window and judges: true when at least min_samples attempts
  // count and bad / attempts exceeds the gate's rate.
  [[nodiscard]] bool tripped(const dfu_campaign_spec& c, std::int64_t now_us);
  [[nodiscard]] double rate() const;

 private:
  struct entry {
    std::int64_t at_us;
    bool attempt;
    bool bad;
  };
  std::deque<entry> entries_;       // per campaign, not per twin
  std::uint64_t attempts_ = 0;      // in the window
  std::uint64_t all_attempts_ = 0;  // since the campaign started
  std::uint64_t bad_ = 0;           // in the window
  bool windowed_ = true;            // the rate's denominator: attempts_ or all_attempts_
};

// What the cloud does to a twin's DFU state when the campaign halts: downloads in progress are
// cancelled, and with rollback the twins already updated go back to their old image.
[[nodiscard]] phase on_halt(const dfu_campaign_spec& c, phase p);

}  // namespace twelvefold::actors::dfu
