#include "writable_segments.hpp"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>

namespace twelvefold::shim::detail {
namespace {

struct segment_query {
  ElfW(Addr) load_bias = 0;  // the object's l_addr, which dl_iterate_phdr reports as dlpi_addr
  bool found = false;
  std::vector<std::span<std::byte>> segments;
};

int collect_segments(dl_phdr_info* info, size_t /*size*/, void* data) {
  auto& query = *static_cast<segment_query*>(data);
  if (info->dlpi_addr != query.load_bias) return 0;
  query.found = true;

  ElfW(Addr) relro_begin = 0;
  ElfW(Addr) relro_end = 0;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_GNU_RELRO) {
      relro_begin = info->dlpi_addr + ph.p_vaddr;
      relro_end = relro_begin + ph.p_memsz;
    }
  }
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W) == 0) continue;
    ElfW(Addr) begin = info->dlpi_addr + ph.p_vaddr;
    const ElfW(Addr) end = begin + ph.p_memsz;
    // RELRO sits at the start of the writable segment; skip whatever of it overlaps.
    if (relro_begin < end && relro_end > begin) begin = std::max(begin, relro_end);
    if (begin < end) {
      query.segments.emplace_back(reinterpret_cast<std::byte*>(begin),
                                  static_cast<size_t>(end - begin));
    }
  }
  return 1;  // found: stop iterating
}

}  // namespace

std::expected<std::vector<std::span<std::byte>>, std::string> find_writable_segments(
    void* dl_handle) {
  link_map* map = nullptr;
  if (dlinfo(dl_handle, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr) {
    const char* why = dlerror();
    return std::unexpected(std::string("dlinfo(RTLD_DI_LINKMAP) failed: ") +
                           (why != nullptr ? why : "unknown reason"));
  }
  segment_query query;
  query.load_bias = map->l_addr;
  dl_iterate_phdr(collect_segments, &query);
  if (!query.found) {
    return std::unexpected(std::string("loaded object not found among the program headers"));
  }
  return std::move(query.segments);
}

}  // namespace twelvefold::shim::detail
