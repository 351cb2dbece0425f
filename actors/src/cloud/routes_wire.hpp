// The routes fields of the wire (session.proto 40-49) between the management service, which
// parses uplinks and builds downlinks, and the solution service, which owns their meaning.
#pragma once

#include <string>

#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors::cloud {

// Moves the routes fields out of an uplink into an encoded SessionUplink holding only them
// ("" when there are none).
std::string take_uplink_part(wire::v1::SessionUplink& up);
// Merges the solution service's encoded downlink part (a SessionDownlink holding only the
// routes fields) into a downlink.
void merge_downlink_part(wire::v1::SessionDownlink& down, const std::string& part);

}  // namespace twelvefold::actors::cloud
