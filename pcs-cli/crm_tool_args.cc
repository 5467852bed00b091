#include "pcs-cli/crm_tool_args.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>

#include "pcs-cli/glib_options.h"

namespace pulse::pcs {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

enum AttrOption {
  kName,
  kPromotion,
  kId,
  kPattern,
  kSetName,
  kDelete,
  kQuery,
  kUpdate,
  kDefault,
  kLifetime,
  kNode,
  kType,
  kUtilization,
  kInhibit,
  kQuiet,
  kVerbose,
  kHelp,
  kVersion,
  kOutputAs
};

const std::vector<OptionSpec> kAttributeOptions = {
    {'n', "name", Arg::kRequired, kName},
    {'n', "attr-name", Arg::kRequired, kName},
    {'p', "promotion", Arg::kOptional, kPromotion},
    {'i', "id", Arg::kRequired, kId},
    {'\0', "attr-id", Arg::kRequired, kId},
    {'P', "pattern", Arg::kRequired, kPattern},
    {'s', "set-name", Arg::kRequired, kSetName},
    {'D', "delete", Arg::kNone, kDelete},
    {'\0', "delete-attr", Arg::kNone, kDelete},
    {'G', "query", Arg::kNone, kQuery},
    {'\0', "get-value", Arg::kNone, kQuery},
    {'v', "update", Arg::kRequired, kUpdate},
    {'\0', "attr-value", Arg::kRequired, kUpdate},
    {'d', "default", Arg::kRequired, kDefault},
    {'l', "lifetime", Arg::kRequired, kLifetime},
    {'N', "node", Arg::kRequired, kNode},
    {'U', "node-uname", Arg::kRequired, kNode},
    {'t', "type", Arg::kRequired, kType},
    {'z', "utilization", Arg::kNone, kUtilization},
    {'!', "inhibit-policy-engine", Arg::kNone, kInhibit},
    {'q', "quiet", Arg::kNone, kQuiet},
    {'Q', "quiet", Arg::kNone, kQuiet},
    {'V', "verbose", Arg::kNone, kVerbose},
    {'h', "help", Arg::kNone, kHelp},
    {'?', "help-all", Arg::kNone, kHelp},
    {'$', "version", Arg::kNone, kVersion},
    {'\0', "output-as", Arg::kRequired, kOutputAs},
};

// One crm_attribute option applied in command-line order (later options win, as in GLib).
struct AttributeParse {
  CrmAttributeArgs out;
  std::optional<std::string> type;  // -l or -t, resolved after the scan
  bool promotion = false;
};

std::optional<ToolError> applyAttributeOption(AttributeParse& p, int id,
                                              const std::optional<std::string>& value,
                                              const std::optional<std::string>& instance) {
  CrmAttributeArgs& out = p.out;
  switch (id) {
    case kName:
      out.name = *value;
      break;
    case kPromotion: {
      // pcmk_promotion_score_name(): the given resource, else the agent's own.
      p.promotion = true;
      const auto rsc = value ? value : instance;
      if (rsc && !rsc->empty()) {
        out.name = "master-" + *rsc;
      } else {
        out.name.reset();
      }
      break;
    }
    case kDelete:
      out.command = AttributeCommand::kDelete;
      break;
    case kQuery:
      out.command = AttributeCommand::kQuery;
      break;
    case kUpdate:
      out.command = AttributeCommand::kUpdate;
      out.value = *value;
      break;
    case kDefault:
      out.default_value = *value;
      break;
    case kLifetime:
    case kType:
      p.type = *value;
      break;
    case kNode:
      out.node = *value;
      break;
    case kQuiet:
      out.quiet = true;
      break;
    case kHelp:
      out.help = true;
      break;
    case kVersion:
      out.version = true;
      break;
    case kOutputAs:
      if (*value != "text") {
        return ToolError{kExitUnimplemented,
                         "output format '" + *value + "' is not supported by Pulse (use text)"};
      }
      break;
    case kId:
    case kPattern:
    case kSetName:
    case kUtilization:
      return ToolError{kExitUnimplemented,
                       "--id, --pattern, --set-name and --utilization are not supported by "
                       "Pulse's crm_attribute"};
    default:  // -V and -! are accepted and change nothing here
      break;
  }
  return std::nullopt;
}

}  // namespace

std::variant<CrmAttributeArgs, ToolError> parseCrmAttribute(
    const std::vector<std::string>& args, const std::optional<std::string>& ocf_resource_instance) {
  AttributeParse p;
  auto error = scan(args, kAttributeOptions, [&](int id, std::optional<std::string> value) {
    return applyAttributeOption(p, id, value, ocf_resource_instance);
  });
  if (error) return *error;
  CrmAttributeArgs& out = p.out;
  const std::optional<std::string>& type = p.type;
  const bool promotion = p.promotion;
  if (out.help || out.version) return out;
  if (promotion && !out.name) {
    return usage(
        "-p/--promotion must be called from an OCF resource agent or with a resource ID "
        "specified");
  }
  // set_type(): the default scope, and the lifetime words for status and nodes.
  if (!type) {
    out.scope = promotion ? "status" : out.node ? "nodes" : "crm_config";
  } else {
    const std::string t = lower(*type);
    if (t == "reboot" || t == "status") {
      out.scope = "status";
    } else if (t == "forever" || t == "nodes") {
      out.scope = "nodes";
    } else if (t == "crm_config") {
      out.scope = "crm_config";
    } else if (t == "rsc_defaults" || t == "op_defaults" || t == "tickets") {
      return ToolError{kExitUnimplemented,
                       "--type " + t + " is not supported by Pulse's crm_attribute"};
    } else {
      return usage("invalid lifetime or type '" + *type + "' (valid: reboot, forever, crm_config)");
    }
  }
  if (out.command == AttributeCommand::kDelete && !out.name) {
    return usage("Error: must specify attribute name or pattern to delete");
  }
  if (out.command == AttributeCommand::kUpdate && !out.name) {
    // Pacemaker's CIB call fails with EINVAL, which it maps to CRM_EX_SOFTWARE.
    return ToolError{kExitSoftware, "Error performing operation: Invalid argument"};
  }
  return out;
}

