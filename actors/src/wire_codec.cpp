#include "twelvefold/actors/wire_codec.hpp"

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
    note->set_age_s(
        static_cast<std::uint32_t>(std::max<std::int64_t>(0, now_us - n.added_us) / 1'000'000));
  }
  for (const shim::note_template& t : session.templates) {
    auto* tmpl = up.add_templates();
    tmpl->set_file(t.file);
    tmpl->set_body(t.body_json);
    tmpl->set_compact(t.compact);
    tmpl->set_port(t.port);
    tmpl->set_length(t.payload_length);
  }
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

bool decode_downlink(const std::string& bytes, shim::sync_downlink& out,
                     std::uint64_t& env_version) {
  wire::v1::SessionDownlink down;
  if (!down.ParseFromString(bytes)) return false;
  out.utc_us = down.utc_us();
  out.acked_through_seq = down.acked_through_seq();
  out.env_changed = down.env_changed();
  out.env.clear();
  for (const auto& var : down.env()) out.env[var.name()] = var.value();
  env_version = down.env_version();
  return true;
}

}  // namespace twelvefold::actors
