#include "common/idle_memory.h"

#include <link.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace pulse {
namespace {

bool traced() {
  std::FILE* status = std::fopen("/proc/self/status", "re");
  if (status == nullptr) return true;  // cannot tell: the safe answer
  char line[256];
  bool result = false;
  while (std::fgets(line, sizeof line, status) != nullptr) {
    if (std::strncmp(line, "TracerPid:", 10) == 0) {
      int pid = 0;
      result = std::sscanf(line + 10, "%d", &pid) != 1 || pid != 0;
      break;
    }
  }
  std::fclose(status);
  return result;
}

// An object with text relocations had its code written by the loader: those pages are private
// copies, and unmapping them would bring back the unrelocated file pages.
bool hasTextRelocations(const dl_phdr_info& info) {
  for (int i = 0; i < info.dlpi_phnum; ++i) {
    if (info.dlpi_phdr[i].p_type != PT_DYNAMIC) continue;
    const auto* entry =
        reinterpret_cast<const ElfW(Dyn)*>(info.dlpi_addr + info.dlpi_phdr[i].p_vaddr);
    for (; entry->d_tag != DT_NULL; ++entry) {
      if (entry->d_tag == DT_TEXTREL) return true;
      if (entry->d_tag == DT_FLAGS && (entry->d_un.d_val & DF_TEXTREL) != 0) return true;
    }
  }
  return false;
}

int releaseObject(dl_phdr_info* info, std::size_t, void* data) {
  auto* release = static_cast<IdleRelease*>(data);
  // The program itself has an empty name; libraries a path. The vDSO ("linux-vdso.so.1") is no
  // file mapping and stays.
  const char* name = info->dlpi_name;
  if (name != nullptr && name[0] != '\0' && name[0] != '/') return 0;
  if (hasTextRelocations(*info)) return 0;
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = info->dlpi_phdr[i];
    if (segment.p_type != PT_LOAD || (segment.p_flags & PF_W) != 0 || segment.p_memsz == 0) {
      continue;
    }
    // Whole pages inside the segment only: a page shared with a writable neighbour stays.
    const std::uintptr_t start = info->dlpi_addr + segment.p_vaddr;
    const std::uintptr_t first = (start + page - 1) & ~(page - 1);
    const std::uintptr_t end = (start + segment.p_memsz) & ~(page - 1);
    if (end <= first) continue;
    if (madvise(reinterpret_cast<void*>(first), end - first, MADV_DONTNEED) == 0) {
      ++release->segments;
      release->bytes += end - first;
    }
  }
  return 0;
}

}  // namespace

IdleRelease releaseIdleMemory() {
  malloc_trim(0);
  IdleRelease release;
  if (traced()) return release;
  dl_iterate_phdr(releaseObject, &release);
  return release;
}

}  // namespace pulse
