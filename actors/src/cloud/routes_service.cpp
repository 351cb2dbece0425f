// Factors 1, 3 and 5 inside the solution service (see routes_service.hpp).
#include "cloud/routes_service.hpp"

#include <algorithm>

#include "twelvefold/scenario/v1/scenario.pb.h"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors::cloud {
namespace {

// Defaults of optional Route fields (docs/cloud-routes.md lists the same values).
constexpr std::uint32_t default_max_attempts = 4;
constexpr std::uint32_t default_backoff_initial_ms = 200;
constexpr std::uint32_t default_backoff_max_ms = 5000;
constexpr std::uint32_t default_queue_limit = 100'000;
constexpr std::uint32_t default_drain_timeout_ms = 10'000;
constexpr std::uint32_t default_http_timeout_ms = 5000;

std::expected<web_target, std::string> target_of(const std::string& url,
                                                 const scenario::v1::SimulatedEndpoint* sim) {
  web_target t;
  if (sim != nullptr) {
    t.simulated = true;
    t.sim = simulated_from(*sim);
    return t;
  }
  auto parsed = parse_endpoint_url(url, "http");
  if (!parsed) return std::unexpected(parsed.error());
  t.simulated = false;
  t.url = url;
  t.parsed = std::move(*parsed);
  return t;
}

}  // namespace

