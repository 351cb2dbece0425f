// Hardware / an emulator in the loop, at run level: opens the endpoint of every external twin
// before the run starts (so that a busy port or a missing device fails the run at once, with
// the scenario line that named it), and says where each device attaches.
#pragma once

#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "twelvefold/actors/device_shard.hpp"
#include "twelvefold/actors/world.hpp"
#include "twelvefold/sim/kernel.hpp"

namespace twelvefold::sim {

// One opened link per twin of an external device model, in twin order. `notice` hears one
// line per twin ("waiting for the device on 127.0.0.1:7001"). Errors are bad input (exit 2)
// naming the scenario location, the device model and the endpoint.
std::expected<std::vector<actors::external_device>, run_error> open_external_twins(
    const actors::world& w, const std::function<void(const std::string&)>& notice);

}  // namespace twelvefold::sim
