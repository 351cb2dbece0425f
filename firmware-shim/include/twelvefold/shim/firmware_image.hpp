// Loading firmware images and swapping twins' RAM images in and out of them.
//
// A firmware image is a shared object built with twelvefold_add_firmware(). The shim loads it
// as several independent copies (dlopen of one path twice gives one copy, so each copy is
// loaded from its own file), finds each copy's writable segment after RELRO (.data + .bss), and
// before every activation restores the twin's RAM image into it and afterwards saves it back.
// A RAM image may hold pointers into its own copy, so a twin is always run on the copy it was
// first saved from (the caller keeps that binding).
//
// Thread: a firmware_copy is used by one thread at a time; different copies may run at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "twelvefold/shim/host.hpp"

namespace twelvefold::shim {

struct firmware_metadata {
  std::string name;
  std::string version;
  std::uint32_t abi_version = 0;
  std::size_t ram_image_bytes = 0;  // size of .data + .bss after RELRO
};

// What one activation (setup or loop) did, besides changing the RAM image.
struct activation_result {
  std::uint32_t sleep_request_s = 0;  // 0: the firmware asked for no wake-up
  bool sleep_requested = false;
  std::int64_t busy_us = 0;  // virtual time spent in tf_delay()
  // HAL calls with unusable arguments, exceptions thrown by firmware, or a call the shim refused
  // (wrong image size, copy busy on another thread). Each is also logged through the host.
  std::uint32_t misuse_count = 0;
};

class firmware_copy {
 public:
  virtual ~firmware_copy() = default;
  [[nodiscard]] virtual const firmware_metadata& metadata() const = 0;
  // The image every twin starts from: the copy's writable data as loaded (static initialisers
  // applied, .bss zeroed, the runtime bound to the host). Size == metadata().ram_image_bytes.
  [[nodiscard]] virtual std::span<const std::byte> pristine_image() const = 0;
  // Restores `image` into the copy, runs setup() (first_boot) or loop(), saves the copy's
  // writable data back into `image`. `host` answers the firmware's HAL calls meanwhile. `image`
  // must have been initialised from this copy's pristine_image() (its pointers point into this
  // copy). Thread-safe across different copies; one copy used from two threads at once is refused
  // (logged, misuse_count), not run.
  virtual activation_result activate(std::span<std::byte> image, twin_host& host,
                                     bool first_boot) = 0;
};

// A firmware image loaded as `copies` independent copies. Copies are unloaded (and their
// temporary files removed) when this object is destroyed.
class firmware_library {
 public:
  // Errors name the path and what is wrong: missing file, not a shared object, no
  // tf_firmware_info, ABI version mismatch, no runtime bound.
  static std::expected<std::unique_ptr<firmware_library>, std::string> load(
      const std::filesystem::path& image_path, int copies);
  virtual ~firmware_library() = default;
  [[nodiscard]] virtual int copy_count() const = 0;
  [[nodiscard]] virtual firmware_copy& copy(int index) = 0;
  [[nodiscard]] virtual const firmware_metadata& metadata() const = 0;
};

}  // namespace twelvefold::shim
