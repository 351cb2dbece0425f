// Shared by the shim tests: a fake twin_host, firmware paths, twins bound to a copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "twelvefold/shim/firmware_image.hpp"
#include "twelvefold/shim/host.hpp"
#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim::testing {

inline std::filesystem::path firmware_path(std::string_view name) {
  return std::filesystem::path(TF_TEST_FIRMWARE_DIR) / (std::string(name) + ".so");
}

// Answers HAL calls from plain fields and records what the firmware did.
class fake_host : public twin_host {
 public:
  explicit fake_host(module_limits limits = {}) : comms_(limits) {}

  [[nodiscard]] std::int64_t now_us() const override { return now_us_; }
  [[nodiscard]] std::int64_t boot_us() const override { return boot_us_; }
  module& comms() override { return comms_; }
  bool read_sensor(std::string_view name, std::int64_t at_us, double& value) override {
    sensor_reads_at_us.push_back(at_us);
    const auto it = sensors.find(name);
    if (it == sensors.end()) return false;
    value = it->second;
    return true;
  }
  void log(int /*level*/, std::string_view text) override { logs.emplace_back(text); }

  // The value of the last "key=value" log line with that key ("" if none).
  [[nodiscard]] std::string logged(std::string_view key) const {
    const std::string prefix = std::string(key) + "=";
    for (auto it = logs.rbegin(); it != logs.rend(); ++it) {
      if (it->starts_with(prefix)) return it->substr(prefix.size());
    }
    return {};
  }

  std::int64_t now_us_ = 0;
  std::int64_t boot_us_ = 0;
  std::map<std::string, double, std::less<>> sensors;
  std::vector<std::string> logs;
  std::vector<std::int64_t> sensor_reads_at_us;
  module comms_;
};

// A twin: its RAM image (from the copy it is bound to) and its world.
struct twin {
  explicit twin(firmware_copy& copy, module_limits limits = {})
      : bound_copy(&copy),
        image(copy.pristine_image().begin(), copy.pristine_image().end()),
        host(limits) {}

  activation_result boot() { return bound_copy->activate(image, host, /*first_boot=*/true); }
  activation_result wake() { return bound_copy->activate(image, host, /*first_boot=*/false); }

  firmware_copy* bound_copy;
  std::vector<std::byte> image;
  fake_host host;
};

}  // namespace twelvefold::shim::testing
