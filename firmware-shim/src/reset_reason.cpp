#include "twelvefold/shim/firmware_image.hpp"

namespace twelvefold::shim {

std::string_view to_string(reset_reason reason) {
  switch (reason) {
    case reset_reason::none:
      return "none";
    case reset_reason::assertion:
      return "assert";
    case reset_reason::abort:
      return "abort";
    case reset_reason::exit:
      return "exit";
    case reset_reason::watchdog:
      return "watchdog";
    case reset_reason::hang:
      return "hang";
    case reset_reason::exception:
      return "exception";
    case reset_reason::heap:
      return "heap";
  }
  return "unknown";
}

}  // namespace twelvefold::shim
