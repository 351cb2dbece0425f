// Loading firmware images and swapping twins' RAM images in and out of them.
//
// A firmware image is a shared object built with twelvefold_add_firmware(). The shim loads it
// as several independent copies (dlopen of one path twice gives one copy, so each copy is
// loaded from its own file), finds each copy's writable segment after RELRO (.data + .bss), and
// before every activation restores the twin's RAM image into it and afterwards saves it back.
// A RAM image may hold pointers into its own copy, so a twin is always run on the copy it was
// first saved from (the caller keeps that binding; every image carries its copy's identity, and
// a copy refuses an image saved from another).
//
// Faults: a twin whose firmware aborts, fails an assert, calls exit, throws out of setup/loop,
// corrupts its heap, makes a runaway number of HAL calls or is bitten by its watchdog is reset
// like hardware: its RAM image becomes the pristine one again (plus its reset count and cause),
// activation_result::reset says why, and its next activation reboots it (setup, then loop).
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
#include <string_view>
#include <vector>

#include "twelvefold/shim/host.hpp"

namespace twelvefold::shim {

struct firmware_metadata {
  std::string name;
  std::string version;
  std::uint32_t abi_version = 0;
  std::size_t ram_image_bytes = 0;  // size of .data + .bss after RELRO
  std::size_t heap_bytes = 0;       // of which the TF_HEAP arena (0: none); swapped only in use
};

// Why a twin was reset. Values match enum tf_reset_reason of <twelvefold/firmware.h>.
enum class reset_reason : std::uint8_t {
  none = 0,       // no reset
  assertion = 1,  // assert() failed
  abort = 2,      // abort()
  exit = 3,       // exit() or _Exit()
  watchdog = 4,   // the firmware's watchdog (tf_watchdog_start) was not kicked in time
  hang = 5,       // more HAL calls in one activation than any terminating loop makes
  exception = 6,  // a C++ exception escaped setup() or loop()
  heap = 7,       // the twin's heap bookkeeping was overwritten
};
// "none", "assert", "abort", "exit", "watchdog", "hang", "exception", "heap".
[[nodiscard]] std::string_view to_string(reset_reason reason);

// What one activation (setup or loop) did, besides changing the RAM image.
struct activation_result {
  std::uint32_t sleep_request_s = 0;  // 0: the firmware asked for no wake-up
  bool sleep_requested = false;
  std::int64_t busy_us = 0;  // virtual time spent in tf_delay()
  // HAL calls with unusable arguments, bad free() calls, or a call the shim refused
  // (wrong image size or copy, copy busy on another thread). Each is also logged through the
  // host.
  std::uint32_t misuse_count = 0;
  // Not none: the firmware faulted and the twin was reset. Its image is pristine again with
  // a reboot pending; sleep_requested is true with sleep_request_s 0, so the caller wakes it at
  // once (its next window) and that activation reboots it. A watchdog that bit while the twin
  // slept is found at the start of the next activation, which then reboots it at once
  // (reset == watchdog and rebooted both set).
  reset_reason reset = reset_reason::none;
  // This activation served a pending reset: setup() ran, then loop() (one boot, as after a
  // power-on; busy_us and the sleep request cover both).
  bool rebooted = false;
  // Resets of this twin since its first boot, this one included; kept in its RAM image.
  std::uint32_t resets = 0;
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
  // copy): an image of another copy or library, or of the wrong size, is refused (logged,
  // misuse_count), not run. Thread-safe across different copies; one copy used from two threads
  // at once is refused likewise.
  //
  // An armed watchdog shortens the sleep request to when it will bite, so the caller wakes the
  // twin then and the reset happens at the right virtual time.
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
