// module: the typed sync interface the device actor drives (begin_sync / end_sync).
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {
constexpr std::int64_t us_per_minute = 60'000'000;
}  // namespace

bool module::sync_wanted(std::int64_t now_us) const {
  if (sync_open_) return false;
  // off: the radio is disabled; dfu: the module is busy with a firmware download.
  if (mode_ == hub_mode::off || mode_ == hub_mode::dfu) return false;
  if (sync_requested_) return true;
  // minimum: only an explicit hub.sync (or sync:true) starts a session.
  if (mode_ == hub_mode::minimum) return false;
  if (notes_pending() == 0) return false;
  return now_us - last_sync_attempt_us_ >=
         static_cast<std::int64_t>(outbound_minutes_) * us_per_minute;
}

std::vector<outbound_note> module::begin_sync(std::int64_t now_us) {
  if (sync_open_) return {};
  sync_open_ = true;
  sync_requested_ = false;  // answered by this session, whatever its outcome
  last_sync_attempt_us_ = now_us;
  ++sync_attempts_;

  // Oldest first across all files: each queue is in seq order, so repeatedly taking the smallest
  // front is a merge. Files are few, so a linear scan per note beats a heap.
  in_session_.clear();
  while (in_session_.size() < limits_.max_notes_per_sync) {
    std::deque<outbound_note>* oldest = nullptr;
    for (auto& [file, queue] : outbound_) {
      if (!queue.empty() && (oldest == nullptr || queue.front().seq < oldest->front().seq)) {
        oldest = &queue;
      }
    }
    if (oldest == nullptr) break;
    in_session_.push_back(std::move(oldest->front()));
    oldest->pop_front();
  }
  return in_session_;
}

void module::end_sync(std::int64_t now_us, const sync_downlink* downlink) {
  if (!sync_open_) return;  // no session: nothing to close (a late or duplicate completion)
  sync_open_ = false;
  if (downlink == nullptr) {
    impl::requeue_front(*this, in_session_);
    return;
  }
  // Notes the cloud did not acknowledge (a partial session) wait for the next one.
  std::vector<outbound_note> unacked;
  for (outbound_note& note : in_session_) {
    if (note.seq <= downlink->acked_through_seq) {
      ++counters_.notes_delivered;
    } else {
      unacked.push_back(std::move(note));
    }
  }
  in_session_.clear();
  impl::requeue_front(*this, unacked);
  utc_offset_us_ = downlink->utc_us - now_us;
  if (downlink->env_changed) {
    env_cloud_ =
        std::map<std::string, std::string, std::less<>>(downlink->env.begin(), downlink->env.end());
  }
  last_sync_success_us_ = now_us;
}

}  // namespace twelvefold::shim
