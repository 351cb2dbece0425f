// module: host firmware update — dfu.status, dfu.get (in-application update: the firmware reads
// the image in chunks) and card.dfu (outboard: the module flashes the host itself), with the
// download state machine the device actor feeds (offer_dfu, dfu_progress, dfu_failed).
//
//   idle --offer_dfu--> downloading --dfu_progress(all bytes)--> ready --outboard_dfu_done(ok)-->
//   completed;  any --dfu_failed / dfu.status stop+err--> error;  dfu.status stop --> idle.
#include <algorithm>
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json_kind;
using detail::json_value;
using detail::json_writer;
using detail::reply;

constexpr std::size_t max_dfu_chunk = 8192;  // bytes per dfu.get; base64 makes it ~11 KB

std::string_view mode_name(dfu_state state) {
  switch (state) {
    case dfu_state::idle:
      return "idle";
    case dfu_state::downloading:
      return "downloading";
    case dfu_state::ready:
      return "ready";
    case dfu_state::error:
      return "error";
    case dfu_state::completed:
      return "completed";
  }
  return "idle";
}

std::size_t image_size(const dfu_data& d) {
  return d.image && d.image->bytes ? d.image->bytes->size() : 0;
}

}  // namespace

void module::offer_dfu(std::int64_t /*now_us*/, dfu_image image) {
  dfu_data& d = ext().dfu;
  // Downloads off: the offer is declined; the cloud offers again at a later session.
  if (!d.downloads_on) return;
  // The same image again (the cloud repeats its offer until the device reports it installed).
  if (d.image && d.image->version == image.version &&
      (d.state == dfu_state::downloading || d.state == dfu_state::ready ||
       d.state == dfu_state::completed)) {
    return;
  }
  d.image = std::move(image);
  d.received = 0;
  d.status.clear();
  d.state = image_size(d) == 0 ? dfu_state::ready : dfu_state::downloading;
}

void module::dfu_progress(std::int64_t /*now_us*/, std::size_t bytes_received) {
  extended* e = ext_.get();
  if (e == nullptr || e->dfu.state != dfu_state::downloading) return;
  e->dfu.received = std::min(bytes_received, image_size(e->dfu));
  if (e->dfu.received >= image_size(e->dfu)) e->dfu.state = dfu_state::ready;
}

void module::dfu_failed(std::int64_t /*now_us*/, std::string_view reason) {
  dfu_data& d = ext().dfu;
  d.state = dfu_state::error;
  d.status = reason;
}

dfu_state module::dfu() const {
  const extended* e = ext_.get();
  return e != nullptr ? e->dfu.state : dfu_state::idle;
}

bool module::outboard_dfu_wanted() const {
  const extended* e = ext_.get();
  return e != nullptr && e->dfu.outboard_on && e->dfu.state == dfu_state::ready;
}

void module::outboard_dfu_done(std::int64_t now_us, bool ok) {
  dfu_data& d = ext().dfu;
  if (d.state != dfu_state::ready) return;
  if (ok) {
    d.state = dfu_state::completed;
    d.report.version = d.image ? d.image->version : std::string();
    d.report.status = "outboard update completed";
    d.report.error.clear();
    d.image->bytes.reset();  // the image is on the host now; the shared copy can go
  } else {
    d.state = dfu_state::error;
    d.status = "outboard update failed";
    d.report.error = d.status;
  }
  d.report.utc_s = impl::utc_or_zero(*this, now_us);
  d.report_dirty = true;
  d.report_in_session = false;
}

std::string module::host_version() const {
  const extended* e = ext_.get();
  return e != nullptr ? e->dfu.report.version : std::string();
}

