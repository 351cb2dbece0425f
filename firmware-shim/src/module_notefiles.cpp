// module: Notefiles other than outbound queues — inbound queues (.qi/.qis) and databases
// (.db/.dbs replicated, .dbx local) — with note.get / note.update / note.delete / note.changes
// and var.set / var.get (which are Notes in a database file).
#include <algorithm>
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json_kind;
using detail::json_value;
using detail::json_writer;
using detail::notefile_kind;
using detail::reply;

constexpr std::string_view default_inbound = "data.qi";
constexpr std::string_view default_vars = "vars.db";

std::string not_found(std::string_view file, std::string_view id) {
  std::string text = "note '";
  text.append(id).append("' not found in '").append(file).append("' {note-noexist}");
  return text;
}

// The kinds a request may read; an err text otherwise.
std::optional<std::string> readable(std::string_view file, notefile_kind kind) {
  if (kind == notefile_kind::invalid) {
    return "notefile '" + std::string(file) +
           "' is not a Notefile name (.qi, .qis, .db, .dbs, .dbx) {not-supported}";
  }
  if (detail::is_outbound(kind)) {
    return "notefile '" + std::string(file) +
           "' is an outbound queue: its Notes are read in the cloud, not on the device "
           "{not-supported}";
  }
  return std::nullopt;
}

void write_note(json_writer& out, const stored_note& note) {
  if (!note.body_json.empty()) out.key("body").raw(note.body_json);
  if (!note.payload_b64.empty()) out.field("payload", note.payload_b64);
  if (note.utc_s != 0) out.field("time", note.utc_s);
  if (note.deleted) out.field("deleted", true);
}

std::size_t live_notes(const notefile& file) {
  return static_cast<std::size_t>(
      std::ranges::count_if(file.notes, [](const stored_note& n) { return !n.deleted; }));
}

}  // namespace

notefile& module::impl::file_of(module& m, std::string_view name) {
  auto& files = m.ext().files;
  auto it = files.find(name);
  if (it == files.end()) it = files.try_emplace(std::string(name)).first;
  return it->second;
}

stored_note* module::impl::find_note(notefile& file, std::string_view id) {
  const auto it = std::ranges::find(file.notes, id, &stored_note::id);
  return it == file.notes.end() ? nullptr : &*it;
}

void module::impl::touch(notefile& file, stored_note& note, std::int64_t utc_s,
                         std::int64_t now_us) {
  note.change = ++file.changes;
  note.utc_s = utc_s;
  note.modified_us = now_us;
}

void module::impl::put_db_note(module& m, std::string_view file_name, std::string_view id,
                               std::string body_json, std::string payload_b64,
                               std::int64_t now_us) {
  notefile& file = file_of(m, file_name);
  stored_note* note = find_note(file, id);
  if (note == nullptr) {
    note = &file.notes.emplace_back();
    note->id = id;
  }
  note->body_json = std::move(body_json);
  note->payload_b64 = std::move(payload_b64);
  note->deleted = false;
  note->dirty = detail::is_replicated(detail::classify_notefile(file_name));
  touch(file, *note, utc_or_zero(m, now_us), now_us);
}

void module::impl::delete_note(module& m, std::string_view file_name, notefile& file,
                               stored_note& note, std::int64_t now_us) {
  if (detail::is_replicated(detail::classify_notefile(file_name))) {
    // The deletion must reach the cloud: keep a tombstone until a session carries it.
    note.deleted = true;
    note.dirty = true;
    note.body_json.clear();
    note.payload_b64.clear();
    touch(file, note, utc_or_zero(m, now_us), now_us);
    return;
  }
  const auto index = &note - file.notes.data();
  file.notes.erase(file.notes.begin() + index);
}

void module::impl::apply_inbound(module& m, const inbound_note& in, std::int64_t now_us) {
  const notefile_kind kind = detail::classify_notefile(in.file);
  // Only what the cloud may write: inbound queues and replicated databases. Anything else in
  // a downlink is a cloud-side bug and is ignored rather than trusted.
  if (!detail::is_inbound(kind) && !detail::is_replicated(kind)) return;
  std::string body;
  if (!in.body_json.empty() && detail::is_valid_json(in.body_json) && in.body_json.front() == '{') {
    body = in.body_json;
  }
  notefile& file = file_of(m, in.file);
  if (detail::is_inbound(kind)) {
    stored_note& note = file.notes.emplace_back();
    note.id = std::to_string(file.next_id++);
    note.body_json = std::move(body);
    note.payload_b64 = in.payload_b64;
    touch(file, note, in.utc_s, now_us);
    ++m.counters_.notes_received;
    // A full inbound queue keeps the newest, like the outbound ones.
    while (file.notes.size() > m.limits_.max_queued_notes) {
      file.notes.erase(file.notes.begin());
      ++m.counters_.inbound_dropped;
    }
  } else {
    stored_note* note = find_note(file, in.note_id);
    // The device changed this Note while the session ran: its version goes up next time.
    if (note != nullptr && note->dirty && note->sent_change != note->change) return;
    if (note == nullptr) {
      if (in.deleted) return;
      note = &file.notes.emplace_back();
      note->id = in.note_id;
    }
    note->deleted = in.deleted;
    note->dirty = false;
    note->body_json = in.deleted ? std::string() : std::move(body);
    note->payload_b64 = in.deleted ? std::string() : in.payload_b64;
    touch(file, *note, in.utc_s, now_us);
    ++m.counters_.notes_received;
  }
  attn_file_changed(m, in.file, now_us);
}

