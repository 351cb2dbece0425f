// module: the typed session interface the device actor drives (sync_wanted, begin_session,
// end_sync); the penalty box is the modem's, reflected through set_transport.
#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

constexpr std::int64_t us_per_minute = 60'000'000;
constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

}  // namespace

std::int32_t module::impl::effective_minutes(const module& m, bool outbound) {
  const std::int32_t base = outbound ? m.outbound_minutes_ : m.inbound_minutes_;
  const extended* e = m.ext_.get();
  if (e == nullptr || m.power_.samples == 0) return base;
  const std::string& variable = outbound ? e->voutbound : e->vinbound;
  if (variable.empty()) return base;
  const auto text = detail::voltage_variable(variable, voltage_level(m));
  if (!text) return base;
  std::int32_t minutes = 0;
  if (std::from_chars(text->data(), text->data() + text->size(), minutes).ec != std::errc{}) {
    return base;
  }
  return minutes;
}

bool module::impl::other_outbound_pending(const extended& e) {
  for (const auto& [name, file] : e.files) {
    for (const stored_note& note : file.notes) {
      if (note.dirty) return true;
    }
  }
  for (const auto& [name, entry] : e.templates) {
    if (entry.dirty) return true;
  }
  return e.dfu.report_dirty;
}

bool module::sync_wanted(std::int64_t now_us) const {
  const auto next = next_sync_us(now_us);
  return next && *next <= now_us;
}

std::optional<std::int64_t> module::next_sync_us(std::int64_t now_us) const {
  if (sync_open_) return std::nullopt;
  // off: the radio is disabled; dfu: the module is busy with a firmware download.
  if (mode_ == hub_mode::off || mode_ == hub_mode::dfu) return std::nullopt;
  const std::int64_t earliest = std::max(now_us, penalty_until_us_);
  if (sync_requested_) return earliest;
  // minimum: only an explicit hub.sync (or sync:true) starts a session.
  if (mode_ == hub_mode::minimum) return std::nullopt;
  const extended* e = ext_.get();
  std::int64_t next = never;
  if (notes_pending() > 0 || (e != nullptr && impl::other_outbound_pending(*e))) {
    next = last_sync_attempt_us_ +
           static_cast<std::int64_t>(impl::effective_minutes(*this, true)) * us_per_minute;
  }
  if (e != nullptr && e->inbound_explicit) {
    const std::int32_t minutes = impl::effective_minutes(*this, false);
    if (minutes > 0) {
      next = std::min(next, last_sync_attempt_us_ + std::int64_t{minutes} * us_per_minute);
    }
  }
  if (next == never) return std::nullopt;
  return std::max(next, earliest);
}

std::optional<std::int64_t> module::penalty_until_us(std::int64_t now_us) const {
  if (penalty_until_us_ > now_us) return penalty_until_us_;
  return std::nullopt;
}

void module::impl::collect_session(module& m, sync_uplink& up, bool everything,
                                   std::int64_t now_us) {
  // Oldest first across all files: each queue is in seq order, so repeatedly taking the smallest
  // front is a merge. Files are few, so a linear scan per note beats a heap.
  m.in_session_.clear();
  while (m.in_session_.size() < m.limits_.max_notes_per_sync) {
    std::deque<outbound_note>* oldest = nullptr;
    for (auto& [file, queue] : m.outbound_) {
      if (!queue.empty() && (oldest == nullptr || queue.front().seq < oldest->front().seq)) {
        oldest = &queue;
      }
    }
    if (oldest == nullptr) break;
    m.in_session_.push_back(std::move(oldest->front()));
    oldest->pop_front();
  }
  // An emptied queue still holds its deque block (~0.8 KB): a million idle twins would keep
  // 0.7 GiB of them. Drop empty queues; the next note.add recreates its own.
  std::erase_if(m.outbound_, [](const auto& entry) { return entry.second.empty(); });
  up.notes = m.in_session_;
  extended* e = m.ext_.get();
  if (!everything || e == nullptr) return;

  for (auto& [name, file] : e->files) {
    if (!detail::is_replicated(detail::classify_notefile(name))) continue;
    const bool encrypted = detail::classify_notefile(name) == detail::notefile_kind::dbs;
    for (stored_note& note : file.notes) {
      if (!note.dirty) continue;
      note.sent_change = note.change;
      up.db_changes.push_back({.file = name,
                               .note_id = note.id,
                               .body_json = note.body_json.empty() ? "{}" : note.body_json,
                               .payload_b64 = note.payload_b64,
                               .utc_s = note.utc_s,
                               .deleted = note.deleted,
                               .encrypted = encrypted});
    }
  }
  for (auto& [name, entry] : e->templates) {
    if (!entry.dirty) continue;
    entry.in_session = true;
    up.templates.push_back(entry.definition);
  }
  for (web_entry& entry : e->web) {
    if (entry.state != web_state::queued) continue;
    entry.state = web_state::in_session;
    up.web_requests.push_back(entry.request);
  }
  if ((e->triangulate_cell || e->triangulate_wifi)) {
    triangulation_scan scan;
    scan.cell = e->triangulate_cell;
    scan.wifi = e->triangulate_wifi && !e->wifi_text.empty();
    if (scan.wifi) {
      scan.wifi_text = e->wifi_text;
      scan.wifi_utc_s = e->wifi_utc_s != 0 ? e->wifi_utc_s : utc_or_zero(m, now_us);
    }
    if (scan.cell || scan.wifi) {
      e->scan_in_session = true;
      up.scan = std::move(scan);
    }
  }
  if (e->dfu.report_dirty) {
    e->dfu.report_in_session = true;
    up.dfu = e->dfu.report;
  }
}

