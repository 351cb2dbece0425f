// module: sync on reconnect (see module.hpp, sync_after_reconnect).
//
// A Notecard whose last session failed keeps its outbound data and retries; when its modem
// registers again after losing service, the retry goes out at once rather than waiting out the
// outbound interval from the failed attempt: the data was due already.
#include "module_impl.hpp"

namespace twelvefold::shim {

bool module::sync_after_reconnect(std::int64_t now_us) {
  if (failures_ == 0 || sync_open_) return false;
  // off: radio disabled; dfu: busy downloading; minimum: only an explicit hub.sync syncs.
  if (mode_ == hub_mode::off || mode_ == hub_mode::dfu || mode_ == hub_mode::minimum) {
    return false;
  }
  const extended* e = ext_.get();
  if (notes_pending() == 0 && (e == nullptr || !impl::other_outbound_pending(*e))) return false;
  impl::request_sync(*this, now_us);
  return true;
}

}  // namespace twelvefold::shim
