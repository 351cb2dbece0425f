// What a running activation needs from the outside world: the twin's module, its clock and
// its sensors. The device actor implements this interface for the twin it is running; tests
// implement it with fakes.
#pragma once

#include <cstdint>
#include <string_view>

namespace twelvefold::shim {

class module;

class twin_host {
 public:
  virtual ~twin_host() = default;
  // The twin's virtual time, microseconds since the scenario epoch, at the start of the
  // activation. tf_delay() advances the activation's own clock on top of it.
  [[nodiscard]] virtual std::int64_t now_us() const = 0;
  // Virtual time of the twin's first boot (tf_millis() counts from here).
  [[nodiscard]] virtual std::int64_t boot_us() const = 0;
  // The twin's communications module, which answers tf_request().
  virtual module& comms() = 0;
  // Returns false when the device model has no sensor of that name.
  virtual bool read_sensor(std::string_view name, std::int64_t at_us, double& value) = 0;
  virtual void log(int level, std::string_view text) = 0;
};

}  // namespace twelvefold::shim
