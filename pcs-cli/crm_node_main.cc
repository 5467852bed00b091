// crm_node: Pacemaker 2.1.5's crm_node (options, output, exit codes) for Pulse, answered from
// this node's crmd (its membership status, pcs-cli/node_attribute_client.h):
//   -n  this node's name ($OCF_RESKEY_CRM_meta_on_node when an agent runs it, as Pacemaker)
//   -i  this node's id                 -q  1 when the partition has quorum (else 0, exit 106)
//   -l  "ID NAME STATE" per configured node, STATE member or lost, sorted by name
//   -p  the names of the members of this partition, space separated
//   -N ID  the name of node ID (exit 68 when there is none)
// Errors go to stderr; 64 usage (no command prints the help), 102 crmd not reachable.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "pcs-cli/crm_tool_args.h"
#include "pcs-cli/node_attribute_client.h"

using namespace pulse;
using namespace pulse::pcs;

namespace {

int run(const CrmNodeArgs& args) {
  LocalNode local(toolStateDir(), std::chrono::seconds(30));
  if (args.command == NodeCommand::kName) {
    const char* on_node = std::getenv("OCF_RESKEY_CRM_meta_on_node");
    if (on_node != nullptr) {
      std::cout << on_node << "\n";
      return kExitOk;
    }
    auto name = local.name();
    if (!name) {
      std::cerr << "error: Could not connect to controller: " << name.error().message << "\n";
      return kExitDisconnect;
    }
    std::cout << *name << "\n";
    return kExitOk;
  }
  auto status = local.status();
  if (!status) {
    std::cerr << "error: Could not connect to controller: " << status.error().message << "\n";
    return kExitDisconnect;
  }
  switch (args.command) {
    case NodeCommand::kId:
      if (status->local_nodeid() == 0) {
        std::cerr << "error: Controller reply did not contain node ID\n";
        return kExitProtocol;
      }
      std::cout << status->local_nodeid() << "\n";
      return kExitOk;
    case NodeCommand::kQuorum: {
      const bool quorate = status->has_view() && status->quorum().quorate();
      std::cout << (quorate ? 1 : 0) << "\n";
      return quorate ? kExitOk : kExitQuorum;
    }
    case NodeCommand::kNameForId:
      for (const admin::MemberInfo& m : status->members()) {
        if (m.nodeid() == args.node_id) {
          std::cout << m.name() << "\n";
          return kExitOk;
        }
      }
      std::cerr << "Node is not known to cluster\n";
      return kExitNoHost;
    case NodeCommand::kList:
    case NodeCommand::kPartition: {
      std::vector<admin::MemberInfo> members(status->members().begin(), status->members().end());
      std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
        return numericNameLess(a.name(), b.name());
      });
      for (const admin::MemberInfo& m : members) {
        const bool member = status->has_view() && m.in_view();
        if (args.command == NodeCommand::kList) {
          std::cout << m.nodeid() << " " << m.name() << " " << (member ? "member" : "lost") << "\n";
        } else if (member) {
          std::cout << m.name() << " ";
        }
      }
      if (args.command == NodeCommand::kPartition) std::cout << "\n";
      return kExitOk;
    }
    default:
      return kExitError;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  auto parsed = parseCrmNode(words);
  if (const auto* error = std::get_if<ToolError>(&parsed)) {
    std::cerr << "crm_node: " << error->message << "\n";
    return error->exit_code;
  }
  const auto& args = std::get<CrmNodeArgs>(parsed);
  if (args.help) {
    std::cout << crmNodeUsage();
    return kExitOk;
  }
  if (args.version) {
    std::cout << "Pacemaker 2.1.5 (Pulse crm_node)\n";
    return kExitOk;
  }
  if (args.command == NodeCommand::kNone) {
    std::cerr << crmNodeUsage();
    return kExitUsage;
  }
  return run(args);
}
