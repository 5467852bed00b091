// Giving memory back when a daemon goes idle, so that an idle node does not keep its busiest
// moment's footprint.
//
// Two kinds of pages: the heap's free pages (malloc_trim), and the pages of the program's and
// its libraries' read-only segments (code, constants, the relocation tables the loader read at
// start) that the process has mapped. crmd links nearly everything statically (PULSE_STATIC):
// its code is 12 MB, and the kernel maps code 64 KB around every page touched (fault-around),
// so start-up, gRPC's plugin registry and one transition leave most of it mapped although an
// idle node runs a small part. Unmapping them (MADV_DONTNEED on a read-only, never written
// private mapping of the file) only drops this process's page-table entries: the pages stay in
// the page cache, and a later touch maps them again with a minor fault (no disk read). It is
// what the kernel's reclaim may do to these pages at any time; what changes is the resident
// set reported for the daemon (VmRSS), now its idle working set.
//
// Invariants: only PT_LOAD segments without write permission are touched, so no page that the
// process wrote (data, bss, the relocated RELRO part, which lies in the writable segment) is
// ever dropped, nor any page of an object with text relocations (the loader wrote its code);
// the vDSO is left alone. Under a debugger (TracerPid != 0) code pages may hold breakpoints,
// which are private copies that unmapping would discard: nothing is unmapped then.
//
// Thread-safety: callable from any thread; another thread running code being unmapped faults
// the page back in.
#pragma once

#include <cstddef>

namespace pulse {

struct IdleRelease {
  std::size_t segments = 0;  // read-only segments unmapped
  std::size_t bytes = 0;     // their size (mapped or not)
};

// malloc_trim(0), then the read-only segments' pages as above.
IdleRelease releaseIdleMemory();

}  // namespace pulse
