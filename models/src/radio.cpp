// Stable names of RATs and environments, as written in scenarios and reports.
#include "twelvefold/models/radio.hpp"

namespace twelvefold::models {

std::string_view rat_name(rat r) {
  switch (r) {
    case rat::lte_m:
      return "lte-m";
    case rat::nb_iot:
      return "nb-iot";
    case rat::gprs:
      return "gprs";
    case rat::umts:
      return "umts";
    case rat::wifi:
      return "wifi";
    case rat::lorawan:
      return "lorawan";
    case rat::ntn:
      return "ntn";
  }
  return "unknown";
}

bool parse_rat(std::string_view name, rat& out) {
  // The generation names operators use in sunset announcements.
  if (name == "2g") {
    out = rat::gprs;
    return true;
  }
  if (name == "3g") {
    out = rat::umts;
    return true;
  }
  for (int i = 0; i < rat_count; ++i) {
    const auto r = static_cast<rat>(i);
    if (name == rat_name(r)) {
      out = r;
      return true;
    }
  }
  return false;
}

std::string_view environment_name(environment_kind e) {
  switch (e) {
    case environment_kind::urban:
      return "urban";
    case environment_kind::suburban:
      return "suburban";
    case environment_kind::rural:
      return "rural";
    case environment_kind::indoor:
      return "indoor";
  }
  return "unknown";
}

bool parse_environment(std::string_view name, environment_kind& out) {
  for (auto e : {environment_kind::urban, environment_kind::suburban, environment_kind::rural,
                 environment_kind::indoor}) {
    if (name == environment_name(e)) {
      out = e;
      return true;
    }
  }
  return false;
}

}  // namespace twelvefold::models
