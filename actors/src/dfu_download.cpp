// The device side of a firmware update (see dfu_download.hpp).
#include "dfu_download.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace twelvefold::actors::dfu {
namespace {

const dfu_campaign_spec* campaign_of(const world& w, std::uint8_t id) {
  return id == 0 || id > w.dfu_campaigns.size() ? nullptr : &w.dfu_campaigns[id - 1];
}

image_change apply(const world& w, twin_index twin, device_twin& d, shim::module& comms,
                   std::int64_t now_us, const dfu_campaign_spec& c) {
  const bool fails = apply_fails(w.seed, twin, d.campaign, c.apply_failure_rate);
  if (c.kind == dfu_kind::asset) {
    // An asset (modem firmware, ML model) is the module's business: no host reboot.
    if (!fails) {
      d.previous_asset = d.asset;
      d.asset = d.target;
    }
    d.state = fails ? device_state::failed : device_state::applied;
    return {};
  }
  if (c.outboard) comms.outboard_dfu_done(now_us, !fails);
  if (fails) {
    // The new slot did not come up: the bootloader boots the old one again.
    d.state = device_state::failed;
    return {true, d.image};
  }
  d.previous_image = d.image;
  d.image = d.target;
  d.state = device_state::applied;
  return {true, d.image};
}

}  // namespace

std::shared_ptr<const std::vector<std::uint8_t>> image_bytes::get(std::uint32_t index) {
  if (index >= cache_.size()) return nullptr;
  if (!cache_[index]) {
    const firmware_image_spec& spec = world_.firmware_images[index];
    auto bytes = std::make_shared<std::vector<std::uint8_t>>();
    if (!spec.path.empty()) {
      std::ifstream in(spec.path, std::ios::binary);
      bytes->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    // The offered size is what goes over the air; the image file fills it (zero padded).
    bytes->resize(spec.size_bytes, 0);
    cache_[index] = std::move(bytes);
  }
  return cache_[index];
}

image_change on_offer(const world& w, twin_index twin, device_twin& d, const downlink_dfu& offer,
                      shim::module& comms, std::int64_t now_us, image_bytes& bytes) {
  if (!offer.present || offer.campaign == 0 || offer.campaign > w.dfu_campaigns.size() ||
      offer.image >= w.firmware_images.size()) {
    return {};
  }
  const dfu_campaign_spec& c = w.dfu_campaigns[offer.campaign - 1];
  if (offer.campaign != d.campaign) {
    if (offer.revert || offer.cancel) return {};  // about a campaign this twin is not in
    d.campaign = static_cast<std::uint8_t>(offer.campaign);
    d.state = device_state::downloading;
    d.received_bytes = 0;
    d.target = static_cast<std::uint8_t>(offer.image + 1);
    if (c.kind == dfu_kind::host) {
      shim::dfu_image image;
      image.version = offer.version;
      image.name = w.firmware_images[offer.image].name;
      image.bytes = bytes.get(offer.image);
      comms.offer_dfu(now_us, std::move(image));
    }
  }
  if (offer.cancel) {
    if (d.state == device_state::downloading || d.state == device_state::ready) {
      if (c.kind == dfu_kind::host) comms.dfu_failed(now_us, "campaign halted");
      d.campaign = 0;  // nothing more to report
      d.state = device_state::none;
    }
    return {};
  }
  if (offer.revert) {
    if (d.state != device_state::applied) return {};
    d.state = device_state::reverted;
    if (c.kind == dfu_kind::asset) {
      std::swap(d.asset, d.previous_asset);
      return {};
    }
    std::swap(d.image, d.previous_image);
    return {true, d.image};
  }
  if (d.state != device_state::downloading || offer.offset > d.received_bytes) return {};
  d.received_bytes = static_cast<std::uint32_t>(std::min<std::uint64_t>(
      offer.size_bytes,
      std::max<std::uint64_t>(d.received_bytes, offer.offset + offer.chunk_bytes)));
  if (c.kind == dfu_kind::host) comms.dfu_progress(now_us, d.received_bytes);
  if (d.received_bytes >= offer.size_bytes) d.state = device_state::ready;
  return maybe_apply(w, twin, d, comms, now_us, false);
}

image_change maybe_apply(const world& w, twin_index twin, device_twin& d, shim::module& comms,
                         std::int64_t now_us, bool after_activation) {
  const dfu_campaign_spec* c = campaign_of(w, d.campaign);
  if (c == nullptr || d.state != device_state::ready) return {};
  if (c->kind == dfu_kind::asset || c->outboard) return apply(w, twin, d, comms, now_us, *c);
  if (!after_activation) return {};
  // In-application update: the firmware read the image (dfu.get) and reported the version it
  // installed (dfu.status stop + version); or it gave up (dfu.status stop + err).
  const shim::dfu_state module_state = comms.dfu();
  if (module_state == shim::dfu_state::error) {
    d.state = device_state::failed;
    return {};
  }
  if (module_state != shim::dfu_state::ready && module_state != shim::dfu_state::downloading &&
      comms.host_version() == w.firmware_images[d.target - 1].version) {
    return apply(w, twin, d, comms, now_us, *c);
  }
  return {};
}

void fill_uplink(const world& w, const device_twin& d, uplink_fields& fields) {
  if (d.asset != 0) {
    const firmware_image_spec& a = w.firmware_images[d.asset - 1];
    fields.asset = a.name + "@" + a.version;
  }
  if (d.campaign != 0) {
    fields.dfu_campaign = d.campaign;
    fields.dfu_received_bytes = d.received_bytes;
    fields.dfu_state = static_cast<std::uint32_t>(d.state);
  }
}

}  // namespace twelvefold::actors::dfu
