// Stable names of RATs and environments, as written in scenarios and reports.
#include "twelvefold/models/radio.hpp"

namespace twelvefold::models {

std::string_view rat_name(rat r) {
  switch (r) {
    case rat::lte_m:
      return "lte-m";
  }
  return "unknown";
}

bool parse_rat(std::string_view name, rat& out) {
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
  }
  return "unknown";
}

bool parse_environment(std::string_view name, environment_kind& out) {
  for (auto e : {environment_kind::urban, environment_kind::suburban, environment_kind::rural}) {
    if (name == environment_name(e)) {
      out = e;
      return true;
    }
  }
  return false;
}

}  // namespace twelvefold::models
