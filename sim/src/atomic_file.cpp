#include "atomic_file.hpp"

#include <fstream>
#include <system_error>

namespace twelvefold::sim {

std::expected<void, std::string> write_file_atomically(const std::filesystem::path& path,
                                                       const std::string& text) {
  auto temp = path;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return std::unexpected(temp.string() + ": cannot write");
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return std::unexpected(path.string() + ": " + ec.message());
  return {};
}

}  // namespace twelvefold::sim
