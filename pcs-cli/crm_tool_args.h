// Command lines of Pulse's crm_attribute and crm_node, as Pacemaker 2.1.5 spells them
// (tools/crm_attribute.c, tools/crm_node.c): the same short and long options, GLib's syntax
// (-n NAME, -nNAME, --name NAME, --name=NAME, bundled flags -qG; an optional argument must be
// attached or be the next word not starting with '-'), the same exit codes (Pacemaker's
// crm_exit_t values below). Pure functions; the programs do the I/O.
//
// Invariant: a parse that succeeds leaves no question for the program to resolve except the
// node (which needs the environment and crmd): the command, the scope (status, nodes,
// crm_config) and the attribute name are settled, so every usage error is found here, before
// anything touches the cluster.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"

namespace pulse::pcs {

// Pacemaker's crm_exit_t values used by these tools.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitInvalidParam = 2;
inline constexpr int kExitUnimplemented = 3;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitNoHost = 68;
inline constexpr int kExitSoftware = 70;
inline constexpr int kExitProtocol = 76;
inline constexpr int kExitDisconnect = 102;
inline constexpr int kExitNoSuch = 105;
inline constexpr int kExitQuorum = 106;

// A refusal with the exit code Pacemaker uses for it; printed as "PROGRAM: message".
struct ToolError {
  int exit_code = kExitUsage;
  std::string message;
};

enum class AttributeCommand { kQuery, kUpdate, kDelete };

struct CrmAttributeArgs {
  AttributeCommand command = AttributeCommand::kQuery;
  std::optional<std::string> name;           // none: a query lists every attribute of the scope
  std::string value;                         // kUpdate
  std::optional<std::string> node;           // -N; none (or "auto"/"localhost"): the local node
  std::string scope;                         // "status", "nodes" or "crm_config"
  std::optional<std::string> default_value;  // -d
  bool quiet = false;
  bool help = false;
  bool version = false;
};

// `args` without the program name. `ocf_resource_instance`: $OCF_RESOURCE_INSTANCE, which names
// the resource for -p without an argument.
std::variant<CrmAttributeArgs, ToolError> parseCrmAttribute(
    const std::vector<std::string>& args, const std::optional<std::string>& ocf_resource_instance);

enum class NodeCommand { kNone, kName, kList, kPartition, kQuorum, kId, kNameForId };

struct CrmNodeArgs {
  NodeCommand command = NodeCommand::kNone;  // kNone: print help, exit 64
  unsigned node_id = 0;                      // kNameForId
  bool help = false;
  bool version = false;
};

std::variant<CrmNodeArgs, ToolError> parseCrmNode(const std::vector<std::string>& args);

// The help texts (stdout for --help; crm_node prints its own to stderr without a command).
std::string crmAttributeUsage();
std::string crmNodeUsage();

// pcmk__numeric_strcasecmp's order, which crm_node -l/-p sort by: digit runs compare as
// numbers ("n2" < "n10"), the rest case-insensitively.
bool numericNameLess(const std::string& a, const std::string& b);

}  // namespace pulse::pcs
