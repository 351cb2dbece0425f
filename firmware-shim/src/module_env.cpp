// module: env.get / env.default / env.set (environment variables and their precedence).
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json_kind;
using detail::json_value;
using detail::json_writer;
using detail::reply;

constexpr std::string_view not_modified = "environment hasn't been modified {env-not-modified}";

}  // namespace

const env_entry* module::impl::resolve_env(const module& m, std::string_view name) {
  for (const auto* scope : {&m.env_local_, &m.env_cloud_, &m.env_default_}) {
    if (const auto it = scope->find(name); it != scope->end()) return &it->second;
  }
  return nullptr;
}

reply module::impl::env_get(module& m, const json_value& req, json_writer& out,
                            std::int64_t /*now_us*/) {
  detail::fields f(req);
  const auto name = f.string("name");
  const json_value names = f.find("names");
  const auto since_utc = f.integer("time");
  if (names.present()) {
    bool strings = names.kind() == json_kind::array;
    for (const auto& item : names) strings = strings && item.value().kind() == json_kind::string;
    if (!strings) f.fail(detail::type_error("names", "an array of strings"));
  }
  if (!f.ok()) return f.failure();

  // `time`: only what changed after that UTC second. Without a clock the module cannot
  // compare, so everything counts as changed (the firmware then re-reads, which is harmless);
  // a removal anywhere counts as a change of every variable, for the same reason.
  const auto changed_utc = [&](std::int64_t modified_us) -> std::optional<std::int64_t> {
    return utc_s(m, modified_us);
  };
  const auto changed = [&](const env_entry* entry) {
    if (!since_utc) return true;
    if (!m.time_known()) return true;
    if (m.env_removed_us_ >= 0 && *changed_utc(m.env_removed_us_) > *since_utc) return true;
    return entry != nullptr && *changed_utc(entry->modified_us) > *since_utc;
  };
  std::int64_t latest_us = m.env_removed_us_;
  const auto note_time = [&](const env_entry* entry) {
    if (entry != nullptr) latest_us = std::max(latest_us, entry->modified_us);
  };
  const auto write_time = [&] {
    if (latest_us >= 0) {
      if (auto utc = utc_s(m, latest_us)) out.field("time", *utc);
    }
  };

  if (name) {
    // One variable: {"text":"value"}, or {} when it is not set anywhere.
    const env_entry* entry = resolve_env(m, *name);
    if (!changed(entry)) return std::unexpected(std::string(not_modified));
    if (entry != nullptr) out.field("text", entry->value);
    note_time(entry);
    write_time();
    return {};
  }

  bool any = false;
  out.key("body").begin_object();
  if (names.present()) {
    for (const auto& item : names) {
      const std::string_view key = detail::keep_text(item.value());
      const env_entry* entry = resolve_env(m, key);
      if (entry == nullptr || !changed(entry)) continue;
      out.field(key, entry->value);
      note_time(entry);
      any = true;
    }
  } else {
    // Every variable once, at its highest-precedence scope: lower scopes first, overwritten.
    std::map<std::string_view, const env_entry*, env_name_less> all;
    for (const auto* scope : {&m.env_default_, &m.env_cloud_, &m.env_local_}) {
      for (const auto& [key, entry] : *scope) all.insert_or_assign(key, &entry);
    }
    for (const auto& [key, entry] : all) {
      if (!changed(entry)) continue;
      out.field(key, entry->value);
      note_time(entry);
      any = true;
    }
  }
  out.end_object();
  if (since_utc && !any && !changed(nullptr)) return std::unexpected(std::string(not_modified));
  write_time();
  return {};
}

reply module::impl::env_default(module& m, const json_value& req, json_writer& /*out*/,
                                std::int64_t now_us) {
  detail::fields f(req);
  const auto name = f.string("name");
  const auto text = f.string("text");
  const auto sync = f.boolean("sync");
  if (f.ok() && (!name || name->empty())) {
    f.fail(detail::type_error("name", "a non-empty string"));
  }
  if (!f.ok()) return f.failure();
  if (!text || text->empty()) {
    if (const auto it = m.env_default_.find(*name); it != m.env_default_.end()) {
      m.env_default_.erase(it);
      m.env_removed_us_ = now_us;
    }
  } else {
    auto& entry = m.env_default_[std::string(*name)];
    if (entry.value != *text) entry.modified_us = now_us;
    entry.value = *text;
  }
  if (sync.value_or(false)) request_sync(m, now_us);
  return {};
}

reply module::impl::env_set(module& m, const json_value& req, json_writer& /*out*/,
                            std::int64_t now_us) {
  detail::fields f(req);
  const auto name = f.string("name");
  const auto text = f.string("text");
  if (f.ok() && (!name || name->empty())) {
    f.fail(detail::type_error("name", "a non-empty string"));
  }
  if (!f.ok()) return f.failure();
  if (!text || text->empty()) {
    if (const auto it = m.env_local_.find(*name); it != m.env_local_.end()) {
      m.env_local_.erase(it);
      m.env_removed_us_ = now_us;
    }
  } else {
    auto& entry = m.env_local_[std::string(*name)];
    if (entry.value != *text) entry.modified_us = now_us;
    entry.value = *text;
  }
  return {};
}

}  // namespace twelvefold::shim
