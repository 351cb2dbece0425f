// Cloud-side state that travels down to devices (see db_sync.hpp).
#include "cloud/db_sync.hpp"

#include <algorithm>

namespace twelvefold::actors::cloud {
namespace {

std::string key_of(const std::string& file, const std::string& note_id) {
  return file + '\n' + note_id;
}

}  // namespace

db_sync::db_sync(std::size_t twins, std::size_t fleets)
    : fleet_log_(fleets), fleet_cursor_(twins, 0) {}

void db_sync::queue_change(twin_state& t, const cloud_change& change) {
  down_item item;
  item.seq = t.next_seq++;
  item.database = change.database;
  item.change.set_file(change.file);
  item.change.set_body(change.body);
  item.change.set_utc_s(change.utc_s);
  if (change.database) {
    item.change.set_note_id(change.note_id);
    item.change.set_deleted(change.deleted);
    // The cloud copy takes the change now; a newer device edit may still win (session()).
    t.db[key_of(change.file, change.note_id)] = item.change;
    // A newer cloud change to the same Note replaces one not yet delivered.
    std::erase_if(t.pending, [&](const down_item& d) {
      return d.database && d.change.file() == change.file && d.change.note_id() == change.note_id;
    });
  } else {
    ++inbound_sent_;
  }
  t.pending.push_back(std::move(item));
}

void db_sync::change_twin(twin_index twin, const cloud_change& change) {
  queue_change(state_of(twin), change);
}

void db_sync::change_fleet(std::uint32_t fleet, cloud_change change) {
  if (fleet < fleet_log_.size()) fleet_log_[fleet].push_back(std::move(change));
}

bool db_sync::first_web_request(twin_index twin, std::uint64_t id) {
  twin_state& t = state_of(twin);
  if (t.web_seen != 0 && id < t.web_seen) return false;
  t.web_seen = id + 1;
  return true;
}

void db_sync::session(twin_index twin, std::uint32_t fleet, std::int64_t arrival_us,
                      wire::v1::SessionUplink& up, std::vector<web_answer> answers,
                      wire::v1::SessionDownlink& down,
                      std::vector<wire::v1::NoteChange>& accepted_up) {
  const bool fleet_news = fleet < fleet_log_.size() && twin < fleet_cursor_.size() &&
                          fleet_cursor_[twin] < fleet_log_[fleet].size();
  auto found = twins_.find(twin);
  if (found == twins_.end() && !fleet_news && answers.empty() && up.db_changes_size() == 0) {
    return;  // nothing to reconcile: most twins, most sessions
  }
  twin_state& t = found != twins_.end() ? found->second : twins_[twin];

  // 1. What the device acknowledges it applied.
  const std::uint64_t acked = up.down_acked_seq();
  std::erase_if(t.pending, [&](const down_item& d) {
    if (d.seq > acked) return false;
    if (!d.web) ++(d.database ? db_down_ : inbound_delivered_);
    return true;
  });
  // 2. Fleet-wide changes made since this twin's last sync.
  if (fleet_news) {
    auto& log = fleet_log_[fleet];
    for (std::uint32_t k = fleet_cursor_[twin]; k < log.size(); ++k) queue_change(t, log[k]);
    fleet_cursor_[twin] = static_cast<std::uint32_t>(log.size());
  }
  // 3. The device's database changes, against the cloud's (see the conflict rule).
  for (wire::v1::NoteChange& change : *up.mutable_db_changes()) {
    const auto pending = std::find_if(t.pending.begin(), t.pending.end(), [&](const down_item& d) {
      return d.database && d.change.file() == change.file() &&
             d.change.note_id() == change.note_id();
    });
    if (pending != t.pending.end()) {
      ++conflicts_;
      if (change.utc_s() <= pending->change.utc_s()) continue;  // the cloud's edit wins
      t.pending.erase(pending);
    }
    ++db_up_;
    t.db[key_of(change.file(), change.note_id())] = change;
    accepted_up.push_back(std::move(change));
  }
  // 4. Web answers: those ready now go down, the others wait for a later session.
  for (web_answer& a : answers) t.waiting.push_back(std::move(a));
  std::stable_sort(t.waiting.begin(), t.waiting.end(),
                   [](const auto& a, const auto& b) { return a.ready_at_us < b.ready_at_us; });
  std::size_t ready = 0;
  while (ready < t.waiting.size() && t.waiting[ready].ready_at_us <= arrival_us) {
    const web_answer& a = t.waiting[ready++];
    down_item item;
    item.seq = t.next_seq++;
    item.web = true;
    item.response.set_id(a.id);
    item.response.set_result(a.result);
    item.response.set_body(a.body);
    t.pending.push_back(std::move(item));
  }
  t.waiting.erase(t.waiting.begin(), t.waiting.begin() + static_cast<std::ptrdiff_t>(ready));
  // 5. Everything not yet acknowledged goes down (again).
  std::uint64_t highest = 0;
  for (const down_item& d : t.pending) {
    if (d.web) {
      *down.add_web_responses() = d.response;
    } else {
      *down.add_inbound() = d.change;
    }
    highest = std::max(highest, d.seq);
  }
  down.set_down_seq(highest);
}

void db_sync::report(routes_report& r) const {
  r.db_up = db_up_;
  r.db_down = db_down_;
  r.db_conflicts = conflicts_;
  r.inbound_sent = inbound_sent_;
  r.inbound_delivered = inbound_delivered_;
}

const wire::v1::NoteChange* db_sync::cloud_copy(twin_index twin, const std::string& file,
                                                const std::string& note_id) const {
  const auto t = twins_.find(twin);
  if (t == twins_.end()) return nullptr;
  const auto it = t->second.db.find(key_of(file, note_id));
  return it == t->second.db.end() ? nullptr : &it->second;
}

}  // namespace twelvefold::actors::cloud
