// module: note.add and the outbound queues it fills.
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json;
using detail::reply;

constexpr std::string_view default_notefile = "data.qo";

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Outbound queues only in this cut: .qo plain, .qos encrypted (same behaviour here).
bool is_outbound_queue(std::string_view file) {
  return ends_with(file, ".qo") || ends_with(file, ".qos");
}

}  // namespace

reply module::impl::note_add(module& m, const json& request, std::int64_t now_us) {
  auto file_field = detail::string_field(request, "file");
  if (!file_field) return std::unexpected(std::move(file_field.error()));
  const std::string_view file = file_field->value_or(default_notefile);
  if (!is_outbound_queue(file)) {
    std::string text = "notefile '";
    text.append(file).append(
        "' is not an outbound queue (.qo, .qos); other Notefiles are not supported yet "
        "{not-supported}");
    return std::unexpected(std::move(text));
  }
  const json* body = detail::find_field(request, "body");
  if (body != nullptr && !body->is_object()) {
    return std::unexpected(detail::type_error("body", "an object"));
  }
  if (detail::find_field(request, "payload") != nullptr) {
    return std::unexpected(std::string("field 'payload': not supported yet {not-supported}"));
  }
  auto sync = detail::bool_field(request, "sync");
  if (!sync) return std::unexpected(std::move(sync.error()));

  outbound_note note;
  note.seq = m.next_seq_++;
  note.file = file;
  note.body_json = body != nullptr ? body->dump() : std::string("{}");
  note.added_us = now_us;
  note.stamped_utc_s = utc_s(m, now_us).value_or(0);

  auto queue = m.outbound_.find(file);
  if (queue == m.outbound_.end()) queue = m.outbound_.try_emplace(std::string(file)).first;
  queue->second.push_back(std::move(note));
  ++m.counters_.notes_added;
  enforce_queue_limit(m, queue->second);
  if (sync->value_or(false)) request_sync(m, now_us);

  json response = json::object();
  response["total"] = queue->second.size();
  return response;
}

void module::impl::enforce_queue_limit(module& m, std::deque<outbound_note>& queue) {
  // A full queue keeps the newest data: the oldest Note is the least useful one to lose.
  while (queue.size() > m.limits_.max_queued_notes) {
    queue.pop_front();
    ++m.counters_.notes_dropped;
  }
}

void module::impl::requeue_front(module& m, std::vector<outbound_note>& notes) {
  // Walking backwards and pushing to the front restores each file's original (seq) order.
  for (auto it = notes.rbegin(); it != notes.rend(); ++it) {
    auto queue = m.outbound_.find(it->file);
    if (queue == m.outbound_.end()) queue = m.outbound_.try_emplace(it->file).first;
    queue->second.push_front(std::move(*it));
  }
  for (auto& [file, queue] : m.outbound_) enforce_queue_limit(m, queue);
  notes.clear();
}

}  // namespace twelvefold::shim
