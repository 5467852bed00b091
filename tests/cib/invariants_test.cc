// The daemons' invariant check (common/invariants.h): a broken invariant stops the process with
// a message naming the core and the invariant; a kept one does nothing.
#include "common/invariants.h"

#include <gtest/gtest.h>

namespace pulse {
namespace {

TEST(InvariantsDeathTest, BrokenInvariantAbortsNamingTheCoreAndTheInvariant) {
  EXPECT_DEATH(
      enforceInvariants(Status(Error{"node 1 (dc-ready): idle with queue"}), "CIB replica"),
      "invariant broken in the CIB replica: node 1 \\(dc-ready\\): idle with queue");
}

TEST(InvariantsDeathTest, KeptInvariantDoesNothing) {
  enforceInvariants(Status(), "CIB replica");
  SUCCEED();
}

}  // namespace
}  // namespace pulse
