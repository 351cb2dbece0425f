// One independently loaded copy of a firmware image (see firmware_image.hpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
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
  // Swaps the RAM image in or out, skipping the heap arena beyond its break (nothing lives
  // there, and the allocator zeroes memory as the break grows over it).
  void restore(std::span<const std::byte> image);
  void save(std::span<std::byte> image) const;
  void copy_in(std::span<const std::byte> image, std::size_t from, std::size_t to);
  void copy_out(std::span<std::byte> image, std::size_t from, std::size_t to) const;
  // Bytes of the heap arena in use according to the arena header at `header`.
  [[nodiscard]] std::size_t heap_in_use(const std::byte* header) const;
  // Where image offset `offset` lives in the copy's memory.
  [[nodiscard]] std::byte* live_address(std::size_t offset) const;
  // Reboots the live copy from pristine (a watchdog that bit while the twin slept).
  void reset_live(reset_reason why);
  // Makes `image` pristine with a reboot pending and the reset counted (resets_before + 1,
  // which it returns).
  std::uint32_t reset_image(std::span<std::byte> image, reset_reason why,
                            std::uint32_t resets_before) const;

  void* handle_;                // from dlopen; closed in the destructor
  std::filesystem::path file_;  // the private copy, removed in the destructor
  const tf_firmware_info* info_ = nullptr;
  firmware_metadata metadata_;
  std::vector<std::span<std::byte>> segments_;  // the RAM image, in this order
  std::vector<std::byte> pristine_;
  tf_runtime_state* state_ = nullptr;  // the runtime's state, live in the copy
  std::size_t state_offset_ = 0;       // ... and where it sits in every image
  std::uint64_t token_ = 0;            // this copy's identity, carried by its images
  std::size_t heap_offset_ = 0;        // the TF_HEAP arena in the image, if heap_bytes_ != 0
  std::size_t heap_bytes_ = 0;
  // Catches a caller running one copy on two threads at once, which would mix two twins' RAM.
  std::atomic<bool> in_use_{false};
};

}  // namespace twelvefold::shim::detail
