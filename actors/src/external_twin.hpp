// The device shard's side of external twins (hardware or an emulator in the loop): twins
// whose firmware runs outside the simulator and reaches its module over a serial link
// (shim::external_firmware). The shard serves each link every window, at the window's virtual
// time, so the device's requests hit the twin's module exactly as simulated firmware's do;
// the module then syncs through the same session path as every other twin.
//
// Thread: the shard's, like everything else it holds.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "twelvefold/actors/messages.hpp"

namespace twelvefold::shim {
class external_firmware;
class module;
}  // namespace twelvefold::shim

namespace twelvefold::actors {

class external_twins {
 public:
  // `link` is already open (the kernel opened it before the run, to fail early); from now on
  // its device is answered by `comms`, which must outlive this object.
  void add(twin_index twin, std::shared_ptr<shim::external_firmware> link, shim::module& comms);

  // Serves the twin's link at `now_us`: takes a waiting connection, answers every complete
  // request. Returns false once the link is gone for good (tcp/pty/tty closed or failed; a
  // tcp-listen link only waits for the next connection), after which the twin is silent.
  bool serve(twin_index twin, std::int64_t now_us);

  // Counters for summary.json's "external" object (docs/outputs.md).
  void add_totals(std::map<std::string, std::uint64_t>& out) const;

 private:
  struct entry {
    twin_index twin = 0;
    std::shared_ptr<shim::external_firmware> link;
    bool connected = false;
    bool gone = false;
  };
  std::vector<entry> entries_;  // few: one per device attached to the run
  std::uint64_t connects_ = 0;
  std::uint64_t disconnects_ = 0;
  std::uint64_t link_failures_ = 0;
  std::uint64_t requests_ = 0;
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
};

}  // namespace twelvefold::actors
