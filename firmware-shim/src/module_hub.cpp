// module: hub.set, hub.sync, hub.sync.status (how and when the module talks to the cloud).
#include <array>
#include <limits>
#include <utility>

#include "module_impl.hpp"

namespace twelvefold::shim {
namespace {

using detail::json;
using detail::reply;

constexpr std::int32_t default_sync_minutes = 60;
constexpr std::int64_t us_per_s = 1'000'000;

struct mode_name {
  std::string_view text;
  hub_mode mode;
};
constexpr std::array<mode_name, 5> mode_names_{{
    {"periodic", hub_mode::periodic},
    {"continuous", hub_mode::continuous},
    {"minimum", hub_mode::minimum},
    {"off", hub_mode::off},
    {"dfu", hub_mode::dfu},
}};

// hub.set's outbound/inbound: minutes >= 0, or -1 to go back to the default (as the Notecard's
// API reference documents for these fields).
std::expected<std::optional<std::int32_t>, std::string> minutes_field(const json& request,
                                                                      std::string_view name) {
  auto minutes = detail::integer_field(request, name);
  if (!minutes) return std::unexpected(std::move(minutes.error()));
  if (!*minutes) return std::nullopt;
  const std::int64_t value = **minutes;
  if (value == -1) return default_sync_minutes;
  if (value < 0 || value > std::numeric_limits<std::int32_t>::max()) {
    return std::unexpected(detail::type_error(name, "minutes >= 0, or -1 for the default"));
  }
  return static_cast<std::int32_t>(value);
}

}  // namespace

reply module::impl::hub_set(module& m, const json& request, std::int64_t /*now_us*/) {
  auto product = detail::string_field(request, "product");
  if (!product) return std::unexpected(std::move(product.error()));
  auto serial = detail::string_field(request, "sn");
  if (!serial) return std::unexpected(std::move(serial.error()));
  auto mode_text = detail::string_field(request, "mode");
  if (!mode_text) return std::unexpected(std::move(mode_text.error()));
  std::optional<hub_mode> mode;
  if (*mode_text) {
    for (const mode_name& candidate : mode_names_) {
      if (candidate.text == **mode_text) mode = candidate.mode;
    }
    if (!mode) {
      return std::unexpected(
          detail::type_error("mode", "one of periodic, continuous, minimum, off, dfu"));
    }
  }
  auto outbound = minutes_field(request, "outbound");
  if (!outbound) return std::unexpected(std::move(outbound.error()));
  auto inbound = minutes_field(request, "inbound");
  if (!inbound) return std::unexpected(std::move(inbound.error()));

  if (*product) m.product_ = **product;
  if (*serial) m.serial_ = **serial;
  if (mode) m.mode_ = *mode;
  if (*outbound) m.outbound_minutes_ = **outbound;
  if (*inbound) m.inbound_minutes_ = **inbound;
  return json::object();
}

void module::impl::request_sync(module& m, std::int64_t now_us) {
  if (!m.sync_requested_) m.sync_requested_us_ = now_us;  // the oldest unanswered request counts
  m.sync_requested_ = true;
}

reply module::impl::hub_sync(module& m, const json& /*request*/, std::int64_t now_us) {
  // Returns at once, as the real module does; the device actor sees sync_wanted() and runs it.
  request_sync(m, now_us);
  return json::object();
}

reply module::impl::hub_sync_status(module& m, const json& /*request*/, std::int64_t now_us) {
  // Shaped after the Notecard's answer: "sync" while a session runs, "requested" and
  // "completed" as seconds ago, "time" the UTC of the last completed sync once time is known.
  json response = json::object();
  if (m.sync_open_) {
    response["status"] = "syncing";
    response["sync"] = true;
  } else if (m.sync_requested_) {
    response["status"] = "sync requested";
  } else {
    response["status"] = "idle";
  }
  if (m.sync_requested_) response["requested"] = (now_us - m.sync_requested_us_) / us_per_s;
  if (m.sync_attempts_ > 0) response["attempted"] = (now_us - m.last_sync_attempt_us_) / us_per_s;
  if (m.last_sync_success_us_) {
    response["completed"] = (now_us - *m.last_sync_success_us_) / us_per_s;
    if (auto utc = utc_s(m, *m.last_sync_success_us_)) response["time"] = *utc;
  }
  return response;
}

}  // namespace twelvefold::shim
