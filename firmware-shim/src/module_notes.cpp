// module: note.add and the outbound queues it fills.
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json_value;
using detail::json_writer;
using detail::notefile_kind;
using detail::reply;

constexpr std::string_view default_notefile = "data.qo";

std::string notefile_error(std::string_view file, std::string_view what) {
  std::string text = "notefile '";
  text.append(file).append("' ").append(what);
  return text;
}

}  // namespace

reply module::impl::note_add(module& m, const json_value& req, json_writer& out,
                             std::int64_t now_us) {
  detail::fields f(req);
  const std::string_view file = f.string("file").value_or(default_notefile);
  const auto note_id = f.string("note");
  const json_value body = f.object("body");
  const auto payload = f.string("payload");
  const auto sync = f.boolean("sync");
  const auto binary = f.boolean("binary");
  f.string("key");
  f.boolean("verify");
  f.boolean("live");
  f.boolean("full");
  if (!f.ok()) return f.failure();

  const notefile_kind kind = detail::classify_notefile(file);
  if (kind == notefile_kind::invalid) {
    return std::unexpected(
        notefile_error(file,
                       "is not a Notefile name the device may add to (.qo, .qos, .db, .dbs, .dbx) "
                       "{not-supported}"));
  }
  if (detail::is_inbound(kind)) {
    return std::unexpected(
        notefile_error(file, "is an inbound queue: only the cloud adds to it {not-supported}"));
  }
  if (binary.value_or(false)) {
    return std::unexpected(
        std::string("field 'binary': the binary buffer is not modelled "
                    "{not-supported}"));
  }
  if (detail::is_outbound(kind) && note_id) {
    return std::unexpected(std::string("field 'note': only database Notefiles have Note ids"));
  }
  std::size_t payload_bytes = 0;
  if (payload) {
    const auto size = detail::base64_decoded_size(*payload);
    if (!size) return std::unexpected(detail::type_error("payload", "base64 text"));
    payload_bytes = *size;
  }
  const template_entry* tmpl = nullptr;
  if (extended* e = m.ext_.get()) {
    if (const auto it = e->templates.find(file); it != e->templates.end()) tmpl = &it->second;
  }
  if (tmpl == nullptr && payload_bytes > m.limits_.max_payload_bytes) {
    return std::unexpected("payload of " + std::to_string(payload_bytes) + " bytes exceeds the " +
                           std::to_string(m.limits_.max_payload_bytes) +
                           "-byte limit of untemplated Notes {payload-too-large}");
  }

  if (detail::is_outbound(kind)) {
    outbound_note note;
    note.file = file;
    note.added_us = now_us;
    note.stamped_utc_s = utc_or_zero(m, now_us);
    note.encrypted = kind == notefile_kind::qos;
    if (payload) note.payload_b64 = *payload;
    if (tmpl != nullptr) {
      if (auto encoded = apply_template(m, *tmpl, body, note.payload_b64, note); !encoded) {
        return encoded;
      }
    } else {
      note.body_json = body.present() ? body.compact_text() : std::string("{}");
      note.encoded_size = static_cast<std::uint32_t>(note.body_json.size() + payload_bytes);
    }
    const std::size_t total = enqueue_outbound(m, std::move(note));
    if (sync.value_or(false)) request_sync(m, now_us);
    out.field("total", static_cast<std::uint64_t>(total));
    if (tmpl != nullptr) out.field("template", true);
    return {};
  }

  // Database Notefiles: a Note id, generated when absent or "?" (as the Notecard does for "?").
  notefile& target = file_of(m, file);
  std::string id;
  const bool generated = !note_id || *note_id == "?" || note_id->empty();
  if (generated) {
    do {
      id = std::to_string(target.next_id++);
    } while (find_note(target, id) != nullptr);
  } else {
    id = *note_id;
    if (const stored_note* existing = find_note(target, id);
        existing != nullptr && !existing->deleted) {
      return std::unexpected("note '" + id + "' already exists in '" + std::string(file) +
                             "': use note.update {note-exists}");
    }
  }
  put_db_note(m, file, id, body.present() ? body.compact_text() : std::string(),
              payload ? std::string(*payload) : std::string(), now_us);
  if (sync.value_or(false)) request_sync(m, now_us);
  std::size_t total = 0;
  for (const stored_note& n : target.notes) total += n.deleted ? 0 : 1;
  out.field("total", static_cast<std::uint64_t>(total));
  if (generated) out.field("note", id);
  return {};
}

std::size_t module::impl::enqueue_outbound(module& m, outbound_note note) {
  note.seq = m.next_seq_++;
  auto queue = m.outbound_.find(note.file);
  if (queue == m.outbound_.end()) queue = m.outbound_.try_emplace(note.file).first;
  queue->second.push_back(std::move(note));
  ++m.counters_.notes_added;
  enforce_queue_limit(m, queue->second);
  return queue->second.size();
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