sync_uplink module::begin_session(std::int64_t now_us) {
  sync_uplink up;
  if (sync_open_) return up;
  sync_open_ = true;
  sync_requested_ = false;    // answered by this session, whatever its outcome
  penalty_override_ = false;  // the device actor read it for this session
  last_sync_attempt_us_ = now_us;
  ++sync_attempts_;
  impl::collect_session(*this, up, /*everything=*/true, now_us);
  return up;
}

std::vector<outbound_note> module::begin_sync(std::int64_t now_us) {
  if (sync_open_) return {};
  sync_open_ = true;
  sync_requested_ = false;
  last_sync_attempt_us_ = now_us;
  ++sync_attempts_;
  sync_uplink up;
  impl::collect_session(*this, up, /*everything=*/false, now_us);
  return std::move(up.notes);
}

void module::impl::settle_session(module& m, bool success, std::int64_t now_us) {
  extended* e = m.ext_.get();
  if (e == nullptr) return;
  for (auto& [name, file] : e->files) {
    auto& notes = file.notes;
    for (stored_note& note : notes) {
      if (note.sent_change == 0) continue;
      // Changed again during the session: the newer version still has to go up.
      if (success && note.sent_change == note.change) note.dirty = false;
      note.sent_change = 0;
    }
    if (success) {
      std::erase_if(notes, [](const stored_note& n) { return n.deleted && !n.dirty; });
    }
  }
  for (auto& [name, entry] : e->templates) {
    if (!entry.in_session) continue;
    if (success) entry.dirty = false;
    entry.in_session = false;
  }
  for (web_entry& entry : e->web) {
    if (entry.state == web_state::in_session) {
      entry.state = success ? web_state::in_flight : web_state::queued;
    }
  }
  if (e->scan_in_session) {
    if (success) e->last_scan_utc_s = utc_or_zero(m, now_us);
    e->scan_in_session = false;
  }
  if (e->dfu.report_in_session) {
    if (success) e->dfu.report_dirty = false;
    e->dfu.report_in_session = false;
  }
}

void module::end_sync(std::int64_t now_us, const sync_downlink* downlink) {
  if (!sync_open_) return;  // no session: nothing to close (a late or duplicate completion)
  sync_open_ = false;
  if (downlink == nullptr) {
    impl::requeue_front(*this, in_session_);
    impl::settle_session(*this, false, now_us);
    // Counted for card.wireless.penalty; the box itself is the modem's (set_transport).
    if (failures_ == 0) first_failure_us_ = now_us;
    ++failures_;
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
  std::vector<outbound_note>().swap(in_session_);  // give the capacity back while idle
  impl::requeue_front(*this, unacked);
  utc_offset_us_ = downlink->utc_us - now_us;
  impl::settle_session(*this, true, now_us);
  failures_ = 0;
  penalty_until_us_ = 0;

  if (downlink->env_changed) {
    // Replace the cloud scope, stamping what changed (env.get time) and telling ATTN.
    env_scope next;
    bool changed = false;
    for (const auto& [key, value] : downlink->env) {
      const auto old = env_cloud_.find(key);
      const bool same = old != env_cloud_.end() && old->second.value == value;
      next.insert_or_assign(key, env_entry{value, same ? old->second.modified_us : now_us});
      changed = changed || !same;
    }
    for (const auto& [key, entry] : env_cloud_) {
      if (!next.contains(key)) {
        env_removed_us_ = now_us;
        changed = true;
      }
    }
    env_cloud_ = std::move(next);
    if (changed) impl::attn_event(*this, "env", now_us);
  }
  for (const inbound_note& note : downlink->inbound) impl::apply_inbound(*this, note, now_us);
  for (const web_response& response : downlink->web_responses) {
    impl::apply_web_response(*this, response, now_us);
  }
  if (downlink->location) set_location(*downlink->location);
  if (downlink->dfu) offer_dfu(now_us, *downlink->dfu);
  impl::attn_event(*this, "connected", now_us);
  last_sync_success_us_ = now_us;
}

void module::deliver_web_response(std::int64_t now_us, const web_response& response) {
  impl::apply_web_response(*this, response, now_us);
}

}  // namespace twelvefold::shim
