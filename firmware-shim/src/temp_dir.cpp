#include "temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <vector>

namespace twelvefold::shim::detail {

std::expected<temp_dir, std::string> temp_dir::create(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  if (base == nullptr || *base == '\0') base = "/tmp";
  std::string pattern = (std::filesystem::path(base) / prefix).string() + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    return std::unexpected("cannot create a temporary directory like " + pattern + ": " +
                           std::strerror(errno));
  }
  return temp_dir(std::filesystem::path(buffer.data()));
}

temp_dir::temp_dir(temp_dir&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

temp_dir& temp_dir::operator=(temp_dir&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

temp_dir::~temp_dir() { remove(); }

void temp_dir::remove() noexcept {
  if (path_.empty()) return;
  std::error_code ignored;  // best effort: a leftover temp dir must not take the process down
  std::filesystem::remove_all(path_, ignored);
  path_.clear();
}

}  // namespace twelvefold::shim::detail
