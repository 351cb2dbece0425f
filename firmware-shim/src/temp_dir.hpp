// A private temporary directory, removed with everything in it when the object dies.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace twelvefold::shim::detail {

class temp_dir {
 public:
  // Creates a fresh directory under $TMPDIR (or /tmp) named PREFIX-XXXXXX.
  static std::expected<temp_dir, std::string> create(std::string_view prefix);
  temp_dir(temp_dir&& other) noexcept;
  temp_dir& operator=(temp_dir&& other) noexcept;
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir();

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  explicit temp_dir(std::filesystem::path path) : path_(std::move(path)) {}
  void remove() noexcept;

  std::filesystem::path path_;  // empty once moved from
};

}  // namespace twelvefold::shim::detail
