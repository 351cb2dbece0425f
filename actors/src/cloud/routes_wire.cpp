// The routes fields of the wire (see routes_wire.hpp).
#include "cloud/routes_wire.hpp"

namespace twelvefold::actors::cloud {

std::string take_uplink_part(wire::v1::SessionUplink& up) {
  if (up.web_requests_size() == 0 && up.db_changes_size() == 0 && up.down_acked_seq() == 0) {
    return {};
  }
  wire::v1::SessionUplink part;
  part.mutable_web_requests()->Swap(up.mutable_web_requests());
  part.mutable_db_changes()->Swap(up.mutable_db_changes());
  part.set_down_acked_seq(up.down_acked_seq());
  return part.SerializeAsString();
}

void merge_downlink_part(wire::v1::SessionDownlink& down, const std::string& part) {
  if (part.empty()) return;
  // Repeated fields append and scalars overwrite: the part only holds the routes fields.
  down.MergeFromString(part);
}

}  // namespace twelvefold::actors::cloud
