// module: web.get / web.put / web.post / web.delete — requests the cloud proxies to a named
// route. The module queues them for the next session; see module.hpp for how a synchronous
// request is answered in virtual time.
#include <algorithm>
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json_value;
using detail::json_writer;
using detail::notefile_kind;
using detail::reply;

constexpr std::string_view pending_text =
    "web request queued: the response arrives with a later session; repeat the request to read "
    "it {web-pending}";

std::string_view method_name(web_method method) {
  switch (method) {
    case web_method::get:
      return "GET";
    case web_method::put:
      return "PUT";
    case web_method::post:
      return "POST";
    case web_method::del:
      return "DELETE";
  }
  return "GET";
}

// Room for one more request: an answered synchronous request the firmware never came back for
// is the one to give up first.
bool make_room(std::vector<web_entry>& web, std::size_t limit) {
  if (web.size() < limit) return true;
  const auto stale = std::ranges::find(web, web_state::answered, &web_entry::state);
  if (stale == web.end()) return false;
  web.erase(stale);
  return true;
}

}  // namespace

reply module::impl::web(module& m, web_method method, const json_value& req, json_writer& out,
                        std::int64_t now_us) {
  detail::fields f(req);
  const auto route = f.string("route");
  const auto name = f.string("name");
  const json_value body = f.object("body");
  const auto payload = f.string("payload");
  const auto content = f.string("content");
  const auto seconds = f.integer("seconds");
  const auto async = f.boolean("async");
  const auto file = f.string("file");
  const auto note = f.string("note");
  const auto binary = f.boolean("binary");
  f.object("headers");
  f.integer("max");
  f.integer("offset");
  f.integer("total");
  f.string("status");
  f.boolean("verify");
  if (f.ok() && (!route || route->empty())) {
    f.fail(detail::type_error("route", "the name of a route configured in the cloud"));
  }
  if (f.ok() && seconds && *seconds <= 0) f.fail(detail::type_error("seconds", "seconds > 0"));
  if (f.ok() && payload && !detail::base64_decoded_size(*payload)) {
    f.fail(detail::type_error("payload", "base64 text"));
  }
  if (f.ok() && body.present() && payload &&
      (method == web_method::post || method == web_method::put)) {
    f.fail("a web request carries a body or a payload, not both");
  }
  if (f.ok() && file && detail::classify_notefile(*file) != notefile_kind::dbx) {
    f.fail(detail::type_error("file", "a local-only database Notefile (.dbx)"));
  }
  if (f.ok() && binary.value_or(false)) {
    f.fail("field 'binary': the binary buffer is not modelled {not-supported}");
  }
  if (!f.ok()) return f.failure();

  extended& e = m.ext();
  const bool is_async = async.value_or(false);
  const std::string body_json = body.present() ? body.compact_text() : std::string();
  std::string key;
  if (!is_async) {
    // The identity of a synchronous request: the firmware polls by repeating it.
    key.append(method_name(method)).append("\n").append(*route).append("\n");
    key.append(name.value_or("")).append("\n").append(body_json).append("\n");
    key.append(payload.value_or(""));
    const auto it = std::ranges::find_if(
        e.web, [&](const web_entry& w) { return !w.request.async && w.key == key; });
    if (it != e.web.end()) {
      if (it->state != web_state::answered) return std::unexpected(std::string(pending_text));
      out.field("result", it->response.result);
      if (!it->response.body_json.empty()) out.key("body").raw(it->response.body_json);
      if (!it->response.payload_b64.empty()) out.field("payload", it->response.payload_b64);
      e.web.erase(it);
      return {};
    }
  }
  if (!make_room(e.web, m.limits_.max_web_requests)) {
    return std::unexpected("too many web requests waiting for the cloud (" +
                           std::to_string(m.limits_.max_web_requests) + ") {web-queue-full}");
  }
  web_entry& entry = e.web.emplace_back();
  entry.request.id = e.next_web_id++;
  entry.request.method = method;
  entry.request.route = *route;
  entry.request.name = name.value_or("");
  entry.request.body_json = body_json;
  entry.request.payload_b64 = payload.value_or("");
  entry.request.content = content.value_or("");
  if (seconds) entry.request.timeout_s = static_cast<std::int32_t>(*seconds);
  entry.request.async = is_async;
  entry.request.added_us = now_us;
  entry.key = std::move(key);
  entry.store_file = file.value_or("");
  entry.store_note = note.value_or("");
  ++m.counters_.web_requests;
  // The firmware is waiting for an answer, or for its data to leave: go online now.
  request_sync(m, now_us);
  if (!is_async) return std::unexpected(std::string(pending_text));
  return {};
}

reply module::impl::web_get(module& m, const json_value& req, json_writer& out,
                            std::int64_t now_us) {
  return web(m, web_method::get, req, out, now_us);
}
reply module::impl::web_put(module& m, const json_value& req, json_writer& out,
                            std::int64_t now_us) {
  return web(m, web_method::put, req, out, now_us);
}
reply module::impl::web_post(module& m, const json_value& req, json_writer& out,
                             std::int64_t now_us) {
  return web(m, web_method::post, req, out, now_us);
}
reply module::impl::web_delete(module& m, const json_value& req, json_writer& out,
                               std::int64_t now_us) {
  return web(m, web_method::del, req, out, now_us);
}

void module::impl::apply_web_response(module& m, const web_response& response,
                                      std::int64_t now_us) {
  extended* e = m.ext_.get();
  if (e == nullptr) return;
  const auto it = std::ranges::find_if(e->web, [&](const web_entry& w) {
    return w.request.id == response.id &&
           (w.state == web_state::in_flight || w.state == web_state::in_session);
  });
  if (it == e->web.end()) return;  // unknown, or answered already: the first answer counts
  ++m.counters_.web_responses;
  web_response answer = response;
  if (!answer.body_json.empty() &&
      (!detail::is_valid_json(answer.body_json) || answer.body_json.front() != '{')) {
    answer.body_json.clear();  // the firmware is promised an object; anything else is dropped
  }
  if (!it->store_file.empty()) {
    std::string body;
    json_writer w(body);
    w.begin_object().field("result", answer.result);
    if (!answer.body_json.empty()) w.key("body").raw(answer.body_json);
    w.end_object();
    notefile& file = file_of(m, it->store_file);
    std::string id = it->store_note;
    if (id.empty()) {
      do {
        id = std::to_string(file.next_id++);
      } while (find_note(file, id) != nullptr);
    }
    put_db_note(m, it->store_file, id, std::move(body), answer.payload_b64, now_us);
    attn_file_changed(m, it->store_file, now_us);
  }
  if (it->request.async) {
    e->web.erase(it);
  } else {
    it->state = web_state::answered;
    it->response = std::move(answer);
  }
}

}  // namespace twelvefold::shim