reply module::impl::dfu_status(module& m, const json_value& req, json_writer& out,
                               std::int64_t now_us) {
  detail::fields f(req);
  const auto name = f.string("name");
  const auto on = f.boolean("on");
  const auto off = f.boolean("off");
  const auto stop = f.boolean("stop");
  const auto status = f.string("status");
  const auto err = f.string("err");
  f.string("vvalue");
  const json_value version = f.find("version");
  if (f.ok() && name && *name != "user" && *name != "card") {
    f.fail(detail::type_error("name", "\"user\" or \"card\""));
  }
  if (f.ok() && version.present() && version.kind() != json_kind::string &&
      version.kind() != json_kind::object) {
    f.fail(detail::type_error("version", "a string or an object"));
  }
  if (f.ok() && on.value_or(false) && off.value_or(false)) f.fail("'on' and 'off' together");
  if (!f.ok()) return f.failure();
  if (name && *name == "card") {
    // The module's own firmware is not modelled: it never has an update.
    out.field("mode", "idle");
    out.field("status", "no download in progress");
    return {};
  }

  dfu_data& d = m.ext().dfu;
  if (on.value_or(false)) d.downloads_on = true;
  if (off.value_or(false)) d.downloads_on = false;
  bool report_changed = false;
  if (version.present()) {
    d.report.version = version.kind() == json_kind::string ? std::string(detail::keep_text(version))
                                                           : version.compact_text();
    report_changed = true;
  }
  if (stop.value_or(false)) {
    d.image.reset();
    d.received = 0;
    d.state = err && !err->empty() ? dfu_state::error : dfu_state::idle;
    d.status = err.value_or("");
    d.report.status = status.value_or("");
    d.report.error = err.value_or("");
    report_changed = true;
  }
  if (report_changed) {
    d.report.utc_s = utc_or_zero(m, now_us);
    d.report_dirty = true;
    d.report_in_session = false;
  }

  out.field("mode", mode_name(d.state));
  switch (d.state) {
    case dfu_state::idle:
      out.field("status", "no download in progress");
      break;
    case dfu_state::downloading: {
      const std::size_t size = image_size(d);
      const auto percent = size == 0 ? 100 : static_cast<std::int64_t>(d.received * 100 / size);
      out.field("status", "downloading: " + std::to_string(percent) + "% complete");
      out.field("pending", true);
      break;
    }
    case dfu_state::ready:
      out.field("status", "successfully downloaded");
      break;
    case dfu_state::error:
      out.field("status", d.status);
      break;
    case dfu_state::completed:
      out.field("status", "firmware installed");
      break;
  }
  out.field(d.downloads_on ? "on" : "off", true);
  if (d.image && (d.state == dfu_state::downloading || d.state == dfu_state::ready)) {
    out.key("body").begin_object();
    out.field("version", d.image->version);
    out.field("length", static_cast<std::uint64_t>(image_size(d)));
    if (!d.image->md5.empty()) out.field("md5", d.image->md5);
    if (!d.image->name.empty()) out.field("name", d.image->name);
    if (!d.image->notes.empty()) out.field("notes", d.image->notes);
    out.field("type", "firmware");
    out.end_object();
  }
  return {};
}

reply module::impl::dfu_get(module& m, const json_value& req, json_writer& out,
                            std::int64_t /*now_us*/) {
  detail::fields f(req);
  const auto length = f.integer("length");
  const auto offset = f.integer("offset");
  if (f.ok() && !length) f.fail(detail::type_error("length", "bytes >= 0"));
  if (f.ok() && *length < 0) f.fail(detail::type_error("length", "bytes >= 0"));
  if (f.ok() && static_cast<std::uint64_t>(*length) > max_dfu_chunk) {
    f.fail(detail::type_error("length", "at most " + std::to_string(max_dfu_chunk) + " bytes"));
  }
  if (f.ok() && offset && *offset < 0) f.fail(detail::type_error("offset", "bytes >= 0"));
  if (!f.ok()) return f.failure();
  if (m.mode_ != hub_mode::dfu) {
    return std::unexpected(std::string("dfu.get needs hub.set mode \"dfu\" first {dfu-not-ready}"));
  }
  const extended* e = m.ext_.get();
  if (e == nullptr || e->dfu.state != dfu_state::ready || !e->dfu.image) {
    return std::unexpected(std::string("no firmware image is ready {dfu-not-ready}"));
  }
  if (*length == 0) return {};  // "am I in DFU mode?"
  const std::size_t size = image_size(e->dfu);
  const auto from = static_cast<std::size_t>(offset.value_or(0));
  if (from >= size) {
    return std::unexpected("offset " + std::to_string(from) + " is beyond the image's " +
                           std::to_string(size) + " bytes {dfu-bad-offset}");
  }
  const std::size_t count = std::min(static_cast<std::size_t>(*length), size - from);
  const auto& bytes = *e->dfu.image->bytes;
  out.field("payload",
            detail::base64_encode(std::span<const std::uint8_t>(bytes.data() + from, count)));
  return {};
}

reply module::impl::card_dfu(module& m, const json_value& req, json_writer& out,
                             std::int64_t /*now_us*/) {
  detail::fields f(req);
  const auto name = f.string("name");
  const auto on = f.boolean("on");
  const auto off = f.boolean("off");
  const auto mode = f.string("mode");
  f.integer("seconds");
  f.boolean("start");
  f.boolean("stop");
  static constexpr std::string_view names[] = {"esp32", "stm32", "stm32-bi", "mcuboot", "-"};
  if (f.ok() && name && std::ranges::find(names, *name) == std::end(names)) {
    f.fail(detail::type_error("name", "one of esp32, stm32, stm32-bi, mcuboot, -"));
  }
  if (f.ok() && mode && *mode != "altdfu" && *mode != "off") {
    f.fail(detail::type_error("mode", "\"altdfu\" or \"off\""));
  }
  if (f.ok() && on.value_or(false) && off.value_or(false)) f.fail("'on' and 'off' together");
  if (!f.ok()) return f.failure();
  dfu_data& d = m.ext().dfu;
  if (name) d.outboard_name = *name == "-" ? "" : std::string(*name);
  if (on.value_or(false)) d.outboard_on = true;
  if (off.value_or(false) || (name && *name == "-")) d.outboard_on = false;
  if (!d.outboard_name.empty()) out.field("name", d.outboard_name);
  out.field(d.outboard_on ? "on" : "off", true);
  return {};
}

}  // namespace twelvefold::shim
