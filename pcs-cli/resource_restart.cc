#include "pcs-cli/resource_restart.h"

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

// Polls the DC's CIB until `rsc` is running (or stopped everywhere); false after `limit`.
bool waitUntil(const PcsOptions& options, const std::string& rsc, bool running,
               std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (auto cib = LiveCib::read(options); cib.ok()) {
      if (resourceNodes(cib->xml(), rsc).empty() != running) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace

int restartResource(const PcsOptions& options, const std::string& rsc, const std::string& node,
                    const LiveEditor& edit, std::chrono::seconds wait) {
  if (!node.empty()) {
    return fail("Can only restart on a specific node if the resource is a clone, and '" + rsc +
                "' is not");
  }
  auto cib = LiveCib::read(options);
  if (!cib.ok()) return fail(cib.error().message);
  if (resourceNodes(cib->xml(), rsc).empty()) {
    if (!resourceConfig(cib->xml(), rsc).ok() && !stonithConfig(cib->xml(), rsc).ok()) {
      return fail("Resource '" + rsc + "' does not exist.");
    }
    return fail("Resource '" + rsc + "' not restarted: it is not running");
  }
  auto stopped = edit(Edit{ResourceEnable{rsc, false}});
  if (!stopped.ok()) return fail(stopped.error().message);
  const bool stopped_in_time = waitUntil(options, rsc, false, wait);
  auto enabled = edit(Edit{ResourceEnable{rsc, true}});
  if (!enabled.ok()) {
    return fail("Unable to enable '" + rsc + "' again after stopping it (" +
                enabled.error().message + "); run 'pcs resource enable " + rsc + "'");
  }
  if (!stopped_in_time) {
    return fail("Resource '" + rsc + "' did not stop within " + std::to_string(wait.count()) +
                " seconds; it has been enabled again");
  }
  if (!waitUntil(options, rsc, true, wait)) {
    return fail("Resource '" + rsc + "' was stopped but did not start again within " +
                std::to_string(wait.count()) + " seconds");
  }
  std::cout << rsc << " successfully restarted\n";
  return 0;
}

}  // namespace pulse::pcs
