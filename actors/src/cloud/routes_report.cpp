// summary.json's "routes" object and endpoint URL parsing (see routes_report.hpp).
#include "twelvefold/actors/routes_report.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

namespace twelvefold::actors {

std::string routes_report_json(const routes_report& r) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json routes = nlohmann::ordered_json::object();
  for (const route_counters& c : r.routes) {
    nlohmann::ordered_json one = {{"sink", c.sink},           {"events", c.events},
                                  {"delivered", c.delivered}, {"retried", c.retried},
                                  {"failed", c.failed},       {"queued_at_end", c.queued_at_end},
                                  {"bytes", c.bytes}};
    if (!c.last_error.empty()) one["last_error"] = c.last_error;
    routes[c.name] = std::move(one);
  }
  j["routes"] = std::move(routes);
  nlohmann::ordered_json by_route = nlohmann::ordered_json::object();
  for (const web_route_counters& w : r.web_by_route) {
    by_route[w.name] = {{"requests", w.requests},
                        {"answered", w.answered},
                        {"errors", w.errors},
                        {"timeouts", w.timeouts}};
  }
  j["web"] = {{"requests", r.web_requests},
              {"answered", r.web_answered},
              {"errors", r.web_errors},
              {"duplicates", r.web_duplicates},
              {"unknown_route", r.web_unknown_route},
              {"responses_received", r.device_web_responses},
              {"by_route", std::move(by_route)}};
  j["db"] = {{"up", r.db_up}, {"down", r.db_down}, {"conflicts", r.db_conflicts}};
  j["inbound"] = {{"sent", r.inbound_sent}, {"delivered", r.inbound_delivered}};
  j["timeline_unmatched"] = r.timeline_unmatched;
  j["queue_overflow"] = {{"outbound", r.queue_overflow_outbound},
                         {"inbound", r.queue_overflow_inbound}};
  return j.dump();
}

std::expected<endpoint_url, std::string> parse_endpoint_url(std::string_view url,
                                                            std::string_view scheme) {
  const std::string expect = std::string(scheme) + "://host[:port][/path]";
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    return std::unexpected("\"" + std::string(url) + "\" is not a URL (expected " + expect + ")");
  }
  endpoint_url out;
  out.scheme = std::string(url.substr(0, sep));
  // HTTP endpoints may be TLS (Debian's cpp-httplib is built with OpenSSL).
  const bool tls = scheme == "http" && out.scheme == "https";
  if (out.scheme != scheme && !tls) {
    return std::unexpected("scheme \"" + out.scheme + "\" is not supported here (expected " +
                           expect + ")");
  }
  std::string_view rest = url.substr(sep + 3);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  out.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.find('@') != std::string_view::npos) {
    return std::unexpected("credentials in a URL are not supported (use headers)");
  }
  out.port = scheme == "mqtt" ? 1883 : (tls ? 443 : 80);
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value < 1 || value > 65535) {
      return std::unexpected("port \"" + std::string(port) + "\" is not within [1, 65535]");
    }
    out.port = value;
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return std::unexpected("URL \"" + std::string(url) + "\" has no host");
  for (char c : authority) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) {
      return std::unexpected("host \"" + std::string(authority) + "\" has a bad character");
    }
  }
  out.host = std::string(authority);
  return out;
}

}  // namespace twelvefold::actors
