// The device side of a firmware update (factor 8): what a twin's module does with the cloud's
// DFU offers (download in chunks over its sessions, cancel, revert) and when an image is
// applied, by the firmware (in-application: it read the image with dfu.get and reported the
// new version with dfu.status) or by the module itself (outboard campaigns, assets).
//
// The device shard performs the reboot these functions ask for: it runs the twin on the new
// image from a pristine RAM image. A/B slots: a failed apply, a rollback or a diagnostic revert
// boots the other slot again without downloading anything.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "cloud/dfu_campaign.hpp"
#include "twelvefold/actors/wire_codec.hpp"
#include "twelvefold/actors/world.hpp"
#include "twelvefold/shim/module.hpp"

namespace twelvefold::actors::dfu {

// Per twin on the device side: 12 bytes.
struct device_twin {
  std::uint32_t received_bytes = 0;
  std::uint8_t campaign = 0;  // id, 0 none (then nothing is reported)
  device_state state = device_state::none;
  std::uint8_t image = 0;           // running host image: 0 device model's, i + 1 images[i]
  std::uint8_t previous_image = 0;  // the other slot
  std::uint8_t asset = 0;           // installed asset: 0 none, i + 1 images[i]
  std::uint8_t previous_asset = 0;
  std::uint8_t target = 0;  // image being downloaded (i + 1)
};
static_assert(sizeof(device_twin) <= 12);

// Reboot the twin into `image` (pristine RAM) when `reboot` is set.
struct image_change {
  bool reboot = false;
  std::uint8_t image = 0;
};

// The bytes of firmware_images[index], shared by every twin of a shard that downloads it.
class image_bytes {
 public:
  explicit image_bytes(const world& w) : world_(w), cache_(w.firmware_images.size()) {}
  std::shared_ptr<const std::vector<std::uint8_t>> get(std::uint32_t index);

 private:
  const world& world_;
  std::vector<std::shared_ptr<const std::vector<std::uint8_t>>> cache_;
};

// A session's DFU offer arrived (the session succeeded).
image_change on_offer(const world& w, twin_index twin, device_twin& d, const downlink_dfu& offer,
                      shim::module& comms, std::int64_t now_us, image_bytes& bytes);

// Applies a downloaded image when its time has come: at once for assets and outboard
// campaigns; for in-application updates once the firmware has finished (after_activation).
image_change maybe_apply(const world& w, twin_index twin, device_twin& d, shim::module& comms,
                         std::int64_t now_us, bool after_activation);

// The uplink's DFU fields.
void fill_uplink(const world& w, const device_twin& d, uplink_fields& fields);

}  // namespace twelvefold::actors::dfu
