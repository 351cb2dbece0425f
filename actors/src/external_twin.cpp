#include "external_twin.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "twelvefold/shim/external_firmware.hpp"

namespace twelvefold::actors {

void external_twins::add(twin_index twin, std::shared_ptr<shim::external_firmware> link,
                         shim::module& comms) {
  link->bind(comms);
  entries_.push_back({twin, std::move(link)});
}

bool external_twins::serve(twin_index twin, std::int64_t now_us) {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const entry& e) { return e.twin == twin; });
  if (it == entries_.end() || it->gone) return false;
  // A zero budget: the window never waits for the device. A device that answers a response
  // with its next request gets it answered in the next window (Δ of virtual time later, Δ/speed
  // of wall time), as a request lands a window later for any twin.
  auto served = it->link->serve(now_us, std::chrono::microseconds(0));
  if (!served) {
    // The link is gone for good: the twin goes silent, its module keeps what it queued (and
    // still syncs it on its own schedule). Said once on stderr: it is an operator's problem.
    std::fprintf(stderr, "twelvefold: external twin %u: %s; the twin is silent from now on\n",
                 static_cast<unsigned>(twin), served.error().c_str());
    ++link_failures_;
    if (it->connected) ++disconnects_;
    it->connected = false;
    it->gone = true;
    return false;
  }
  requests_ += served->requests;
  bytes_in_ += served->bytes_in;
  bytes_out_ += served->bytes_out;
  // A device that came and went within one call counts as both.
  if (served->disconnected) {
    if (!it->connected && served->requests + served->bytes_in > 0) ++connects_;
    ++disconnects_;
    it->connected = false;
  }
  if (served->connected && !it->connected) ++connects_;
  it->connected = served->connected;
  return true;
}

void external_twins::add_totals(std::map<std::string, std::uint64_t>& out) const {
  out["twins"] += entries_.size();
  out["connects"] += connects_;
  out["disconnects"] += disconnects_;
  out["link_failures"] += link_failures_;
  out["requests"] += requests_;
  out["bytes_in"] += bytes_in_;
  out["bytes_out"] += bytes_out_;
  std::uint64_t connected = 0;
  for (const entry& e : entries_) connected += e.connected ? 1 : 0;
  out["connected_at_end"] += connected;
}

}  // namespace twelvefold::actors
