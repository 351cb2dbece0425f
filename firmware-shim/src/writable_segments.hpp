// Where a loaded copy keeps its mutable globals: the writable PT_LOAD segments minus RELRO.
#pragma once

#include <cstddef>
#include <expected>
#include <span>
#include <string>
#include <vector>

namespace twelvefold::shim::detail {

// Finds the writable memory of the object behind a dlopen() handle: every PT_LOAD segment with
// PF_W, without the part PT_GNU_RELRO covers (the GOT and friends, made read-only after
// relocation, identical for every twin). What is left is .data + .bss: a twin's RAM image.
std::expected<std::vector<std::span<std::byte>>, std::string> find_writable_segments(
    void* dl_handle);

}  // namespace twelvefold::shim::detail
