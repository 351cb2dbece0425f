// Device actor: runs the firmware of a shard of twins (see device_shard.hpp).
#include "twelvefold/actors/device_shard.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>

#include <caf/all.hpp>

#include "cloud/identity.hpp"
#include "cloud/logs.hpp"
#include "device_location.hpp"
#include "dfu_download.hpp"
#include "external_twin.hpp"
#include "secure_element.hpp"
#include "twelvefold/actors/atoms.hpp"
#include "twelvefold/actors/wire_codec.hpp"
#include "twelvefold/models/battery.hpp"
#include "twelvefold/models/random.hpp"
#include "twelvefold/models/sensors.hpp"
#include "twelvefold/shim/firmware_image.hpp"
#include "twelvefold/shim/module.hpp"

namespace twelvefold::actors {
namespace {

// Firmware that asks for no wake-up is woken after this (and counted), as a module's
// attention-line watchdog would.
constexpr std::int64_t default_wake_interval_us = 3600LL * 1'000'000;
// Minimum active time of one wake (clock start-up, HAL init, request round trips), for energy.
constexpr std::int64_t activation_floor_us = 5'000;
constexpr double us_per_hour = 3600.0 * 1e6;
// From applying a firmware image to the new image's first instruction (bootloader swap).
constexpr std::int64_t dfu_reboot_us = 2'000'000;

struct twin_runtime {
  shim::module comms;
  models::random_stream sensor_rng;
  std::size_t image_offset = 0;
  std::int64_t last_active_end_us = 0;
  double mcu_charge_mah = 0;
  double radio_charge_mah = 0;
  std::uint64_t session_seq = 0;
  std::uint64_t env_version = 0;
  std::uint64_t down_acked = 0;  // highest cloud down-item applied (acknowledged next uplink)
  float rsrp_dbm = 0;
  std::uint32_t cell_id = 0;
  std::uint8_t rat = 0;           // models::rat of the last session (the modem's current RAT)
  std::uint32_t resets = 0;       // firmware faults that reset the twin (assert, watchdog, ...)
  std::uint32_t resets_base = 0;  // resets counted in images the twin ran before (DFU)
  std::uint32_t slot_bytes = 0;   // RAM image room at image_offset (images differ in size)
  dfu::device_twin dfu;           // firmware updates: running image, download, A/B slots
  bool booted = false;
  twin_location_state location;  // GNSS receiver and clock (device_location.hpp)
  se_slot se;                    // the secure element: outside the firmware's RAM image (factor 9)
  // When the host MCU next wakes. The module may wake on its own before (module-only wake: a
  // periodic sync while the host sleeps); the twin's calendar entry is the earlier of the two.
  std::int64_t host_wake_us = 0;
  // The twin's one live entry in the kernel's calendar (-1: none). An earlier wake supersedes
  // it; the superseded entry, when it comes, is skipped as stale.
  std::int64_t queued_wake_us = -1;
  bool external = false;  // its firmware runs outside (hardware / an emulator in the loop)

