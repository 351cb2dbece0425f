// Writing an output file so that a reader (a browser, a dashboard, CI) never sees half of it.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

namespace twelvefold::sim {

// Writes `text` to PATH.tmp, then renames it over `path`. The error names the file.
std::expected<void, std::string> write_file_atomically(const std::filesystem::path& path,
                                                       const std::string& text);

}  // namespace twelvefold::sim
