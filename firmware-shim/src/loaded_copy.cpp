#include "loaded_copy.hpp"

#include <dlfcn.h>

#include <exception>
#include <system_error>

#include "activation.hpp"
#include "image_copy.hpp"
#include "writable_segments.hpp"

namespace twelvefold::shim::detail {
namespace {

using runtime_bind_fn = void (*)(const tf_host_api*);

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
// exception would otherwise cross the simulator's frames and take the worker down.
void run_entry(void (*entry)(), activation& current) noexcept {
  try {
    entry();
  } catch (const std::exception& e) {
    ++current.misuse_count;
    log_quietly(current, std::string("firmware threw: ") + e.what());
  } catch (...) {
    ++current.misuse_count;
    log_quietly(current, "firmware threw a non-standard exception");
  }
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

  bind(&host_table());
  copy->info_ = info;
  copy->segments_ = std::move(*segments);
  copy->metadata_.name = info->name != nullptr ? info->name : "";
  copy->metadata_.version = info->version != nullptr ? info->version : "";
  copy->metadata_.abi_version = info->abi_version;
  for (const auto& segment : copy->segments_) copy->metadata_.ram_image_bytes += segment.size();
  copy->pristine_.resize(copy->metadata_.ram_image_bytes);
  copy->save(copy->pristine_);
  return copy;
}

loaded_copy::~loaded_copy() {
  // Put the load-time state back so the image's own destructors (run by dlclose) see the copy as
  // it was loaded, not as the last twin left it.
  if (!pristine_.empty()) restore(pristine_);
  dlclose(handle_);
  std::error_code ignored;
  std::filesystem::remove(file_, ignored);
}

void loaded_copy::restore(std::span<const std::byte> image) {
  const std::byte* from = image.data();
  for (const auto& segment : segments_) {
    copy_image_bytes(segment.data(), from, segment.size());
    from += segment.size();
  }
}

void loaded_copy::save(std::span<std::byte> image) const {
  std::byte* to = image.data();
  for (const auto& segment : segments_) {
    copy_image_bytes(to, segment.data(), segment.size());
    to += segment.size();
  }
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
  current.start_us = host.now_us();
  current.boot_us = host.boot_us();
  {
    const activation_scope scope(current);
    restore(image);
    // setup() alone on first boot: the caller runs the first loop() as its own activation
    // (same wake), so it sees each entry point's busy time and sleep request separately.
    run_entry(first_boot ? info_->setup : info_->loop, current);
    save(image);
  }

  result.sleep_request_s = current.sleep_request_s;
  result.sleep_requested = current.sleep_requested;
  result.busy_us = current.busy_us;
  result.misuse_count += current.misuse_count;
  return result;
}

}  // namespace twelvefold::shim::detail
