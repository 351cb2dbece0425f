// NDJSON file sink: one event per line, written and flushed per batch (docs/cloud-routes.md).
#include <fstream>

#include "cloud/sink_worker.hpp"

namespace twelvefold::actors::cloud {
namespace {

class ndjson_transport final : public sink_transport {
 public:
  explicit ndjson_transport(std::string path) : path_(std::move(path)) {}

  std::size_t deliver(std::span<const sink_event> events, std::string& error) override {
    if (!out_.is_open()) {
      // A run's file starts empty; it is opened on the worker thread, with the first batch.
      out_.open(path_, std::ios::binary | (opened_once_ ? std::ios::app : std::ios::trunc));
      if (!out_) {
        error = "cannot open for writing";
        out_ = std::ofstream();
        return 0;
      }
      opened_once_ = true;
    }
    for (const sink_event& e : events) {
      out_.write(e.json.data(), static_cast<std::streamsize>(e.json.size()));
      out_.put('\n');
    }
    out_.flush();
    if (!out_) {
      error = "write failed (disk full?)";
      out_ = std::ofstream();
      return 0;
    }
    return events.size();
  }
  [[nodiscard]] std::string target() const override { return path_; }
  void continue_existing() override { opened_once_ = true; }  // resumed: append

 private:
  std::string path_;
  std::ofstream out_;
  bool opened_once_ = false;
};

}  // namespace

std::unique_ptr<sink_transport> make_ndjson_transport(std::string path) {
  return std::make_unique<ndjson_transport>(std::move(path));
}

}  // namespace twelvefold::actors::cloud