std::variant<CrmNodeArgs, ToolError> parseCrmNode(const std::vector<std::string>& args) {
  enum { kI, kL, kN, kP, kQ, kNameFor, kRemove, kForce, kV, kH, kVer };
  static const std::vector<OptionSpec> specs = {
      {'i', "cluster-id", Arg::kNone, kI},
      {'l', "list", Arg::kNone, kL},
      {'n', "name", Arg::kNone, kN},
      {'p', "partition", Arg::kNone, kP},
      {'q', "quorum", Arg::kNone, kQ},
      {'N', "name-for-id", Arg::kRequired, kNameFor},
      {'R', "remove", Arg::kRequired, kRemove},
      {'f', "force", Arg::kNone, kForce},
      {'V', "verbose", Arg::kNone, kV},
      {'h', "help", Arg::kNone, kH},
      {'?', "help-all", Arg::kNone, kH},
      {'$', "version", Arg::kNone, kVer},
  };
  CrmNodeArgs out;
  auto error =
      scan(args, specs, [&](int id, std::optional<std::string> value) -> std::optional<ToolError> {
        switch (id) {
          case kI:
            out.command = NodeCommand::kId;
            break;
          case kL:
            out.command = NodeCommand::kList;
            break;
          case kN:
            out.command = NodeCommand::kName;
            break;
          case kP:
            out.command = NodeCommand::kPartition;
            break;
          case kQ:
            out.command = NodeCommand::kQuorum;
            break;
          case kNameFor: {
            unsigned id_value = 0;
            const char* end = value->data() + value->size();
            const auto [ptr, ec] = std::from_chars(value->data(), end, id_value);
            if (ec != std::errc() || ptr != end || value->empty()) {
              return usage("invalid node ID '" + *value + "' for -N/--name-for-id (use a number)");
            }
            out.command = NodeCommand::kNameForId;
            out.node_id = id_value;
            break;
          }
          case kRemove:
            return ToolError{kExitUnimplemented,
                             "-R/--remove is not supported by Pulse's crm_node "
                             "(use pcs cluster node remove)"};
          case kH:
            out.help = true;
            break;
          case kVer:
            out.version = true;
            break;
          default:
            break;
        }
        return std::nullopt;
      });
  if (error) return *error;
  return out;
}

std::string crmAttributeUsage() {
  return "Usage:\n"
         "  crm_attribute [OPTION?]\n\n"
         "crm_attribute - query and update Pacemaker cluster options and node attributes\n"
         "(Pulse: through this node's crmd)\n\n"
         "Selecting attributes:\n"
         "  -n, --name=NAME           Operate on attribute or option with this name\n"
         "  -p, --promotion=RESOURCE  Operate on the promotion score of RESOURCE (default\n"
         "                            $OCF_RESOURCE_INSTANCE); -l/--lifetime defaults to reboot\n\n"
         "Commands:\n"
         "  -D, --delete              Delete the attribute/option\n"
         "  -G, --query               Query the current value of the attribute/option\n"
         "  -v, --update=VALUE        Update the value of the attribute/option\n\n"
         "Additional options:\n"
         "  -d, --default=VALUE       Default value to display if none is found\n"
         "  -l, --lifetime=LIFETIME   Lifetime of the node attribute: reboot, forever\n"
         "  -N, --node=NODE           Set a node attribute for named node (instead of a "
         "cluster option)\n"
         "  -t, --type=SECTION        crm_config (cluster options), status, nodes\n"
         "  -q, --quiet               Print only the value on stdout\n\n"
         "Exit status: 0 success, 64 usage, 105 no such attribute or node, 102 crmd not\n"
         "reachable, 1 other errors.\n";
}

std::string crmNodeUsage() {
  return "Usage:\n"
         "  crm_node [OPTION?]\n\n"
         "crm_node - Tool for displaying low-level node information (Pulse)\n\n"
         "Commands:\n"
         "  -i, --cluster-id          Display this node's cluster id\n"
         "  -l, --list                Display all known members (past and present) of this "
         "cluster\n"
         "  -n, --name                Display the name used by the cluster for this node\n"
         "  -p, --partition           Display the members of this partition\n"
         "  -q, --quorum              Display a 1 if our partition has quorum, 0 if not\n"
         "  -N, --name-for-id=ID      Display the name used by the cluster for the node with "
         "the specified ID\n";
}

bool numericNameLess(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) &&
        std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      // As numbers without overflow: leading zeros off, then the longer run is larger.
      std::size_t is = i, js = j;
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      if (ie - is != je - js) return ie - is < je - js;
      const int c = a.compare(is, ie - is, b, js, je - js);
      if (c != 0) return c < 0;
      i = ie;
      j = je;
      continue;
    }
    const int ca = std::tolower(static_cast<unsigned char>(a[i]));
    const int cb = std::tolower(static_cast<unsigned char>(b[j]));
    if (ca != cb) return ca < cb;
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

}  // namespace pulse::pcs
