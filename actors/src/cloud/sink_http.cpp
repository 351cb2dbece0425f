// HTTP sink: each batch is one POST of a JSON array, over a kept-alive connection
// (docs/cloud-routes.md). cpp-httplib, plain HTTP.
#include <httplib.h>

#include "cloud/sink_worker.hpp"

namespace twelvefold::actors::cloud {
namespace {

class http_transport final : public sink_transport {
 public:
  http_transport(endpoint_url url, std::string display, std::vector<http_header> headers,
                 std::uint32_t timeout_ms)
      : url_(std::move(url)),
        display_(std::move(display)),
        client_(url_.scheme + "://" + url_.host + ":" + std::to_string(url_.port)) {
    client_.set_keep_alive(true);
    const auto timeout = std::chrono::milliseconds(timeout_ms);
    client_.set_connection_timeout(timeout);
    client_.set_read_timeout(timeout);
    client_.set_write_timeout(timeout);
    for (http_header& h : headers) headers_.emplace(std::move(h.name), std::move(h.value));
  }

  std::size_t deliver(std::span<const sink_event> events, std::string& error) override {
    std::string body = "[";
    for (const sink_event& e : events) {
      if (body.size() > 1) body += ',';
      body += e.json;
    }
    body += ']';
    const httplib::Result res = client_.Post(url_.path.c_str(), headers_, body, "application/json");
    if (!res) {
      error = "POST failed: " + httplib::to_string(res.error());
      return 0;
    }
    if (res->status < 200 || res->status > 299) {
      error = "POST answered HTTP " + std::to_string(res->status);
      return 0;
    }
    return events.size();
  }
  [[nodiscard]] std::string target() const override { return display_; }

 private:
  endpoint_url url_;
  std::string display_;
  httplib::Client client_;
  httplib::Headers headers_;
};

}  // namespace

std::unique_ptr<sink_transport> make_http_transport(endpoint_url url, std::string display_url,
                                                    std::vector<http_header> headers,
                                                    std::uint32_t timeout_ms) {
  return std::make_unique<http_transport>(std::move(url), std::move(display_url),
                                          std::move(headers), timeout_ms);
}

}  // namespace twelvefold::actors::cloud