  twin_runtime(std::uint64_t seed, twin_index twin)
      : sensor_rng(seed, twin, models::stream_purpose::sensor) {}
};

struct shard_state {
  device_shard_config config;
  std::vector<twin_runtime> twins;  // index: global twin - first_twin
  std::vector<std::byte> images;    // every twin's RAM image, back to back
  std::uint64_t activations = 0;
  std::uint64_t missing_sleep_requests = 0;
  std::uint64_t module_wakes = 0;     // wakes of the module alone, the host asleep
  std::uint64_t reconnect_syncs = 0;  // sessions started as the modem re-registered
  std::map<std::string, std::uint64_t> resets_by_reason;
  shim::module::error_tally request_errors_by_tag;  // the modules' err answers, by {tag}
  external_twins external;
  models::temperature_params temperature;
  std::unique_ptr<device_location> positioning;  // GNSS, scans, clock (factors 6 and 7)
  std::unique_ptr<dfu::image_bytes> dfu_bytes;   // offered images' bytes, shared by the twins
  std::unique_ptr<secure_element_bank> secure_elements;
  std::unique_ptr<replacement_schedule> replacements;  // hardware generations (factor 11)
  cloud::log_buffer logs;  // factor 10: pending log lines of this shard's twins
};

// What the twin's secure element binds a session to.
se_session se_session_of(const shard_state& s, twin_index twin, const twin_runtime& t,
                         const std::string& serial, const std::string& device_id, std::uint8_t rat,
                         std::int64_t at_us) {
  se_session session;
  session.serial = serial;
  session.device_id = device_id;
  session.session_seq = t.session_seq;
  session.at_us = at_us;
  session.generation = s.replacements->generation_at(twin, at_us);
  session.rat = rat;
  session.rat_name = models::rat_name(static_cast<models::rat>(rat));
  session.resets = static_cast<std::uint16_t>(t.resets);
  return session;
}

constexpr std::int64_t never_us = std::numeric_limits<std::int64_t>::max();

// Every twin keeps one live entry in the kernel's calendar: a wake for `at_us` (at the
// earliest the next window) replaces a later one and is dropped if an earlier one is queued
// (that one will ask again when it runs).
void request_wake(twin_runtime& t, twin_index twin, std::int64_t at_us, std::int64_t window_end_us,
                  window_result& result) {
  at_us = std::max(at_us, window_end_us);
  if (t.queued_wake_us >= 0 && t.queued_wake_us <= at_us) return;
  t.queued_wake_us = at_us;
  result.next_wakes.push_back({twin, at_us});
}

// The twin's next wake: its host's, or its module's own sync (hub.set outbound / inbound)
// when that comes first. While a session is open the module names no time; the session's
// completion asks again.
void schedule_next(twin_runtime& t, twin_index twin, std::int64_t now_us,
                   std::int64_t window_end_us, window_result& result) {
  std::int64_t next = t.host_wake_us;
  if (const auto sync = t.comms.next_sync_us(now_us); sync && *sync < next) next = *sync;
  if (next != never_us) request_wake(t, twin, next, window_end_us, result);
}

// What the modem tells the firmware about its transport (card.wireless, card.transport,
// hub.status): the RAT of the last session and the hints of factor 2.
shim::transport_info transport_of(const session_completion& c) {
  shim::transport_info info;
  switch (static_cast<models::rat>(c.rat)) {
    case models::rat::lte_m:
      info.rat = shim::radio_access::lte_m;
      info.bitrate = shim::bitrate_class::medium;
      break;
    case models::rat::nb_iot:
      info.rat = shim::radio_access::nb_iot;
      info.bitrate = shim::bitrate_class::low;
      break;
    case models::rat::gprs:
      info.rat = shim::radio_access::gsm;
      info.bitrate = shim::bitrate_class::low;
      break;
    case models::rat::umts:
      info.rat = shim::radio_access::umts;
      info.bitrate = shim::bitrate_class::high;
      break;
    case models::rat::wifi:
      info.rat = shim::radio_access::wifi;
      info.bitrate = shim::bitrate_class::high;
      break;
    case models::rat::lorawan:
      info.rat = shim::radio_access::lorawan;
      info.bitrate = shim::bitrate_class::very_low;
      info.packet_limited = true;
      break;
    case models::rat::ntn:
      info.rat = shim::radio_access::ntn;
      info.bitrate = shim::bitrate_class::very_low;
      info.packet_limited = true;
      break;
  }
  info.registered = c.success;
  info.penalty_until_us = c.penalty_until_us;  // the modem's box, for the module to reflect
  info.cell_id = c.cell_id;
  if (c.rsrp_dbm == c.rsrp_dbm) {  // not NaN: a serving site
    info.rsrp_dbm = static_cast<std::int32_t>(c.rsrp_dbm);
    // Bars as the Notecard derives them from RSRP (-80/-90/-100/-110 dBm steps).
    info.bars = c.rsrp_dbm > -80    ? 4
                : c.rsrp_dbm > -90  ? 3
                : c.rsrp_dbm > -100 ? 2
                : c.rsrp_dbm > -110 ? 1
                                    : 0;
  }
  return info;
}

double battery_used_mah(const twin_runtime& t) { return t.mcu_charge_mah + t.radio_charge_mah; }

double battery_voltage(const shard_state& s, twin_index twin, const twin_runtime& t) {
  const double capacity = s.config.the_world->model_of(twin).battery_mah;
  return models::battery_voltage_v(s.config.the_world->model_of(twin).battery,
                                   1.0 - battery_used_mah(t) / capacity);
}

// The world as one twin's firmware sees it during one activation.
class activation_host final : public shim::twin_host {
 public:
  activation_host(shard_state& shard, twin_index twin, twin_runtime& runtime, std::int64_t now_us)
      : shard_(shard), twin_(twin), runtime_(runtime), now_us_(now_us) {}

