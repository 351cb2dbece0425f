// A problem with user input, located in a file: "FILE:LINE:COL: what is wrong".
#pragma once

#include <string>
#include <vector>

namespace twelvefold::sim {

struct diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem is about the whole file
  int column = 0;  // 1-based; 0 when unknown
  std::string message;

  [[nodiscard]] std::string to_string() const;
};

std::string to_string(const std::vector<diagnostic>& diagnostics);

}  // namespace twelvefold::sim
