// firmware_library::load: what is accepted, what is refused and how the refusal reads.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "test_support.hpp"
#include "twelvefold/firmware.h"

namespace twelvefold::shim {
namespace {

using testing::firmware_path;

std::string load_error(const std::filesystem::path& path, int copies = 1) {
  auto library = firmware_library::load(path, copies);
  EXPECT_FALSE(library.has_value()) << path;
  return library ? std::string() : library.error();
}

// Points $TMPDIR at a fresh directory for the test, so the loader's temp files can be checked.
class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("TMPDIR");
    previous_ = base != nullptr ? std::optional<std::string>(base) : std::nullopt;
    tmp_ =
        std::filesystem::temp_directory_path() /
        ("shim-loader-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(tmp_);
    std::filesystem::create_directories(tmp_);
    setenv("TMPDIR", tmp_.c_str(), 1);
  }
  void TearDown() override {
    if (previous_) {
      setenv("TMPDIR", previous_->c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
    std::filesystem::remove_all(tmp_);
  }
  [[nodiscard]] std::size_t files_under_tmp() const {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::recursive_directory_iterator(tmp_)) {
      ++count;
    }
    return count;
  }

  std::filesystem::path tmp_;
  std::optional<std::string> previous_;
};

TEST_F(LoaderTest, LoadsEnvSensorWithMetadata) {
  auto library = firmware_library::load(firmware_path("env-sensor"), 3);
  ASSERT_TRUE(library.has_value()) << library.error();
  const firmware_library& lib = **library;
  EXPECT_EQ(lib.copy_count(), 3);
  EXPECT_EQ(lib.metadata().name, "env-sensor");
  EXPECT_EQ(lib.metadata().version, "1.0.0");
  EXPECT_EQ(lib.metadata().abi_version, TF_FIRMWARE_ABI_VERSION);
  EXPECT_GT(lib.metadata().ram_image_bytes, 0u);
#if !defined(__SANITIZE_ADDRESS__)  // ASan adds its global metadata and redzones to .data
  // The RAM image is .data + .bss: small for this firmware (a few globals plus the runtime's
  // table pointer and the C runtime's bookkeeping), far from a whole page.
  EXPECT_LT(lib.metadata().ram_image_bytes, 1024u);
#endif
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*library)->copy(i).pristine_image().size(), lib.metadata().ram_image_bytes);
  }
}

TEST_F(LoaderTest, EachCopyIsItsOwnFileAndEverythingIsRemovedAfterwards) {
  {
    auto library = firmware_library::load(firmware_path("test-counter"), 2);
    ASSERT_TRUE(library.has_value()) << library.error();
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(tmp_)) {
      if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"test-counter.copy0.so", "test-counter.copy1.so"}));
  }
  EXPECT_EQ(files_under_tmp(), 0u);
}

TEST_F(LoaderTest, FailedLoadLeavesNothingBehind) {
  EXPECT_FALSE(firmware_library::load(firmware_path("test-abi-mismatch"), 2).has_value());
  EXPECT_EQ(files_under_tmp(), 0u);
}

TEST_F(LoaderTest, MissingFileNamesThePath) {
  const auto path = tmp_ / "nope.so";
  const std::string error = load_error(path);
  EXPECT_NE(error.find(path.string()), std::string::npos) << error;
  EXPECT_NE(error.find("no such file"), std::string::npos) << error;
}

TEST_F(LoaderTest, DirectoryIsNotAnImage) {
  const std::string error = load_error(tmp_);
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
}

TEST_F(LoaderTest, NonElfFileIsRefusedWithDlerror) {
  const auto path = tmp_ / "garbage.so";
  {
    std::ofstream out(path);  // longer than an ELF header, so dlopen reads and rejects it
    for (int i = 0; i < 100; ++i) out << "this is not an ELF file\n";
  }
  const std::string error = load_error(path);
  EXPECT_NE(error.find(path.string()), std::string::npos) << error;
  EXPECT_NE(error.find("not a loadable shared object"), std::string::npos) << error;
  EXPECT_NE(error.find("invalid ELF header"), std::string::npos)
      << "dlerror's reason is kept: " << error;
}

TEST_F(LoaderTest, AbiMismatchNamesPathAndBothVersions) {
  const auto path = firmware_path("test-abi-mismatch");
  const std::string error = load_error(path);
  EXPECT_NE(error.find(path.string()), std::string::npos) << error;
  EXPECT_NE(error.find("version 999"), std::string::npos) << error;
  EXPECT_NE(error.find("version " + std::to_string(TF_FIRMWARE_ABI_VERSION)), std::string::npos)
      << error;
}

TEST_F(LoaderTest, MissingInfoSymbolIsRefused) {
  const std::string error = load_error(firmware_path("test-no-info"));
  EXPECT_NE(error.find("tf_firmware_info"), std::string::npos) << error;
}

TEST_F(LoaderTest, MissingRuntimeIsRefused) {
  const std::string error = load_error(firmware_path("test-no-runtime"));
  EXPECT_NE(error.find("tf_runtime_bind"), std::string::npos) << error;
}

TEST_F(LoaderTest, ZeroCopiesIsAnError) {
  const std::string error = load_error(firmware_path("env-sensor"), 0);
  EXPECT_NE(error.find("at least 1"), std::string::npos) << error;
}

}  // namespace
}  // namespace twelvefold::shim
