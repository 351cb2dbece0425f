// The DFU campaign engine (see dfu_campaign.hpp).
#include "cloud/dfu_campaign.hpp"

#include <algorithm>

#include "twelvefold/models/random.hpp"

namespace twelvefold::actors::dfu {
namespace {

// Each campaign takes two values of the twin's DFU stream: the selection draw, then the apply
// draw; campaigns are independent of each other and of everything else in the run.
double draw(std::uint64_t seed, std::uint32_t twin, std::uint32_t campaign_id, int which) {
  models::random_stream rng(seed, twin, models::stream_purpose::dfu);
  double value = 0;
  const std::uint64_t skip = 2ULL * (campaign_id == 0 ? 0 : campaign_id - 1) + which;
  for (std::uint64_t i = 0; i <= skip; ++i) value = rng.uniform();
  return value;
}

}  // namespace

bool finished(phase p) {
  switch (p) {
    case phase::none:
    case phase::applied:
    case phase::failed:
    case phase::rolled_back:
    case phase::reverted:
    case phase::cancelled:
    case phase::skipped:
      return true;
    default:
      return false;
  }
}

double stage_percent(const dfu_campaign_spec& c, std::int64_t now_us) {
  double percent = 0;
  for (const dfu_stage_spec& stage : c.stages) {
    if (now_us >= c.start_us + stage.after_us) percent = std::max(percent, stage.percent);
  }
  return percent;
}

double selection_draw(std::uint64_t seed, std::uint32_t twin, std::uint32_t campaign_id) {
  return draw(seed, twin, campaign_id, 0);
}

bool selected(std::uint64_t seed, std::uint32_t twin, std::uint32_t campaign_id, double percent) {
  return percent > 0 && selection_draw(seed, twin, campaign_id) * 100.0 < percent;
}

bool apply_fails(std::uint64_t seed, std::uint32_t twin, std::uint32_t campaign_id, double rate) {
  return rate > 0 && draw(seed, twin, campaign_id, 1) < rate;
}

std::uint32_t chunk_bytes_per_session(std::string_view rat) {
  // What one session's downlink carries on top of its own message: about what the RAT moves
  // in a few seconds of connected time, so a session stays short (docs/cloud-dfu.md).
  if (rat == "wifi") return 256 * 1024;
  if (rat == "lte-m" || rat == "umts") return 64 * 1024;
  if (rat == "nb-iot" || rat == "gprs") return 16 * 1024;
  if (rat == "ntn") return 512;     // one NTN IoT message
  if (rat == "lorawan") return 51;  // one EU868 SF12 frame (RP002 maximum payload)
  return 0;
}

bool packet_limited(std::string_view rat) { return rat == "lorawan" || rat == "ntn"; }

void health_gate::record(std::int64_t at_us, bool attempt, bool bad) {
  entries_.push_back({at_us, attempt, bad});
  attempts_ += attempt ? 1 : 0;
  all_attempts_ += attempt ? 1 : 0;
  bad_ += bad ? 1 : 0;
}

bool health_gate::tripped(const dfu_campaign_spec& c, std::int64_t now_us) {
  while (!entries_.empty() && entries_.front().at_us < now_us - c.gate_window_us) {
    attempts_ -= entries_.front().attempt ? 1 : 0;
    bad_ -= entries_.front().bad ? 1 : 0;
    entries_.pop_front();
  }
  // Failed applies are judged against the applies of the same window; reboots and silences
  // come after the apply (a silence a whole window after), so against every twin updated.
  windowed_ = c.gate_metric == dfu_metric::apply_failures;
  const std::uint64_t attempts = windowed_ ? attempts_ : all_attempts_;
  if (!c.has_gate || attempts == 0 || attempts < c.gate_min_samples) return false;
  return rate() > c.gate_max_failure_rate;
}

double health_gate::rate() const {
  const std::uint64_t attempts = windowed_ ? attempts_ : all_attempts_;
  return attempts == 0 ? 0 : static_cast<double>(bad_) / static_cast<double>(attempts);
}

phase on_halt(const dfu_campaign_spec& c, phase p) {
  switch (p) {
    case phase::offered:
    case phase::ready:
      return phase::cancelling;
    case phase::applied:
    case phase::reverting:
      return c.rollback ? phase::rolling_back : p;
    default:
      return p;
  }
}

}  // namespace twelvefold::actors::dfu
