// corosync-cmapctl for scripts written against corosync (guides check membership with
// `corosync-cmapctl | grep members`): corosync 3's options and output, answered from this node's
// crmd with the keys `pcs cluster cmap` shows. Read-only: the keys a script may set or delete
// (-s, -d, -D, -p) belong to corosync.conf, which Pulse changes through pcs. Pure functions;
// the program does the I/O.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "admin.pb.h"
#include "pcs-cli/crm_tool_args.h"

namespace pulse::pcs {

struct CmapctlArgs {
  bool get = false;                 // -g: the keys named, exactly; else keys by prefix
  bool quiet = false;               // -q: the value alone
  std::string map = "icmap";        // -m: icmap (configuration, runtime) or stats
  std::vector<std::string> params;  // keys (-g) or prefixes; no prefix lists the whole map
  bool help = false;
};

// `args` without the program name.
std::variant<CmapctlArgs, ToolError> parseCmapctl(const std::vector<std::string>& args);

struct ToolOutput {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// What corosync-cmapctl prints for `args` on a node whose crmd reported `status`.
ToolOutput runCmapctl(const CmapctlArgs& args, const admin::ClusterStatusReply& status);

std::string cmapctlUsage();

}  // namespace pulse::pcs
