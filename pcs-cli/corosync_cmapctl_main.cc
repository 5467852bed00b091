// corosync-cmapctl: corosync 3's command for reading the cluster's runtime keys, answered from
// this node's crmd (pcs-cli/cmapctl.h). Exit 0, or 1 on any error, as corosync's.
#include <iostream>
#include <string>
#include <vector>

#include "pcs-cli/cmapctl.h"
#include "pcs-cli/node_attribute_client.h"

using namespace pulse::pcs;

int main(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  auto parsed = parseCmapctl(words);
  if (const auto* error = std::get_if<ToolError>(&parsed)) {
    std::cerr << "corosync-cmapctl: " << error->message << "\n" << cmapctlUsage();
    return error->exit_code;
  }
  const auto& args = std::get<CmapctlArgs>(parsed);
  if (args.help) {
    std::cout << cmapctlUsage();
    return 0;
  }
  LocalNode local(toolStateDir(), std::chrono::seconds(30));
  auto status = local.status();
  if (!status) {
    std::cerr << "Failed to initialize the cmap API. Error CS_ERR_LIBRARY\n("
              << status.error().message << ")\n";
    return 1;
  }
  const ToolOutput output = runCmapctl(args, *status);
  std::cout << output.out;
  std::cerr << output.err;
  return output.exit_code;
}
