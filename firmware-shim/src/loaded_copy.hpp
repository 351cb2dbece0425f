// One independently loaded copy of a firmware image (see firmware_image.hpp).
#pragma once

#include <atomic>
#include <expected>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "twelvefold/firmware.h"
#include "twelvefold/shim/firmware_image.hpp"

namespace twelvefold::shim::detail {

class loaded_copy final : public firmware_copy {
 public:
  // Loads `file`, a private copy of the image at `origin` (which error texts name), checks it,
  // binds its runtime to the shim and snapshots its pristine RAM image.
  static std::expected<std::unique_ptr<loaded_copy>, std::string> open(
      const std::filesystem::path& origin, const std::filesystem::path& file);
  ~loaded_copy() override;
  loaded_copy(const loaded_copy&) = delete;
  loaded_copy& operator=(const loaded_copy&) = delete;

  [[nodiscard]] const firmware_metadata& metadata() const override { return metadata_; }
  [[nodiscard]] std::span<const std::byte> pristine_image() const override { return pristine_; }
  activation_result activate(std::span<std::byte> image, twin_host& host, bool first_boot) override;

 private:
  loaded_copy(void* handle, std::filesystem::path file) : handle_(handle), file_(std::move(file)) {}
  void restore(std::span<const std::byte> image);
  void save(std::span<std::byte> image) const;

  void* handle_;                // from dlopen; closed in the destructor
  std::filesystem::path file_;  // the private copy, removed in the destructor
  const tf_firmware_info* info_ = nullptr;
  firmware_metadata metadata_;
  std::vector<std::span<std::byte>> segments_;  // the RAM image, in this order
  std::vector<std::byte> pristine_;
  // Catches a caller running one copy on two threads at once, which would mix two twins' RAM.
  std::atomic<bool> in_use_{false};
};

}  // namespace twelvefold::shim::detail