reply module::impl::note_get(module& m, const json_value& req, json_writer& out,
                             std::int64_t now_us) {
  detail::fields f(req);
  const std::string_view file_name = f.string("file").value_or(default_inbound);
  const auto id = f.string("note");
  const auto remove = f.boolean("delete");
  const auto deleted = f.boolean("deleted");
  f.boolean("decrypt");
  if (!f.ok()) return f.failure();
  const notefile_kind kind = detail::classify_notefile(file_name);
  if (auto err = readable(file_name, kind)) return std::unexpected(std::move(*err));

  extended* e = m.ext_.get();
  const auto file_it = e != nullptr ? e->files.find(file_name) : decltype(e->files.end()){};
  notefile* file = (e != nullptr && file_it != e->files.end()) ? &file_it->second : nullptr;
  if (detail::is_inbound(kind)) {
    if (id) return std::unexpected(std::string("field 'note': inbound queues have no Note ids"));
    if (file == nullptr || file->notes.empty()) {
      return std::unexpected(std::string("no notes available in queue {note-noexist}"));
    }
    write_note(out, file->notes.front());
    if (remove.value_or(false)) file->notes.erase(file->notes.begin());
    return {};
  }
  if (!id) return std::unexpected(detail::type_error("note", "a Note id (string)"));
  stored_note* note = file != nullptr ? find_note(*file, *id) : nullptr;
  if (note == nullptr || (note->deleted && !deleted.value_or(false))) {
    return std::unexpected(not_found(file_name, *id));
  }
  write_note(out, *note);
  if (remove.value_or(false) && !note->deleted) delete_note(m, file_name, *file, *note, now_us);
  return {};
}

reply module::impl::note_update(module& m, const json_value& req, json_writer& /*out*/,
                                std::int64_t now_us) {
  detail::fields f(req);
  const auto file_name = f.string("file");
  const auto id = f.string("note");
  const json_value body = f.object("body");
  const auto payload = f.string("payload");
  f.boolean("verify");
  if (f.ok() && !file_name) f.fail(detail::type_error("file", "a Notefile name (string)"));
  if (f.ok() && (!id || id->empty())) f.fail(detail::type_error("note", "a Note id (string)"));
  if (f.ok() && payload && !detail::base64_decoded_size(*payload)) {
    f.fail(detail::type_error("payload", "base64 text"));
  }
  if (!f.ok()) return f.failure();
  if (!detail::is_database(detail::classify_notefile(*file_name))) {
    return std::unexpected("notefile '" + std::string(*file_name) +
                           "' is not a database Notefile (.db, .dbs, .dbx) {not-supported}");
  }
  // Updating a Note that does not exist creates it, as var.set (built on it) does.
  put_db_note(m, *file_name, *id, body.present() ? body.compact_text() : std::string(),
              payload ? std::string(*payload) : std::string(), now_us);
  return {};
}

reply module::impl::note_delete(module& m, const json_value& req, json_writer& /*out*/,
                                std::int64_t now_us) {
  detail::fields f(req);
  const auto file_name = f.string("file");
  const auto id = f.string("note");
  if (f.ok() && !file_name) f.fail(detail::type_error("file", "a Notefile name (string)"));
  if (f.ok() && !id) f.fail(detail::type_error("note", "a Note id (string)"));
  if (!f.ok()) return f.failure();
  if (!detail::is_database(detail::classify_notefile(*file_name))) {
    return std::unexpected("notefile '" + std::string(*file_name) +
                           "' is not a database Notefile (.db, .dbs, .dbx) {not-supported}");
  }
  extended* e = m.ext_.get();
  const auto it = e != nullptr ? e->files.find(*file_name) : decltype(e->files.end()){};
  stored_note* note = (e != nullptr && it != e->files.end()) ? find_note(it->second, *id) : nullptr;
  if (note == nullptr || note->deleted) return std::unexpected(not_found(*file_name, *id));
  delete_note(m, *file_name, it->second, *note, now_us);
  return {};
}

