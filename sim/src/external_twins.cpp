#include "external_twins.hpp"

#include "twelvefold/shim/external_firmware.hpp"

namespace twelvefold::sim {

std::expected<std::vector<actors::external_device>, run_error> open_external_twins(
    const actors::world& w, const std::function<void(const std::string&)>& notice) {
  std::vector<actors::external_device> devices;
  for (actors::twin_index twin = 0; twin < w.twins.size(); ++twin) {
    const actors::device_model_spec& model = w.model_of(twin);
    if (model.external.empty()) continue;
    const std::string where = model.external_where.empty() ? "" : model.external_where + ": ";
    auto link = shim::external_firmware::open_unbound(model.external);
    if (!link) {
      return std::unexpected(
          run_error{run_error_kind::bad_input,
                    where + "device model \"" + model.name + "\": " + link.error()});
    }
    const std::string& address = (*link)->device_address();
    std::string line = "external twin " + w.serial_of(twin) + " (device model \"" + model.name +
                       "\", " + model.external + "): ";
    if (model.external.starts_with("tcp-listen:")) {
      line += "waiting for the device to connect to " + address;
    } else if (model.external == "pty") {
      line += "the device opens " + address + " as its UART";
    } else {
      line += "attached to " + address;
    }
    if (notice) notice(line);
    devices.push_back({twin, std::shared_ptr<shim::external_firmware>(std::move(*link))});
  }
  return devices;
}

}  // namespace twelvefold::sim
