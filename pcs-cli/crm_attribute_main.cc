// crm_attribute: Pacemaker 2.1.5's crm_attribute (options, output, exit codes) for Pulse: node
// attributes (transient: -l reboot; permanent: -l forever) and cluster options (crm_config),
// through this node's crmd (pcs-cli/node_attribute_client.h). Resource agents call it as
// ${HA_SBIN_DIR}/crm_attribute, e.g. Stateful's `crm_attribute --promotion -v 10`.
//
// Output as Pacemaker's text format: a query prints `scope=SCOPE  name=NAME value=VALUE` per
// attribute (-q: the value only); errors go to stderr as "crm_attribute: MESSAGE". Exit codes:
// 0 success, 64 usage, 70 -v without -n, 105 no such attribute (query) or unknown node, 102
// crmd not reachable, 3 a Pacemaker feature Pulse does not have, 1 any other failure (e.g. no
// DC within 10 s: unlike Pacemaker's attrd, nothing is queued for later).
//
// The node (node attributes only): -N NODE, else (as pcmk__node_attr_target) the physical host
// for a container resource, else $OCF_RESKEY_CRM_meta_on_node (set for agents), else the name
// crmd runs under.
#include <cstdlib>
#include <iostream>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "pcs-cli/attribute_edit.h"
#include "pcs-cli/crm_tool_args.h"
#include "pcs-cli/node_attribute_client.h"

using namespace pulse;
using namespace pulse::pcs;

namespace {

// Bounds the whole write (an agent's action has its own timeout, often 20 s) and each call.
constexpr std::chrono::seconds kTimeout{10};

int fail(int code, const std::string& message) {
  std::cerr << "crm_attribute: " << message << "\n";
  return code;
}

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// pcmk__node_attr_target() with the local node as the last resort.
Result<std::string> targetNode(const CrmAttributeArgs& args, const LocalNode& local) {
  if (args.node && *args.node != "auto" && *args.node != "localhost") return *args.node;
  const auto target = env("OCF_RESKEY_CRM_meta_container_attribute_target");
  const auto physical = env("OCF_RESKEY_CRM_meta_physical_host");
  if (physical && target && *target == "host") return *physical;
  if (auto on_node = env("OCF_RESKEY_CRM_meta_on_node")) return *on_node;
  return local.name();
}

void printAttribute(const CrmAttributeArgs& args, const std::string& name,
                    const std::string& value) {
  if (args.quiet) {
    std::cout << value << "\n";
  } else {
    std::cout << "scope=" << args.scope << "  name=" << name << " value=" << value << "\n";
  }
}

int run(const CrmAttributeArgs& args) {
  LocalNode local(toolStateDir(), kTimeout);
  auto cib_text = local.cib();
  if (!cib_text)
    return fail(kExitDisconnect, "Could not connect to the CIB: " + cib_text.error().message);
  pugi::xml_document doc;
  if (!doc.load_string(cib_text->c_str())) {
    return fail(kExitError, "the local CIB is not readable XML");
  }
  std::string node_id;
  std::string uname;
  if (args.scope != "crm_config") {
    auto target = targetNode(args, local);
    if (!target) return fail(kExitError, target.error().message);
    uname = *target;
    auto id = nodeIdForName(doc.child("cib"), uname);
    if (!id) return fail(kExitNoSuch, "Could not map name=" + uname + " to a UUID");
    node_id = *id;
  }
  switch (args.command) {
    case AttributeCommand::kQuery: {
      const auto found = queryAttributes(doc.child("cib"), args.scope, node_id, args.name);
      if (found.empty()) {
        if (args.default_value) {
          printAttribute(args, args.name.value_or("(null)"), *args.default_value);
          return kExitOk;
        }
        return fail(kExitNoSuch, "Error performing operation: No such device or address");
      }
      for (const auto& [name, value] : found) printAttribute(args, name, value);
      return kExitOk;
    }
    case AttributeCommand::kUpdate:
    case AttributeCommand::kDelete: {
      const bool update = args.command == AttributeCommand::kUpdate;
      Status s = local.update(
          [&](pugi::xml_node cib) {
            return update ? setAttribute(cib, args.scope, node_id, *args.name, args.value)
                          : deleteAttribute(cib, args.scope, node_id, *args.name);
          },
          /*status_only=*/args.scope == "status");
      if (!s) return fail(kExitError, "Error performing operation: " + s.error().message);
      return kExitOk;
    }
  }
  return kExitError;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  auto parsed = parseCrmAttribute(words, env("OCF_RESOURCE_INSTANCE"));
  if (const auto* error = std::get_if<ToolError>(&parsed)) {
    return fail(error->exit_code, error->message);
  }
  const auto& args = std::get<CrmAttributeArgs>(parsed);
  if (args.help) {
    std::cout << crmAttributeUsage();
    return kExitOk;
  }
  if (args.version) {
    std::cout << "Pacemaker 2.1.5 (Pulse crm_attribute)\n";
    return kExitOk;
  }
  return run(args);
}