reply module::impl::note_changes(module& m, const json_value& req, json_writer& out,
                                 std::int64_t now_us) {
  detail::fields f(req);
  const auto file_name = f.string("file");
  const auto tracker = f.string("tracker");
  const auto max = f.integer("max");
  const auto start = f.boolean("start");
  const auto stop = f.boolean("stop");
  const auto reset = f.boolean("reset");
  const auto remove = f.boolean("delete");
  const auto deleted = f.boolean("deleted");
  if (f.ok() && !file_name) f.fail(detail::type_error("file", "a Notefile name (string)"));
  if (f.ok() && max && *max != -1 && *max < 1) {
    f.fail(detail::type_error("max", "an integer >= 1, or -1 for no limit"));
  }
  if (!f.ok()) return f.failure();
  const notefile_kind kind = detail::classify_notefile(*file_name);
  if (auto err = readable(*file_name, kind)) return std::unexpected(std::move(*err));

  notefile& file = file_of(m, *file_name);
  if (tracker && stop.value_or(false)) {
    if (const auto it = file.trackers.find(*tracker); it != file.trackers.end()) {
      file.trackers.erase(it);
    }
    out.field("total", static_cast<std::uint64_t>(live_notes(file)));
    return {};
  }
  // A tracker remembers the last change it returned; without one every Note is a change.
  std::uint64_t mark = 0;
  if (tracker && !start.value_or(false) && !reset.value_or(false)) {
    if (const auto it = file.trackers.find(*tracker); it != file.trackers.end()) mark = it->second;
  }
  std::vector<stored_note*> pending;
  for (stored_note& note : file.notes) {
    if (note.change > mark) pending.push_back(&note);
  }
  std::ranges::sort(pending, {}, &stored_note::change);
  const bool with_deleted = deleted.value_or(false);
  const auto visible = [&](const stored_note* n) { return with_deleted || !n->deleted; };
  const auto changes = std::ranges::count_if(pending, visible);
  const std::size_t limit =
      (max && *max > 0) ? static_cast<std::size_t>(*max) : static_cast<std::size_t>(-1);

  std::vector<std::string> returned;
  std::uint64_t new_mark = mark;
  out.field("changes", static_cast<std::int64_t>(changes));
  out.key("notes").begin_object();
  for (stored_note* note : pending) {
    if (returned.size() == limit) break;
    new_mark = note->change;  // a skipped tombstone is seen, too
    if (!visible(note)) continue;
    out.key(note->id).begin_object();
    write_note(out, *note);
    out.end_object();
    returned.push_back(note->id);
  }
  out.end_object();
  if (returned.size() < limit) new_mark = std::max(new_mark, file.changes);
  if (tracker) file.trackers.insert_or_assign(std::string(*tracker), new_mark);
  if (remove.value_or(false)) {
    for (const std::string& id : returned) {
      stored_note* note = find_note(file, id);
      if (note == nullptr || note->deleted) continue;
      if (detail::is_inbound(kind)) {
        file.notes.erase(file.notes.begin() + (note - file.notes.data()));
      } else {
        delete_note(m, *file_name, file, *note, now_us);
      }
    }
  }
  out.field("total", static_cast<std::uint64_t>(live_notes(file)));
  return {};
}

reply module::impl::var_set(module& m, const json_value& req, json_writer& /*out*/,
                            std::int64_t now_us) {
  detail::fields f(req);
  const std::string_view file_name = f.string("file").value_or(default_vars);
  const auto name = f.string("name");
  const auto text = f.string("text");
  const auto value = f.number("value");
  const auto flag = f.boolean("flag");
  const auto sync = f.boolean("sync");
  if (f.ok() && (!name || name->empty())) f.fail(detail::type_error("name", "a non-empty string"));
  if (f.ok() && !text && !value && !flag) {
    f.fail("var.set needs one of 'text', 'value' or 'flag'");
  }
  if (f.ok() && !detail::is_database(detail::classify_notefile(file_name))) {
    f.fail("notefile '" + std::string(file_name) +
           "' is not a database Notefile (.db, .dbs, .dbx) {not-supported}");
  }
  if (!f.ok()) return f.failure();
  std::string body;
  json_writer w(body);
  w.begin_object();
  if (text) w.field("text", *text);
  if (value) w.key("value").raw(f.find("value").raw());
  if (flag) w.field("flag", *flag);
  w.end_object();
  put_db_note(m, file_name, *name, std::move(body), {}, now_us);
  if (sync.value_or(false)) request_sync(m, now_us);
  return {};
}

reply module::impl::var_get(module& m, const json_value& req, json_writer& out,
                            std::int64_t /*now_us*/) {
  detail::fields f(req);
  const std::string_view file_name = f.string("file").value_or(default_vars);
  const auto name = f.string("name");
  if (f.ok() && (!name || name->empty())) f.fail(detail::type_error("name", "a non-empty string"));
  if (f.ok() && !detail::is_database(detail::classify_notefile(file_name))) {
    f.fail("notefile '" + std::string(file_name) +
           "' is not a database Notefile (.db, .dbs, .dbx) {not-supported}");
  }
  if (!f.ok()) return f.failure();
  extended* e = m.ext_.get();
  if (e == nullptr) return {};
  const auto it = e->files.find(file_name);
  if (it == e->files.end()) return {};
  const stored_note* note = find_note(it->second, *name);
  if (note == nullptr || note->deleted || note->body_json.empty()) return {};
  // The variable is the Note's body: answer its text / value / flag members.
  detail::json_document stored;
  if (!stored.parse(note->body_json)) return {};
  for (const auto& member : stored.root()) {
    const json_value key = member.key();
    if (key.text_equals("text") || key.text_equals("value") || key.text_equals("flag")) {
      out.key(key.text()).value(member.value());
    }
  }
  return {};
}

}  // namespace twelvefold::shim
