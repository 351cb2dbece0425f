#include "loaded_copy.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <exception>
#include <optional>
#include <system_error>

#include "activation.hpp"
#include "image_copy.hpp"
#include "writable_segments.hpp"

namespace twelvefold::shim::detail {
namespace {

using runtime_bind_fn = tf_runtime_state* (*)(const tf_host_api*, std::uint64_t);

static_assert(static_cast<int>(reset_reason::assertion) == TF_RESET_ASSERT);
static_assert(static_cast<int>(reset_reason::watchdog) == TF_RESET_WATCHDOG);
static_assert(static_cast<int>(reset_reason::heap) == TF_RESET_HEAP);

constexpr std::int64_t us_per_s = 1'000'000;

// Process-wide, so that an image of one library is never taken for one of another either.
std::atomic<std::uint64_t> next_token_{1};

std::string last_dl_error() {
  const char* why = dlerror();
  return why != nullptr ? why : "unknown reason";
}

// Logs through the host without letting a failing logger unwind past the image save.
void log_quietly(activation& current, const std::string& text) noexcept {
  try {
    current.host->log(TF_LOG_ERROR, text);
  } catch (...) {
    // Nothing better to do: the count in misuse_count still tells the caller.
  }
}

// Runs one firmware entry point; a C++ firmware that throws is contained here, because the
// exception would otherwise cross the simulator's frames and take the worker down. On an MCU
// an uncaught exception ends in std::terminate and a reset, so that is what it becomes.
void run_entry(void (*entry)(), activation& current) noexcept {
  try {
    entry();
  } catch (const std::exception& e) {
    log_quietly(current, std::string("firmware reset (exception): uncaught ") + e.what());
    current.fault_reason = TF_RESET_EXCEPTION;
  } catch (...) {
    log_quietly(current, "firmware reset (exception): uncaught non-standard exception");
    current.fault_reason = TF_RESET_EXCEPTION;
  }
}

// Runs an entry point with a jump point armed for faults (abort, assert, exit, watchdog, hang,
// heap), which unwind here from inside the firmware. Nothing in this frame or below it up to the
// firmware holds an object with a destructor, so skipping those frames is sound; the twin's RAM
// image, which they may have left half-updated, is thrown away by the caller.
reset_reason run_guarded(void (*entry)(), activation& current) noexcept {
  current.fault_reason = TF_RESET_POWER_ON;
  if (sigsetjmp(current.jump, 0) != 0) return static_cast<reset_reason>(current.fault_reason);
  current.jump_armed = true;
  run_entry(entry, current);
  current.jump_armed = false;
  return static_cast<reset_reason>(current.fault_reason);
}

template <typename T>
T read_at(const std::byte* where) {
  T value;
  std::memcpy(&value, where, sizeof value);
  return value;
}

template <typename T>
void write_at(std::byte* where, T value) {
  std::memcpy(where, &value, sizeof value);
}

// The offset in the RAM image of [address, address + bytes), if it lies inside one segment.
std::optional<std::size_t> image_offset(const std::vector<std::span<std::byte>>& segments,
                                        const void* address, std::size_t bytes) {
  const auto* p = static_cast<const std::byte*>(address);
  std::size_t offset = 0;
  for (const auto& segment : segments) {
    if (p >= segment.data() && bytes <= segment.size() &&
        p <= segment.data() + (segment.size() - bytes)) {
      return offset + static_cast<std::size_t>(p - segment.data());
    }
    offset += segment.size();
  }
  return std::nullopt;
}

}  // namespace

std::expected<std::unique_ptr<loaded_copy>, std::string> loaded_copy::open(
    const std::filesystem::path& origin, const std::filesystem::path& file) {
  const auto fail = [&origin](const std::string& why) {
    return std::unexpected("firmware image '" + origin.string() + "': " + why);
  };
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return fail("not a loadable shared object: " + last_dl_error());
  // Owned from here: the destructor closes the handle and removes the file on every error path.
  std::unique_ptr<loaded_copy> copy(new loaded_copy(handle, file));

  dlerror();
  const auto* info = static_cast<const tf_firmware_info*>(dlsym(handle, "tf_firmware_info"));
  if (info == nullptr) {
    return fail("no tf_firmware_info symbol (declare the image with TF_FIRMWARE(name, version))");
  }
  if (info->abi_version != TF_FIRMWARE_ABI_VERSION) {
    return fail("firmware ABI version " + std::to_string(info->abi_version) +
                ", but this shim implements version " + std::to_string(TF_FIRMWARE_ABI_VERSION) +
                " (rebuild the image against this shim's headers)");
  }
  if (info->setup == nullptr || info->loop == nullptr) {
    return fail("tf_firmware_info lacks a setup or loop function");
  }
  auto bind = reinterpret_cast<runtime_bind_fn>(dlsym(handle, "tf_runtime_bind"));
  if (bind == nullptr) {
    return fail(
        "no tf_runtime_bind symbol (not linked with the firmware runtime; build it "
        "with twelvefold_add_firmware)");
  }
  auto segments = find_writable_segments(handle);
  if (!segments) return fail(segments.error());
  copy->segments_ = std::move(*segments);

  copy->token_ = next_token_.fetch_add(1, std::memory_order_relaxed);
  copy->state_ = bind(&host_table(), copy->token_);
  const auto state_offset = copy->state_ != nullptr ? image_offset(copy->segments_, copy->state_,
                                                                   sizeof(tf_runtime_state))
                                                    : std::nullopt;
  if (!state_offset) {
    return fail(
        "the firmware runtime's state is not in the image's writable data (a runtime "
        "from another build?)");
  }
  copy->state_offset_ = *state_offset;

  // The heap arena (TF_HEAP), if any. Found by its exported name; one that is not where the
  // RAM image is, or too small to hold the allocator's header, is just swapped as plain data.
  const auto* arena = static_cast<const std::byte*>(dlsym(handle, "tf_heap_arena"));
  const auto* arena_bytes = static_cast<const std::size_t*>(dlsym(handle, "tf_heap_arena_bytes"));
  if (arena != nullptr && arena_bytes != nullptr && *arena_bytes >= sizeof(tf_heap_header)) {
    if (const auto offset = image_offset(copy->segments_, arena, *arena_bytes)) {
      copy->heap_offset_ = *offset;
      copy->heap_bytes_ = *arena_bytes;
    }
  }

  copy->info_ = info;
  copy->metadata_.name = info->name != nullptr ? info->name : "";
  copy->metadata_.version = info->version != nullptr ? info->version : "";
  copy->metadata_.abi_version = info->abi_version;
  for (const auto& segment : copy->segments_) copy->metadata_.ram_image_bytes += segment.size();
  copy->metadata_.heap_bytes = copy->heap_bytes_;
  // Snapshot everything, the whole arena included (all zero): the pristine image is complete.
  copy->pristine_.resize(copy->metadata_.ram_image_bytes);
  copy->copy_out(copy->pristine_, 0, copy->pristine_.size());
  return copy;
}

loaded_copy::~loaded_copy() {
  // Put the load-time state back so the image's own destructors (run by dlclose) see the copy as
  // it was loaded, not as the last twin left it.
  if (!pristine_.empty()) copy_in(pristine_, 0, pristine_.size());
  dlclose(handle_);
  std::error_code ignored;
  std::filesystem::remove(file_, ignored);
}

std::byte* loaded_copy::live_address(std::size_t offset) const {
  for (const auto& segment : segments_) {
    if (offset < segment.size()) return segment.data() + offset;
    offset -= segment.size();
  }
  return nullptr;
}

void loaded_copy::copy_in(std::span<const std::byte> image, std::size_t from, std::size_t to) {
  std::size_t base = 0;
  for (const auto& segment : segments_) {
    const std::size_t begin = std::max(from, base);
    const std::size_t end = std::min(to, base + segment.size());
    if (begin < end)
      copy_image_bytes(segment.data() + (begin - base), image.data() + begin, end - begin);
    base += segment.size();
  }
}

void loaded_copy::copy_out(std::span<std::byte> image, std::size_t from, std::size_t to) const {
  std::size_t base = 0;
  for (const auto& segment : segments_) {
    const std::size_t begin = std::max(from, base);
    const std::size_t end = std::min(to, base + segment.size());
    if (begin < end)
      copy_image_bytes(image.data() + begin, segment.data() + (begin - base), end - begin);
    base += segment.size();
  }
}

std::size_t loaded_copy::heap_in_use(const std::byte* header) const {
  const auto magic = read_at<std::uint32_t>(header + offsetof(tf_heap_header, magic));
  const auto in_use = read_at<std::uint32_t>(header + offsetof(tf_heap_header, break_bytes));
  if (magic == TF_HEAP_MAGIC && in_use >= sizeof(tf_heap_header) && in_use <= heap_bytes_) {
    return in_use;
  }
  // Never used: only the (all-zero) header matters. Anything else is a header the firmware
  // overwrote; the allocator will say so, and meanwhile swapping it all is the safe choice.
  if (magic == 0 && in_use == 0) return sizeof(tf_heap_header);
  return heap_bytes_;
}

void loaded_copy::restore(std::span<const std::byte> image) {
  if (heap_bytes_ == 0) {
    copy_in(image, 0, image.size());
    return;
  }
  const std::size_t skip_from = heap_offset_ + heap_in_use(image.data() + heap_offset_);
  copy_in(image, 0, skip_from);
  copy_in(image, heap_offset_ + heap_bytes_, image.size());
}

void loaded_copy::save(std::span<std::byte> image) const {
  if (heap_bytes_ == 0) {
    copy_out(image, 0, image.size());
    return;
  }
  // The arena header may straddle nothing: it is 16 bytes at a 16-byte aligned address inside
  // one segment (image_offset checked the whole arena is).
  const std::size_t skip_from = heap_offset_ + heap_in_use(live_address(heap_offset_));
  copy_out(image, 0, skip_from);
  copy_out(image, heap_offset_ + heap_bytes_, image.size());
}

void loaded_copy::reset_live(reset_reason why) {
  const std::uint32_t resets = state_->reset_count + 1;
  copy_in(pristine_, 0, pristine_.size());
  state_->reset_count = resets;
  state_->reset_reason = static_cast<std::int32_t>(why);
  state_->reset_pending = 0;
}

std::uint32_t loaded_copy::reset_image(std::span<std::byte> image, reset_reason why,
                                       std::uint32_t resets_before) const {
  const std::uint32_t resets = resets_before + 1;
  std::memcpy(image.data(), pristine_.data(), pristine_.size());
  std::byte* state = image.data() + state_offset_;
  write_at<std::uint32_t>(state + offsetof(tf_runtime_state, reset_count), resets);
  write_at<std::int32_t>(state + offsetof(tf_runtime_state, reset_reason),
                         static_cast<std::int32_t>(why));
  write_at<std::uint32_t>(state + offsetof(tf_runtime_state, reset_pending), 1);
  return resets;
}

activation_result loaded_copy::activate(std::span<std::byte> image, twin_host& host,
                                        bool first_boot) {
  activation_result result;
  if (image.size() != metadata_.ram_image_bytes) {
    ++result.misuse_count;
    host.log(TF_LOG_ERROR, "shim: RAM image of " + std::to_string(image.size()) +
                               " bytes given to a copy of '" + metadata_.name + "' that needs " +
                               std::to_string(metadata_.ram_image_bytes) + "; not run");
    return result;
  }
  // Its pointers point into the copy it was saved from: run anywhere else, they would point
  // into another twin's memory. Eight bytes compared; cheap enough to do always.
  if (read_at<std::uint64_t>(image.data() + state_offset_ +
                             offsetof(tf_runtime_state, copy_token)) != token_) {
    ++result.misuse_count;
    host.log(TF_LOG_ERROR,
             "shim: RAM image was not saved from this copy of '" + metadata_.name +
                 "' (a twin must stay bound to the copy whose pristine_image() it started "
                 "from); not run");
    return result;
  }
  if (in_use_.exchange(true, std::memory_order_acquire)) {
    ++result.misuse_count;
    host.log(TF_LOG_ERROR, "shim: firmware copy already running on another thread; not run");
    return result;
  }

  // Released however this ends: a host that throws (now_us(), log()) must not lock the copy.
  struct release_on_exit {
    std::atomic<bool>& flag;
    ~release_on_exit() { flag.store(false, std::memory_order_release); }
  } const release{in_use_};

  activation current;
  current.host = &host;
  current.state = state_;
  current.start_us = host.now_us();
  current.boot_us = host.boot_us();
  {
    const activation_scope scope(current);
    // Counted from the image as saved, not from the live copy a faulting firmware may have
    // scribbled over.
    std::uint32_t resets_before = read_at<std::uint32_t>(image.data() + state_offset_ +
                                                         offsetof(tf_runtime_state, reset_count));
    restore(image);
    // The table is what every image was bound with; re-asserting it costs a store and keeps a
    // firmware that scribbled over it from calling through garbage.
    state_->host = &host_table();

    bool reboot = false;
    if (first_boot) {
      state_->reset_pending = 0;
    } else if (state_->reset_pending != 0) {
      reboot = true;
    } else if (state_->watchdog_timeout_ms != 0 &&
               current.start_us >= state_->watchdog_deadline_us) {
      // It bit while the twin slept (a sleep longer than the timeout): the MCU reset then and
      // boots now.
      log_quietly(current, "firmware reset (watchdog): not kicked for " +
                               std::to_string(state_->watchdog_timeout_ms) + " ms (while asleep)");
      reset_live(reset_reason::watchdog);
      ++resets_before;
      result.reset = reset_reason::watchdog;
      reboot = true;
    }
    if (reboot) {
      state_->reset_pending = 0;
      result.rebooted = true;
    }

    // setup() alone on first boot: the caller runs the first loop() as its own activation
    // (same wake), so it sees each entry point's busy time and sleep request separately. A
    // reboot runs both here, as the caller does not know one is due.
    reset_reason outcome = run_guarded(first_boot || reboot ? info_->setup : info_->loop, current);
    if (outcome == reset_reason::none && reboot) outcome = run_guarded(info_->loop, current);

    if (outcome != reset_reason::none) {
      result.reset = outcome;
      result.resets = reset_image(image, outcome, resets_before);
      // Wake at once: that activation reboots it. The sleep the firmware asked for, if any,
      // died with it.
      current.sleep_requested = true;
      current.sleep_request_s = 0;
    } else {
      if (state_->watchdog_timeout_ms != 0 && current.sleep_requested) {
        // Wake the twin when its watchdog will bite, so the reset lands at the right time.
        const std::int64_t left_us = state_->watchdog_deadline_us - current.now_us();
        const std::int64_t asked_us = static_cast<std::int64_t>(current.sleep_request_s) * us_per_s;
        if (asked_us > left_us) {
          current.sleep_request_s = static_cast<std::uint32_t>(
              (std::max<std::int64_t>(0, left_us) + us_per_s - 1) / us_per_s);
        }
      }
      result.resets = state_->reset_count;
      save(image);
    }
  }

  result.sleep_request_s = current.sleep_request_s;
  result.sleep_requested = current.sleep_requested;
  result.busy_us = current.busy_us;
  result.misuse_count += current.misuse_count;
  return result;
}

}  // namespace twelvefold::shim::detail
