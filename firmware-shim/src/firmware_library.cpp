#include <memory>
#include <system_error>
#include <utility>
#include <vector>

#include "loaded_copy.hpp"
#include "temp_dir.hpp"
#include "twelvefold/shim/firmware_image.hpp"

namespace twelvefold::shim {
namespace {

class loaded_library final : public firmware_library {
 public:
  explicit loaded_library(detail::temp_dir dir) : dir_(std::move(dir)) {}
  ~loaded_library() override {
    copies_.clear();  // dlclose every copy before their files and directory go
  }

  [[nodiscard]] int copy_count() const override { return static_cast<int>(copies_.size()); }
  [[nodiscard]] firmware_copy& copy(int index) override { return *copies_.at(index); }
  [[nodiscard]] const firmware_metadata& metadata() const override {
    return copies_.front()->metadata();
  }

  detail::temp_dir dir_;
  std::vector<std::unique_ptr<detail::loaded_copy>> copies_;
};

}  // namespace

std::expected<std::unique_ptr<firmware_library>, std::string> firmware_library::load(
    const std::filesystem::path& image_path, int copies) {
  const auto fail = [&image_path](const std::string& why) {
    return std::unexpected("firmware image '" + image_path.string() + "': " + why);
  };
  if (copies < 1) return fail("asked for " + std::to_string(copies) + " copies; need at least 1");
  std::error_code error;
  const auto status = std::filesystem::status(image_path, error);
  if (!std::filesystem::exists(status)) return fail("no such file");
  if (!std::filesystem::is_regular_file(status)) return fail("not a regular file");

  // dlopen() of one path twice returns the same copy, so each copy is loaded from its own file.
  auto dir = detail::temp_dir::create("twelvefold-firmware");
  if (!dir) return fail(dir.error());
  auto library = std::make_unique<loaded_library>(std::move(*dir));
  const std::string stem = image_path.stem().string();
  for (int i = 0; i < copies; ++i) {
    const auto file = library->dir_.path() / (stem + ".copy" + std::to_string(i) + ".so");
    if (!std::filesystem::copy_file(image_path, file, error)) {
      return fail("cannot copy to " + file.string() + ": " + error.message());
    }
    auto copy = detail::loaded_copy::open(image_path, file);
    if (!copy) return std::unexpected(std::move(copy.error()));
    library->copies_.push_back(std::move(*copy));
  }
  return library;
}

}  // namespace twelvefold::shim
