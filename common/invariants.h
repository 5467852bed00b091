// Invariant checks inside the daemons. The pure cores (the CIB replica, the quorum and its
// exchange, the controller) each state their invariants and check them in checkInvariants();
// tests call it after every step. Debug and sanitizer builds (PULSE_CHECK_INVARIANTS, set by
// CMake) also call it inside crmd after every event the core handles, and abort with a message
// naming the core and the broken invariant: a broken invariant found in a namespace test or a
// fault-lab run stops there, with a core dump, instead of turning into a wrong decision later.
// Release builds compile the checks out (some walk the whole state).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/result.h"

namespace pulse {

#ifdef PULSE_CHECK_INVARIANTS
inline constexpr bool kCheckInvariants = true;
#else
inline constexpr bool kCheckInvariants = false;
#endif

// Aborts when `status` (a checkInvariants() result) failed, naming `core` and the invariant.
inline void enforceInvariants(const Status& status, std::string_view core) {
  if (status.ok()) return;
  std::fprintf(stderr, "pulse: invariant broken in the %.*s: %s\n", static_cast<int>(core.size()),
               core.data(), status.error().message.c_str());
  std::fflush(stderr);
  std::abort();
}

// Checks `core` after an event when the build asks for it; costs nothing otherwise.
template <typename Core>
void checkAfterEvent(const Core& core, std::string_view name) {
  if constexpr (kCheckInvariants) enforceInvariants(core.checkInvariants(), name);
}

}  // namespace pulse
