#include "twelvefold/actors/wire_codec.hpp"

#include "twelvefold/models/clock.hpp"
#include "twelvefold/shim/note_template.hpp"
#include "twelvefold/wire/v1/session.pb.h"

namespace twelvefold::actors {

std::string encode_uplink(const uplink_fields& fields, const shim::sync_uplink& session,
                          std::int64_t now_us) {
  const std::vector<shim::outbound_note>& notes = session.notes;
  wire::v1::SessionUplink up;
  up.set_serial(fields.serial);
  up.set_device_id(fields.device_id);
  up.set_product(fields.product);
  up.set_session_seq(fields.session_seq);
  up.set_env_version(fields.env_version);
  auto* status = up.mutable_status();
  status->set_firmware(fields.firmware);
  status->set_rat(fields.rat);
  status->set_rsrp_dbm(fields.rsrp_dbm);
  status->set_cell_id(fields.cell_id);
  status->set_battery_v(fields.battery_v);
  status->set_battery_mah_used(fields.battery_mah_used);
  if (!fields.asset.empty()) status->set_asset(fields.asset);
  status->set_resets(fields.resets);
  if (fields.dfu_campaign != 0) {
    auto* dfu = up.mutable_dfu();
    dfu->set_campaign(fields.dfu_campaign);
    dfu->set_received_bytes(fields.dfu_received_bytes);
    dfu->set_state(fields.dfu_state);
  }
  up.mutable_notes()->Reserve(static_cast<int>(notes.size()));
  const std::string* previous_file = nullptr;
  for (const shim::outbound_note& n : notes) {
    auto* note = up.add_notes();
    note->set_seq(n.seq);
    // Runs of Notes of one Notefile name it once (an empty file means "as the Note before").
    if (previous_file == nullptr || *previous_file != n.file) note->set_file(n.file);
    previous_file = &n.file;
    if (!n.templated.empty()) {
      note->set_record(n.templated.data(), n.templated.size());
    } else {
      note->set_body(n.body_json);
      if (!n.payload_b64.empty()) note->set_payload_b64(n.payload_b64);
    }
    note->set_utc_s(n.stamped_utc_s);
    // The age is counted by the device's own (drifting) clock: factor 7.
    note->set_age_s(static_cast<std::uint32_t>(
        models::local_elapsed_us(std::max<std::int64_t>(0, now_us - n.added_us),
                                 fields.clock_drift_ppm) /
        1'000'000));
  }
  for (const shim::note_template& t : session.templates) {
    auto* tmpl = up.add_templates();
    tmpl->set_file(t.file);
    tmpl->set_body(t.body_json);
    tmpl->set_compact(t.compact);
    tmpl->set_port(t.port);
    tmpl->set_length(t.payload_length);
  }
  if (fields.gnss) {
    auto* gnss = up.mutable_gnss();
    gnss->set_lat_e7(fields.gnss->lat_e7);
    gnss->set_lon_e7(fields.gnss->lon_e7);
    gnss->set_accuracy_m(fields.gnss->accuracy_m);
    gnss->set_age_s(fields.gnss->age_s);
  }
  for (const uplink_measurement& m : fields.cells) {
    auto* cell = up.add_cells();
    cell->set_cell_id(m.id);
    cell->set_rsrp_dbm(m.rx_dbm);
  }
  for (const uplink_measurement& m : fields.aps) {
    auto* ap = up.add_aps();
    ap->set_site_id(m.id);
    ap->set_rssi_dbm(m.rx_dbm);
  }
  up.set_local_ms(fields.local_ms);
  for (const uplink_fields::log_line& line : fields.logs) {
    auto* log = up.add_logs();
    log->set_level(line.level);
    log->set_text(line.text.data(), line.text.size());
    log->set_age_s(
        static_cast<std::uint32_t>(std::max<std::int64_t>(0, now_us - line.at_us) / 1'000'000));
  }
  up.set_logs_dropped(fields.logs_dropped);
  return up.SerializeAsString();
}

bool decode_downlink(const std::string& bytes, shim::sync_downlink& out, std::uint64_t& env_version,
                     downlink_dfu* dfu) {
  wire::v1::SessionDownlink down;
  if (!down.ParseFromString(bytes)) return false;
  out.utc_us = down.utc_us();
  out.acked_through_seq = down.acked_through_seq();
  out.env_changed = down.env_changed();
  out.env.clear();
  for (const auto& var : down.env()) out.env[var.name()] = var.value();
  env_version = down.env_version();
  out.location.reset();
  if (down.has_location()) {
    // at_us is the device's to fill in (the completion time); decoding does not know it.
    shim::location_fix fix;
    fix.lat_deg = down.location().lat_e7() / 1e7;
    fix.lon_deg = down.location().lon_e7() / 1e7;
    fix.source = down.location().kind() == 1   ? shim::location_source::gnss
                 : down.location().kind() == 4 ? shim::location_source::tower
                                               : shim::location_source::triangulated;
    out.location = fix;
  }
  if (dfu != nullptr) {
    const auto& offer = down.dfu();
    *dfu = {down.has_dfu(),      offer.campaign(),   offer.image(),
            offer.version(),     offer.size_bytes(), offer.offset(),
            offer.chunk_bytes(), offer.revert(),     offer.cancel()};
  }
  return true;
}

}  // namespace twelvefold::actors
