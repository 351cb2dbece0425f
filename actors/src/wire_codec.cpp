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
  // Factors 3 and 5: replicated database changes and proxied web requests.
  for (const shim::db_change& c : session.db_changes) {
    auto* change = up.add_db_changes();
    change->set_file(c.file);
    change->set_note_id(c.note_id);
    if (!c.deleted) {
      change->set_body(c.body_json);
      if (!c.payload_b64.empty()) change->set_payload_b64(c.payload_b64);
    }
    change->set_utc_s(c.utc_s);
    change->set_deleted(c.deleted);
  }
  for (const shim::web_request& r : session.web_requests) {
    auto* request = up.add_web_requests();
    request->set_id(r.id);
    static constexpr const char* methods[] = {"GET", "PUT", "POST", "DELETE"};
    request->set_method(methods[static_cast<int>(r.method)]);
    request->set_route(r.route);
    request->set_name(r.name);
    request->set_body(r.body_json);
    if (!r.payload_b64.empty()) request->set_payload_b64(r.payload_b64);
    if (!r.content.empty()) request->set_content(r.content);
    request->set_timeout_s(r.timeout_s);
    request->set_async(r.async);
  }
  up.set_down_acked_seq(fields.down_acked_seq);
  return up.SerializeAsString();
}

bool decode_downlink(const std::string& bytes, shim::sync_downlink& out, std::uint64_t& env_version,
                     downlink_dfu* dfu, std::uint64_t* down_seq) {
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
  out.inbound.clear();
  out.inbound.reserve(static_cast<std::size_t>(down.inbound_size()));
  for (auto& n : *down.mutable_inbound()) {
    shim::inbound_note note;
    note.file = std::move(*n.mutable_file());
    note.note_id = std::move(*n.mutable_note_id());
    note.body_json = std::move(*n.mutable_body());
    note.payload_b64 = std::move(*n.mutable_payload_b64());
    note.utc_s = n.utc_s();
    note.deleted = n.deleted();
    out.inbound.push_back(std::move(note));
  }
  out.web_responses.clear();
  for (auto& r : *down.mutable_web_responses()) {
    out.web_responses.push_back(
        {r.id(), r.result(), std::move(*r.mutable_body()), std::move(*r.mutable_payload_b64())});
  }
  if (down_seq != nullptr) *down_seq = down.down_seq();
  return true;
}

}  // namespace twelvefold::actors