std::string base64(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]) << 16 |
                                              static_cast<unsigned char>(bytes[i + 1]) << 8 |
                                              static_cast<unsigned char>(bytes[i + 2]));
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += alphabet[v >> 6 & 63];
    out += alphabet[v & 63];
  }
  if (i < bytes.size()) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += i + 1 < bytes.size() ? alphabet[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

cloud_routes::cloud_routes(std::shared_ptr<const world> the_world)
    : world_(std::move(the_world)),
      db_(world_->twins.size(), world_->fleets.size()),
      next_flush_us_(world_->store_flush_us) {
  fleet_first_.assign(world_->fleets.size(), 0);
  std::vector<bool> seen(world_->fleets.size(), false);
  for (twin_index twin = 0; twin < world_->twins.size(); ++twin) {
    const std::uint32_t fleet = world_->twins[twin].fleet;
    if (!seen[fleet]) {
      seen[fleet] = true;
      fleet_first_[fleet] = twin;
    }
  }
}

std::expected<std::unique_ptr<cloud_routes>, std::string> cloud_routes::create(
    std::shared_ptr<const world> the_world) {
  std::unique_ptr<cloud_routes> self(new cloud_routes(the_world));
  scenario::v1::Scenario spec;
  if (!spec.ParseFromString(the_world->routes_spec)) return std::unexpected("routes: corrupt");
  for (const auto& r : spec.routes()) {
    route out;
    out.name = r.name();
    out.filter.notefiles.assign(r.notefiles().begin(), r.notefiles().end());
    for (const std::string& fleet : r.fleets()) {
      const auto it = std::find_if(the_world->fleets.begin(), the_world->fleets.end(),
                                   [&](const fleet_spec& f) { return f.name == fleet; });
      if (it == the_world->fleets.end()) {
        return std::unexpected("route \"" + r.name() + "\": unknown fleet \"" + fleet + "\"");
      }
      out.filter.fleets.push_back(static_cast<std::uint32_t>(it - the_world->fleets.begin()));
    }
    retry_policy policy;
    policy.max_attempts = r.has_max_attempts() ? r.max_attempts() : default_max_attempts;
    policy.backoff_initial_ms =
        r.has_backoff_initial_ms() ? r.backoff_initial_ms() : default_backoff_initial_ms;
    policy.backoff_max_ms = r.has_backoff_max_ms() ? r.backoff_max_ms() : default_backoff_max_ms;
    policy.queue_limit = r.has_queue_limit() ? r.queue_limit() : default_queue_limit;
    out.drain_timeout_ms =
        r.has_drain_timeout_ms() ? r.drain_timeout_ms() : default_drain_timeout_ms;
    route_counters counters;
    counters.name = r.name();
    const auto& sink = r.sink();
    std::unique_ptr<sink_transport> transport;
    switch (sink.kind_case()) {
      case scenario::v1::Sink::kStore:
        out.store = true;
        counters.sink = "store";
        out.store_counters = counters;
        break;
      case scenario::v1::Sink::kNdjson:
        counters.sink = "ndjson";
        transport = make_ndjson_transport(sink.ndjson().path());
        break;
      case scenario::v1::Sink::kHttp: {
        counters.sink = "http";
        auto url = parse_endpoint_url(sink.http().url(), "http");
        if (!url) return std::unexpected("route \"" + r.name() + "\": " + url.error());
        std::vector<http_header> headers;
        for (const auto& h : sink.http().headers()) headers.push_back({h.name(), h.value()});
        transport = make_http_transport(
            std::move(*url), sink.http().url(), std::move(headers),
            sink.http().has_timeout_ms() ? sink.http().timeout_ms() : default_http_timeout_ms);
        break;
      }
      case scenario::v1::Sink::kMqtt: {
        counters.sink = "mqtt";
        auto url = parse_endpoint_url(sink.mqtt().url(), "mqtt");
        if (!url) return std::unexpected("route \"" + r.name() + "\": " + url.error());
        out.topic_template = url->path.size() > 1 ? url->path.substr(1) : "{serial}/{file}";
        transport = make_mqtt_transport(std::move(*url), sink.mqtt().url(),
                                        static_cast<int>(sink.mqtt().qos()));
        break;
      }
      case scenario::v1::Sink::KIND_NOT_SET:
        return std::unexpected("route \"" + r.name() + "\": no sink");
    }
    if (transport) {
      out.worker = std::make_unique<sink_worker>(std::move(counters), std::move(transport), policy);
    }
    self->routes_.push_back(std::move(out));
  }
  std::vector<std::pair<std::string, web_target>> web;
  for (const auto& w : spec.web_routes()) {
    auto target = target_of(w.url(), w.has_simulated() ? &w.simulated() : nullptr);
    if (!target) return std::unexpected("web route \"" + w.name() + "\": " + target.error());
    web.emplace_back(w.name(), std::move(*target));
  }
  self->web_ = std::make_unique<web_routes>(the_world->seed, std::move(web));
  return self;
}

void cloud_routes::route_event(twin_index twin, std::int64_t arrival_us, std::string_view kind,
                               std::string_view file, std::string_view note_id, std::uint64_t seq,
                               std::int64_t device_utc_s, std::string_view body, bool deleted,
                               std::vector<cloud_event>& store_events) {
  const std::uint32_t fleet = world_->twins[twin].fleet;
  std::string serial;
  for (route& r : routes_) {
    if (!r.filter.matches(file, fleet)) continue;
    if (r.store) {
      ++r.store_counters.events;
      ++r.store_counters.delivered;
      r.store_counters.bytes += body.size();
      cloud_event e;
      e.twin = twin;
      e.at_us = arrival_us;
      e.kind = std::string(kind);
      e.file = std::string(file);
      e.body = std::string(body);
      store_events.push_back(std::move(e));
      continue;
    }
    if (serial.empty()) serial = world_->serial_of(twin);
    const std::string& fleet_name = world_->fleets[fleet].name;
    sink_event e;
    e.json = event_json({.route = r.name,
                         .kind = kind,
                         .serial = serial,
                         .fleet = fleet_name,
                         .file = file,
                         .note_id = note_id,
                         .seq = seq,
                         .at_us = arrival_us,
                         .epoch_utc_us = world_->epoch_utc_us,
                         .device_utc_s = device_utc_s,
                         .body = body,
                         .deleted = deleted});
    if (!r.topic_template.empty())
      e.topic = expand_topic(r.topic_template, serial, file, fleet_name);
    r.worker->push(std::move(e));
  }
}

void cloud_routes::route_note(twin_index twin, std::int64_t arrival_us, const note_record& note,
                              std::vector<cloud_event>& store_events) {
  if (routes_.empty()) return;
  if (note.templated) {
    // The cloud keeps no per-device templates: the record goes on as it came (base64).
    const std::string body = "{\"record_b64\":\"" + base64(note.body) + "\"}";
    route_event(twin, arrival_us, "note", note.file, "", note.seq, note.utc_s, body, false,
                store_events);
  } else {
    route_event(twin, arrival_us, "note", note.file, "", note.seq, note.utc_s,
                note.body.empty() ? std::string_view("{}") : std::string_view(note.body), false,
                store_events);
  }
}

void cloud_routes::on_session(const twin_notes& session, note_ack& ack) {
  // Sinks flush on the store-flush cadence of virtual time: one HTTP POST per route per flush.
  if (session.arrival_us >= next_flush_us_) {
    for (route& r : routes_) {
      if (r.worker) r.worker->flush();
    }
    while (next_flush_us_ <= session.arrival_us) next_flush_us_ += world_->store_flush_us;
  }
  std::vector<web_answer> arrived;
  web_->take_real_answers(session.arrival_us, arrived);
  for (web_answer& a : arrived) db_.add_answer(std::move(a));

  wire::v1::SessionUplink up;
  if (!session.routes_up.empty() && !up.ParseFromString(session.routes_up)) return;
  std::vector<web_answer> answers;
  for (const auto& request : up.web_requests()) {
    if (!db_.first_web_request(session.twin, request.id())) {
      web_->count_duplicate();
      continue;
    }
    web_->request(session.twin, session.arrival_us, request, answers);
  }
  wire::v1::SessionDownlink down;
  std::vector<wire::v1::NoteChange> accepted;
  db_.session(session.twin, world_->twins[session.twin].fleet, session.arrival_us, up,
              std::move(answers), down, accepted);
  for (const wire::v1::NoteChange& change : accepted) {
    route_event(session.twin, session.arrival_us, "db", change.file(), change.note_id(), 0,
                change.utc_s(), change.body().empty() ? std::string_view("{}") : change.body(),
                change.deleted(), ack.events);
  }
  if (down.inbound_size() > 0 || down.web_responses_size() > 0) {
    ack.routes_down = down.SerializeAsString();
  }
}

std::optional<twin_index> cloud_routes::twin_by_serial(const std::string& serial) const {
  for (std::size_t f = 0; f < world_->fleets.size(); ++f) {
    const std::string& prefix = world_->fleets[f].serial_prefix;
    if (!serial.starts_with(prefix) || serial.size() <= prefix.size()) continue;
    const std::string digits = serial.substr(prefix.size());
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    const auto number = std::stoull(digits.substr(0, 12));
    if (number == 0) continue;
    const std::uint64_t twin = fleet_first_[f] + number - 1;
    if (twin < world_->twins.size() && world_->twins[twin].fleet == f &&
        world_->serial_of(static_cast<twin_index>(twin)) == serial) {
      return static_cast<twin_index>(twin);
    }
  }
  return std::nullopt;
}

void cloud_routes::apply_timeline(const std::vector<cloud_timeline_event>& due) {
  scenario::v1::TimelineEvent event;
  for (const cloud_timeline_event& e : due) {
    if (!event.ParseFromString(e.encoded)) continue;
    const std::int64_t utc_s = (world_->epoch_utc_us + e.at_us) / 1'000'000;
    auto apply = [&](const std::string& fleet, const std::string& serial,
                     const cloud_change& change) {
      if (!serial.empty()) {
        if (const auto twin = twin_by_serial(serial)) {
          db_.change_twin(*twin, change);
        } else {
          ++timeline_unmatched_;  // a serial beyond a --scale'd fleet
        }
        return;
      }
      const auto it = std::find_if(world_->fleets.begin(), world_->fleets.end(),
                                   [&](const fleet_spec& f) { return f.name == fleet; });
      if (it == world_->fleets.end()) {
        ++timeline_unmatched_;
        return;
      }
      db_.change_fleet(static_cast<std::uint32_t>(it - world_->fleets.begin()), change);
    };
    switch (event.event_case()) {
      case scenario::v1::TimelineEvent::kRouteRepoint: {
        const auto& rp = event.route_repoint();
        auto target = target_of(rp.url(), rp.has_simulated() ? &rp.simulated() : nullptr);
        if (!target || !web_->repoint(rp.route(), std::move(*target))) ++timeline_unmatched_;
        break;
      }
      case scenario::v1::TimelineEvent::kDbUpdate: {
        const auto& u = event.db_update();
        apply(u.fleet(), u.serial(),
              {.database = true,
               .file = u.file(),
               .note_id = u.note_id(),
               .body = u.delete_() ? "" : (u.body().empty() ? "{}" : u.body()),
               .utc_s = utc_s,
               .deleted = u.delete_()});
        break;
      }
      case scenario::v1::TimelineEvent::kInboundNote: {
        const auto& n = event.inbound_note();
        apply(n.fleet(), n.serial(),
              {.database = false,
               .file = n.file(),
               .note_id = "",
               .body = n.body().empty() ? "{}" : n.body(),
               .utc_s = utc_s,
               .deleted = false});
        break;
      }
      default:
        break;
    }
  }
}

std::expected<void, std::string> cloud_routes::begin_replay(
    const std::vector<route_counters>& at_stop) {
  for (route& r : routes_) {
    if (!r.worker) continue;
    const auto it = std::find_if(at_stop.begin(), at_stop.end(),
                                 [&](const route_counters& c) { return c.name == r.name; });
    if (it == at_stop.end()) {
      return std::unexpected("route \"" + r.name + "\" has no counters recorded at the stop");
    }
    r.worker->begin_replay(*it);
  }
  return {};
}

std::vector<std::uint64_t> cloud_routes::end_replay() {
  std::vector<std::uint64_t> replayed;
  for (route& r : routes_) replayed.push_back(r.worker ? r.worker->end_replay() : 0);
  return replayed;
}

routes_report cloud_routes::finish() {
  if (finished_) return final_;
  finished_ = true;
  routes_report report;
  for (route& r : routes_) {
    if (r.store) {
      report.routes.push_back(r.store_counters);
    } else {
      report.routes.push_back(r.worker->finish(std::chrono::milliseconds(r.drain_timeout_ms)));
    }
  }
  web_->finish(report);
  db_.report(report);
  report.timeline_unmatched = timeline_unmatched_;
  final_ = report;
  return report;
}

}  // namespace twelvefold::actors::cloud
