#include "twelvefold/sim/diagnostic.hpp"

namespace twelvefold::sim {

std::string diagnostic::to_string() const {
  std::string text = file;
  if (line > 0) {
    text += ":" + std::to_string(line);
    if (column > 0) text += ":" + std::to_string(column);
  }
  return text + ": " + message;
}

std::string to_string(const std::vector<diagnostic>& diagnostics) {
  std::string text;
  for (const diagnostic& d : diagnostics) text += d.to_string() + "\n";
  return text;
}

}  // namespace twelvefold::sim