  [[nodiscard]] std::int64_t now_us() const override { return now_us_; }
  [[nodiscard]] std::int64_t boot_us() const override {
    return shard_.config.the_world->twins[twin_].boot_us;
  }
  shim::module& comms() override { return runtime_.comms; }

  bool read_sensor(std::string_view name, std::int64_t at_us, double& value) override {
    const world& w = *shard_.config.the_world;
    const twin_spec& spec = w.twins[twin_];
    if (name == "temperature_c") {
      value =
          models::read_temperature_c(shard_.temperature, spec.site_temperature_offset_c,
                                     spec.position, w.epoch_utc_us + at_us, runtime_.sensor_rng);
      return true;
    }
    if (name == "battery_v") {
      value = battery_voltage(shard_, twin_, runtime_);
      return true;
    }
    // Twins do not move yet (mobility is a later issue): still, with a clear sky view.
    if (name == "motion") {
      value = 0;
      return true;
    }
    if (read_gnss(name, value)) return true;
    // A household meter: mains at 230 V, a load of ~300 W with an evening peak.
    if (name == "mains_v") {
      value = 230.0 + runtime_.sensor_rng.normal(0, 1.5);
      return true;
    }
    if (name == "power_w") {
      const double hour = static_cast<double>((w.epoch_utc_us + at_us) / 1'000'000 % 86'400) / 3600;
      const double evening = std::exp(-0.5 * std::pow((hour - 19.0) / 2.0, 2));
      value = std::max(0.0, 250.0 + 900.0 * evening + runtime_.sensor_rng.normal(0, 40));
      return true;
    }
    return false;
  }

  // gnss_ok / gnss_lat / gnss_lon: the module's receiver, powered by card.location.mode; one fix
  // attempt per activation, its charge on the battery, the fix given to the module too.
  bool read_gnss(std::string_view name, double& value) {
    const shim::location_mode mode = runtime_.comms.gnss_mode();
    const bool powered =
        mode == shim::location_mode::periodic || mode == shim::location_mode::continuous;
    double charge_mah = 0;
    if (!shard_.positioning->read_gnss(twin_, name, powered, now_us_, runtime_.location, value,
                                       charge_mah)) {
      return false;
    }
    if (charge_mah > 0) {
      runtime_.mcu_charge_mah += charge_mah;
      const twin_location_state& fix = runtime_.location;
      if (fix.fix_ok && fix.fix_us == now_us_) {
        runtime_.comms.set_location({.lat_deg = fix.lat_e7 / 1e7,
                                     .lon_deg = fix.lon_e7 / 1e7,
                                     .at_us = now_us_,
                                     .source = shim::location_source::gnss});
      }
    }
    return true;
  }

  // Factor 10: log lines at or above the twin's `_log_level` go to the cloud's log stream
  // (cloud/logs.hpp); the rest are dropped here, as a module filters them.
  void log(int level, std::string_view text) override {
    std::uint8_t threshold = cloud::log_default_level;
    if (const auto v = runtime_.comms.env_value("_log_level")) {
      threshold = cloud::parse_log_level(*v).value_or(cloud::log_default_level);
    }
    shard_.logs.add(twin_, now_us_, static_cast<std::uint8_t>(std::clamp(level, 0, 7)), threshold,
                    text);
  }

 private:
  shard_state& shard_;
  twin_index twin_;
  twin_runtime& runtime_;
  std::int64_t now_us_;
};

// The firmware library the twin runs: its device model's, or the image a DFU installed.
std::uint32_t library_of(const shard_state& s, twin_index twin, const twin_runtime& t) {
  const world& w = *s.config.the_world;
  return t.dfu.image == 0 ? w.fleet_of(twin).device_model
                          : w.firmware_images[t.dfu.image - 1].library;
}

const shim::firmware_metadata& metadata_of(const shard_state& s, twin_index twin,
                                           const twin_runtime& t) {
  return s.config.firmware[library_of(s, twin, t)]->metadata();
}

// "name@version" of the running image (a DFU image's version is the catalogue's).
std::string firmware_label(const shard_state& s, twin_index twin, const twin_runtime& t) {
  if (t.external) return "external";
  const auto& meta = metadata_of(s, twin, t);
  return meta.name + "@" +
         (t.dfu.image == 0 ? meta.version
                           : s.config.the_world->firmware_images[t.dfu.image - 1].version);
}

std::span<std::byte> image_of(shard_state& s, twin_index twin, const twin_runtime& t) {
  return {s.images.data() + t.image_offset, metadata_of(s, twin, t).ram_image_bytes};
}

shim::firmware_copy& copy_of(shard_state& s, twin_index twin, const twin_runtime& t) {
  return s.config.firmware[library_of(s, twin, t)]->copy(s.config.copy_index);
}

// After a DFU apply, failed apply or revert: the twin boots t.dfu.image from its pristine RAM
// image (bound to this shard's copy of it). A larger image gets a new slot at the end of the
// shard's images; the old slot is left unused (images of one product differ little).
void dfu_reboot(shard_state& s, twin_index twin, twin_runtime& t) {
  const auto pristine = copy_of(s, twin, t).pristine_image();
  if (pristine.size() > t.slot_bytes) {
    t.image_offset = s.images.size();
    s.images.resize(s.images.size() + pristine.size());
    t.slot_bytes = static_cast<std::uint32_t>(pristine.size());
  }
  std::memcpy(s.images.data() + t.image_offset, pristine.data(), pristine.size());
  t.resets_base = t.resets;  // the reset counter lives in the RAM image: keep the total
  t.booted = false;
}

// Starts a session if the module wants one, appending it to `out`.
void maybe_start_session(shard_state& s, twin_index twin, twin_runtime& t, std::int64_t now_us,
                         std::vector<session_start>& out) {
  if (t.comms.sync_open() || !t.comms.sync_wanted(now_us)) return;
  const bool penalty_override = t.comms.penalty_override();  // begin_session clears it
  shim::sync_uplink session = t.comms.begin_session(now_us);
  const world& w = *s.config.the_world;
  uplink_fields fields;
  fields.serial = w.serial_of(twin);
  fields.device_id = device_id_for(w, twin, s.replacements->generation_at(twin, now_us));
  fields.product = t.comms.product();
  fields.session_seq = ++t.session_seq;
  fields.env_version = t.env_version;
  fields.firmware = firmware_label(s, twin, t);
  fields.resets = t.resets;
  dfu::fill_uplink(w, t.dfu, fields);
  fields.rat = std::string(models::rat_name(static_cast<models::rat>(t.rat)));
  fields.rsrp_dbm = t.rsrp_dbm;
  fields.cell_id = t.cell_id;
  fields.battery_v = static_cast<float>(battery_voltage(s, twin, t));
  fields.battery_mah_used = static_cast<float>(battery_used_mah(t));
  s.positioning->fill_uplink(twin, t.location, session.scan.has_value(), t.session_seq, now_us,
                             fields);
  t.location.fix_pending = false;  // re-armed if the session fails
  std::vector<std::int64_t> capture_us;
  capture_us.reserve(session.notes.size());
  for (const shim::outbound_note& n : session.notes) capture_us.push_back(n.added_us);
  if (s.logs.has_lines(twin)) {
    std::int64_t cadence_us = 0;
    if (const auto v = t.comms.env_value("_log_cadence")) {
      cadence_us = cloud::parse_log_cadence_us(*v).value_or(0);
    }
    for (const cloud::log_line* line : s.logs.take(twin, now_us, cadence_us, fields.logs_dropped)) {
      fields.logs.push_back({line->level, line->at_us, line->text});
    }
  }
  fields.down_acked_seq = t.down_acked;
  std::string uplink = encode_uplink(fields, session, now_us);
  s.secure_elements->seal_uplink(
      t.se, se_session_of(s, twin, t, fields.serial, fields.device_id, t.rat, now_us), uplink);
  out.push_back({twin, now_us, std::move(uplink), std::move(capture_us), penalty_override});
}

// The modem registered again (or gave up) after an outage ended (actors/src/reconnect.cpp):
// the module learns its transport, and one whose last sync failed with data pending syncs now.
void apply_reconnect(shard_state& s, const session_completion& c, twin_runtime& t,
                     std::int64_t window_end_us, window_result& result) {
  t.radio_charge_mah += c.radio_charge_mah;
  t.rsrp_dbm = c.rsrp_dbm;
  t.cell_id = c.cell_id;
  t.rat = c.rat;
  t.comms.set_transport(c.at_us, transport_of(c));
  if (!t.booted || t.external || t.comms.sync_open()) return;
  if (c.success && t.comms.sync_after_reconnect(c.at_us)) {
    ++s.reconnect_syncs;
    maybe_start_session(s, c.twin, t, c.at_us, result.sessions);
  }
  schedule_next(t, c.twin, c.at_us, window_end_us, result);
}

void apply_completion(shard_state& s, const session_completion& c, twin_runtime& t,
                      std::vector<session_start>& sessions, std::int64_t window_end_us,
                      window_result& result) {
  if (c.reconnect) {
    apply_reconnect(s, c, t, window_end_us, result);
    return;
  }
  const std::uint8_t uplink_rat = t.rat;  // the RAT the uplink declared (its ticket's RAT)
  t.radio_charge_mah += c.radio_charge_mah;
  t.rsrp_dbm = c.rsrp_dbm;
  t.cell_id = c.cell_id;
  t.rat = c.rat;
  t.comms.set_transport(c.at_us, transport_of(c));
  if (!t.comms.sync_open()) return;  // defensive: a completion for no open session is ignored
  shim::sync_downlink downlink;
  std::uint64_t env_version = 0;
  // The secure element checks the server's proof first: an unverified downlink is dropped
  // and the session counts as failed (the module keeps its Notes for the next one).
  const auto verified = [&] {
    const world& w = *s.config.the_world;
    const std::string serial = w.serial_of(c.twin);
    const std::string device_id =
        device_id_for(w, c.twin, s.replacements->generation_at(c.twin, c.at_us));
    return s.secure_elements->open_downlink(
        t.se, se_session_of(s, c.twin, t, serial, device_id, uplink_rat, c.at_us), c.downlink);
  };
  downlink_dfu offer;
  std::uint64_t down_seq = 0;
  if (c.success && verified() &&
      decode_downlink(c.downlink, downlink, env_version, &offer, &down_seq)) {
    s.logs.settle(c.twin, true);
    if (downlink.env_changed) t.env_version = env_version;
    if (downlink.location) downlink.location->at_us = c.at_us;
    t.down_acked = std::max(t.down_acked, down_seq);
    t.comms.end_sync(c.at_us, &downlink);
    if (offer.present) {
      const world& w = *s.config.the_world;
      if (dfu::on_offer(w, c.twin, t.dfu, offer, t.comms, c.at_us, *s.dfu_bytes).reboot) {
        dfu_reboot(s, c.twin, t);
      }
    }
    // A backlog larger than one session carries goes out in the next one right away.
    maybe_start_session(s, c.twin, t, c.at_us, sessions);
  } else {
    s.logs.settle(c.twin, false);
    t.comms.end_sync(c.at_us, nullptr);
    t.location.fix_pending = t.location.fix_us >= 0;  // the fix goes with the next session
  }
  // The module's next sync of its own may come before the twin's queued wake.
  if (t.booted) schedule_next(t, c.twin, c.at_us, window_end_us, result);
}

// The module wakes alone (its periodic sync), the host MCU stays asleep: no firmware runs.
void run_module_wake(shard_state& s, const wake_entry& wake, twin_runtime& t,
                     std::int64_t window_end_us, window_result& result) {
  ++s.module_wakes;
  maybe_start_session(s, wake.twin, t, wake.at_us, result.sessions);
  schedule_next(t, wake.twin, wake.at_us, window_end_us, result);
}

// An external twin: its device's requests, sent since the last window, are answered now; it
// wakes every window while its link lives (its host is awake: it runs on its own).
void run_external_wake(shard_state& s, const wake_entry& wake, twin_runtime& t,
                       std::int64_t window_end_us, window_result& result) {
  t.booted = true;
  const bool alive = s.external.serve(wake.twin, wake.at_us);
  maybe_start_session(s, wake.twin, t, wake.at_us, result.sessions);
  t.host_wake_us = alive ? window_end_us : never_us;
  schedule_next(t, wake.twin, wake.at_us, window_end_us, result);
}

void run_wake(shard_state& s, const wake_entry& wake, twin_runtime& t, std::int64_t window_end_us,
              window_result& result) {
  if (wake.at_us != t.queued_wake_us) return;  // superseded by an earlier wake: stale
  t.queued_wake_us = -1;
  if (t.external) {
    run_external_wake(s, wake, t, window_end_us, result);
    return;
  }
  if (t.booted && wake.at_us < t.host_wake_us) {
    run_module_wake(s, wake, t, window_end_us, result);
    return;
  }
  const world& w = *s.config.the_world;
  const device_model_spec& model = w.model_of(wake.twin);
  activation_host host(s, wake.twin, t, wake.at_us);
  t.comms.set_voltage(wake.at_us, battery_voltage(s, wake.twin, t));
  const bool first_boot = !t.booted;
  t.booted = true;
  shim::activation_result act =
      copy_of(s, wake.twin, t).activate(image_of(s, wake.twin, t), host, first_boot);
  if (first_boot && act.reset == shim::reset_reason::none) {
    // setup() and the first loop() belong to the same wake, as on an MCU after reset.
    shim::activation_result loop_act =
        copy_of(s, wake.twin, t).activate(image_of(s, wake.twin, t), host, false);
    loop_act.busy_us += act.busy_us;
    act = loop_act;
  }
  ++s.activations;
  ++result.activations;
  t.resets = t.resets_base + act.resets;  // kept in the RAM image by the runtime
  if (act.reset != shim::reset_reason::none) {
    // Reset like hardware: the shim restored the pristine image; the twin reboots at its next
    // wake (next window), its queued Notes are safe in the module.
    ++s.resets_by_reason[std::string(shim::to_string(act.reset))];
  }

  const std::int64_t active_us = activation_floor_us + act.busy_us;
  const std::int64_t asleep_us = std::max<std::int64_t>(0, wake.at_us - t.last_active_end_us);
  t.mcu_charge_mah += model.sleep_ua / 1000.0 * (asleep_us / us_per_hour) +
                      model.mcu_active_ma * (active_us / us_per_hour);
  t.last_active_end_us = wake.at_us + active_us;

  std::int64_t next_us = wake.at_us + act.busy_us;
  if (act.sleep_requested) {
    next_us += static_cast<std::int64_t>(act.sleep_request_s) * 1'000'000;
  } else {
    next_us += default_wake_interval_us;
    ++s.missing_sleep_requests;
  }
  // card.attn can wake the host before its own sleep request ends (inbound notes, env changes).
  if (const auto attn = t.comms.attn_wake_us(); attn && *attn > wake.at_us && *attn < next_us) {
    next_us = *attn;
  }
  // A receiver left on (card.location.mode periodic / continuous) fixes on its own schedule,
  // whether the firmware reads it or not.
  if (const auto mode = t.comms.gnss_mode();
      (mode == shim::location_mode::continuous ||
       (mode == shim::location_mode::periodic &&
        (t.location.attempt_us < 0 ||
         wake.at_us - t.location.attempt_us >=
             static_cast<std::int64_t>(t.comms.gnss_seconds()) * 1'000'000))) &&
      t.location.attempt_us != wake.at_us) {
    double ok = 0;
    host.read_gnss("gnss_ok", ok);
  }
  // An in-application update the firmware just finished: the bootloader applies it and the
  // twin reboots (into the new image, or the old one if the apply failed) shortly.
  if (dfu::maybe_apply(w, wake.twin, t.dfu, t.comms, wake.at_us + act.busy_us, true).reboot) {
    dfu_reboot(s, wake.twin, t);
    next_us = std::min(next_us, wake.at_us + act.busy_us + dfu_reboot_us);
  }
  t.host_wake_us = next_us;
  maybe_start_session(s, wake.twin, t, wake.at_us + act.busy_us, result.sessions);
  schedule_next(t, wake.twin, wake.at_us + act.busy_us, window_end_us, result);
}

window_result run_window(shard_state& s, window_work& work) {
  // The modules' err answers are tallied by tag per shard (not per twin: see module.hpp).
  shim::module::error_tally* const previous_tally =
      shim::module::tally_errors_on_this_thread(&s.request_errors_by_tag);
  window_result result;
  result.next_wakes.reserve(work.wakes.size());
  // Merge completions and wakes in (time, twin) order; at equal keys a completion goes first
  // so that a twin waking as its session ends already sees the downlink.
  std::size_t ci = 0;
  std::size_t wi = 0;
  const twin_index first = s.config.first_twin;
  while (ci < work.completions.size() || wi < work.wakes.size()) {
    const bool take_completion = wi == work.wakes.size() ||
                                 (ci < work.completions.size() &&
                                  std::tie(work.completions[ci].at_us, work.completions[ci].twin) <=
                                      std::tie(work.wakes[wi].at_us, work.wakes[wi].twin));
    if (take_completion) {
      const session_completion& c = work.completions[ci++];
      apply_completion(s, c, s.twins[c.twin - first], result.sessions, work.window_end_us, result);
    } else {
      const wake_entry& wake = work.wakes[wi++];
      run_wake(s, wake, s.twins[wake.twin - first], work.window_end_us, result);
    }
  }
  // Anything a twin causes lands in a later window (DESIGN.md: conservative windows), so a
  // wake requested inside this window runs at the start of the next one.
  for (wake_entry& next : result.next_wakes) {
    next.at_us = std::max(next.at_us, work.window_end_us);
  }
  shim::module::tally_errors_on_this_thread(previous_tally);
  return result;
}

shard_totals collect(shard_state& s, const std::vector<std::uint64_t>& cloud_acked) {
  shard_totals totals;
  totals.activations = s.activations;
  totals.missing_sleep_requests = s.missing_sleep_requests;
  totals.module_wakes = s.module_wakes;
  totals.reconnect_syncs = s.reconnect_syncs;
  totals.resets_by_reason = s.resets_by_reason;
  totals.auth_downlinks_rejected = s.secure_elements->counters().downlinks_rejected;
  totals.request_errors_by_tag.insert(s.request_errors_by_tag.begin(),
                                      s.request_errors_by_tag.end());
  s.external.add_totals(totals.external);
  const world& w = *s.config.the_world;
  totals.twins.reserve(s.twins.size());
  for (std::size_t i = 0; i < s.twins.size(); ++i) {
    const twin_index twin = s.config.first_twin + static_cast<twin_index>(i);
    twin_runtime& t = s.twins[i];
    const auto& counters = t.comms.counters();
    totals.notes_added += counters.notes_added;
    totals.notes_lost += counters.notes_dropped;
    totals.requests += counters.requests;
    totals.request_errors += counters.request_errors;
    totals.inbound_dropped += counters.inbound_dropped;
    totals.web_responses += counters.web_responses;
    const std::uint64_t acked = twin < cloud_acked.size() ? cloud_acked[twin] : 0;
    const std::uint64_t in_flight = t.comms.notes_not_stored(acked);
    totals.notes_in_flight += in_flight;
    // Sleep from the last activation to the end of the run still drains the battery (not an
    // external device's: its MCU is real, its draw not ours to model).
    const std::int64_t tail_us = std::max<std::int64_t>(0, w.duration_us - t.last_active_end_us);
    if (!t.external)
      t.mcu_charge_mah += w.model_of(twin).sleep_ua / 1000.0 * (tail_us / us_per_hour);
    t.last_active_end_us = std::max(t.last_active_end_us, w.duration_us);
    totals.twins.push_back({twin, firmware_label(s, twin, t), battery_used_mah(t),
                            battery_voltage(s, twin, t), in_flight, t.resets,
                            counters.notes_added});
  }
  return totals;
}

caf::behavior device_shard_actor(caf::stateful_actor<shard_state>* self,
                                 device_shard_config config) {
  shard_state& s = self->state;
  s.config = std::move(config);
  const world& w = *s.config.the_world;
  s.positioning = std::make_unique<device_location>(w);
  s.secure_elements = std::make_unique<secure_element_bank>(w.seed);
  s.replacements = std::make_unique<replacement_schedule>(w);
  const std::size_t count = s.config.end_twin - s.config.first_twin;
  s.twins.reserve(count);
  std::size_t offset = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const twin_index twin = s.config.first_twin + static_cast<twin_index>(i);
    s.twins.emplace_back(w.seed, twin);
    s.twins.back().rat = static_cast<std::uint8_t>(w.model_of(twin).rats.front());
    s.twins.back().image_offset = offset;
    s.twins.back().location = s.positioning->initial_state(twin);
    s.twins.back().queued_wake_us = w.twins[twin].boot_us;  // the kernel queues every boot
    if (!w.model_of(twin).external.empty()) {
      s.twins.back().external = true;  // no image: its RAM is on the device
      continue;
    }
    offset += s.config.firmware[w.fleet_of(twin).device_model]->metadata().ram_image_bytes;
    const std::size_t bytes =
        s.config.firmware[w.fleet_of(twin).device_model]->metadata().ram_image_bytes;
    s.twins.back().slot_bytes = static_cast<std::uint32_t>(bytes);
    offset += bytes;
  }
  s.dfu_bytes = std::make_unique<dfu::image_bytes>(w);
  s.images.resize(offset);
  for (const external_device& device : s.config.external) {
    if (device.twin < s.config.first_twin || device.twin >= s.config.end_twin) continue;
    s.external.add(device.twin, device.link, s.twins[device.twin - s.config.first_twin].comms);
  }
  for (std::size_t i = 0; i < count; ++i) {
    const twin_index twin = s.config.first_twin + static_cast<twin_index>(i);
    if (s.twins[i].external) continue;
    auto pristine = copy_of(s, twin, s.twins[i]).pristine_image();
    std::memcpy(s.images.data() + s.twins[i].image_offset, pristine.data(), pristine.size());
  }
  return {
      [self](run_window_atom, window_work& work) { return run_window(self->state, work); },
      [self](collect_atom, const std::vector<std::uint64_t>& cloud_acked) {
        return collect(self->state, cloud_acked);
      },
  };
}

}  // namespace

caf::actor spawn_device_shard(caf::actor_system& system, device_shard_config config) {
  return system.spawn(device_shard_actor, std::move(config));
}

}  // namespace twelvefold::actors
