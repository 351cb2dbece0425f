// Factors 1, 3 and 5 as the run reports them (summary.json "routes", docs/cloud-routes.md):
// what each Note route delivered to its sink, how web routes answered, how .db Notefiles and
// inbound queues were reconciled, and how many Notes devices lost to full queues.
//
// Also the URL parser the scenario loader uses to check sink and web-route URLs.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace twelvefold::actors {

// Per Note route. Every event a route matched ends in exactly one of delivered, failed or
// queued_at_end: nothing is dropped without being counted.
struct route_counters {
  std::string name;
  std::string sink;                 // "store" | "ndjson" | "http" | "mqtt"
  std::uint64_t events = 0;         // events the route matched
  std::uint64_t delivered = 0;      // accepted by the sink
  std::uint64_t retried = 0;        // delivery attempts after a failed one
  std::uint64_t failed = 0;         // gave up after the last attempt, or refused by a full queue
  std::uint64_t queued_at_end = 0;  // still waiting when the run ended (drain timeout)
  std::uint64_t bytes = 0;          // bytes of delivered events (their JSON text)
  std::string last_error;           // names the route and its URL; "" when none
};

struct web_route_counters {
  std::string name;
  std::uint64_t requests = 0;
  std::uint64_t answered = 0;
  std::uint64_t errors = 0;  // answers with a status >= 400 (timeouts included)
  std::uint64_t timeouts = 0;
};

struct routes_report {
  std::vector<route_counters> routes;
  // Proxied web requests (factor 5).
  std::uint64_t web_requests = 0;    // distinct requests received from devices
  std::uint64_t web_answered = 0;    // answers produced (sent down at the device's next sync)
  std::uint64_t web_errors = 0;      // answers with a status >= 400
  std::uint64_t web_duplicates = 0;  // resent after a lost downlink, answered once
  std::uint64_t web_unknown_route = 0;
  std::vector<web_route_counters> web_by_route;
  // Replicated databases and inbound queues (factor 3).
  std::uint64_t db_up = 0;               // device changes merged into the cloud copy
  std::uint64_t db_down = 0;             // cloud changes applied by devices (acknowledged)
  std::uint64_t db_conflicts = 0;        // both sides changed a Note between two syncs
  std::uint64_t inbound_sent = 0;        // inbound Notes queued for devices
  std::uint64_t inbound_delivered = 0;   // acknowledged by devices (exactly once)
  std::uint64_t timeline_unmatched = 0;  // DbUpdate / InboundNote / RouteRepoint with no target
  // Device side (module counters, filled in by the kernel).
  std::uint64_t queue_overflow_outbound = 0;  // Notes dropped from full outbound queues
  std::uint64_t queue_overflow_inbound = 0;   // Notes dropped from full inbound queues
  std::uint64_t device_web_responses = 0;     // web answers the modules received
};

// summary.json's "routes" object (compact JSON text).
std::string routes_report_json(const routes_report& report);

// An endpoint URL of a sink or web route: scheme://host[:port][/path].
struct endpoint_url {
  std::string scheme;  // "http" | "https" | "mqtt"
  std::string host;
  int port = 0;
  std::string path;  // starts with '/', "/" when none
};
// `scheme` is the one expected ("http", which also accepts "https", or "mqtt"); the error says
// what is wrong.
std::expected<endpoint_url, std::string> parse_endpoint_url(std::string_view url,
                                                            std::string_view scheme);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, route_counters& x) {
  return f(caf::meta::type_name("route_counters"), x.name, x.sink, x.events, x.delivered, x.retried,
           x.failed, x.queued_at_end, x.bytes, x.last_error);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, web_route_counters& x) {
  return f(caf::meta::type_name("web_route_counters"), x.name, x.requests, x.answered, x.errors,
           x.timeouts);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, routes_report& x) {
  return f(caf::meta::type_name("routes_report"), x.routes, x.web_requests, x.web_answered,
           x.web_errors, x.web_duplicates, x.web_unknown_route, x.web_by_route, x.db_up, x.db_down,
           x.db_conflicts, x.inbound_sent, x.inbound_delivered, x.timeline_unmatched,
           x.queue_overflow_outbound, x.queue_overflow_inbound, x.device_web_responses);
}

}  // namespace twelvefold::actors
