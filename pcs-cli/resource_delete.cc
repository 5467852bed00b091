#include "pcs-cli/resource_delete.h"

#include <iostream>
#include <thread>

#include "pcs-cli/live_cib.h"
#include "pcs-cli/wait_idle.h"

namespace pulse::pcs {
namespace {

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

bool stoppedWithin(const PcsOptions& options, const std::string& rsc, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (auto cib = LiveCib::read(options); cib.ok() && resourceNodes(cib->xml(), rsc).empty()) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

int deleteResource(const PcsOptions& options, const std::string& rsc, bool force,
                   const LiveEditor& edit, std::chrono::seconds wait) {
  auto cib = LiveCib::read(options);
  if (!cib.ok()) return fail(cib.error().message);
  if (!force && !resourceNodes(cib->xml(), rsc).empty()) {
    std::cout << "Attempting to stop: " << rsc << "... " << std::flush;
    auto stopped = edit(Edit{ResourceEnable{rsc, false}});
    if (!stopped.ok()) return fail(stopped.error().message);
    if (!stoppedWithin(options, rsc, wait)) {
      std::cout << "\n";
      (void)edit(Edit{ResourceEnable{rsc, true}});
      return fail("Unable to stop: " + rsc +
                  " before deleting (re-run with --force to force deletion)");
    }
    std::cout << "Stopped\n";
  }
  auto deleted = edit(Edit{ResourceDelete{rsc}});
  if (!deleted.ok()) return fail(deleted.error().message);
  std::cout << "Deleting Resource - " << rsc << "\n";
  return 0;
}

}  // namespace pulse::pcs
