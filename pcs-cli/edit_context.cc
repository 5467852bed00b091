#include "pcs-cli/edit_context.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <variant>

#include "crmd/executor/agent_process.h"
#include "pcs-cli/stonith_commands.h"
#include "pcs-cli/wait_idle.h"
#include "policy-engine/policy_engine.h"

namespace pulse::pcs {
namespace {

bool same(std::string a, std::string b) {
  const auto lower = [](std::string& s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  };
  lower(a);
  lower(b);
  return a == b;
}

// The installed OCF agents a create/update may name: only the one on the command line (a full
// name, or every provider's agent of that type for a short name), so pcs stays fast. An agent
// that is missing or prints no valid meta-data is left out: applyEdit() then reports it.
std::vector<KnownAgent> agentsNamed(const std::string& ocf_root, const std::string& name,
                                    std::string* problem = nullptr) {
  std::vector<crmd::AgentName> candidates;
  if (name.find(':') != std::string::npos) {
    if (auto agent = crmd::parseAgentName(name); agent.ok()) candidates.push_back(*agent);
  } else {
    std::error_code ec;
    for (const auto& dir : std::filesystem::directory_iterator(ocf_root + "/resource.d", ec)) {
      std::error_code ignored;
      for (const auto& file : std::filesystem::directory_iterator(dir.path(), ignored)) {
        const std::string type = file.path().filename().string();
        if (same(type, name)) candidates.push_back({dir.path().filename().string(), type});
      }
    }
  }
  std::vector<KnownAgent> known;
  for (const crmd::AgentName& agent : candidates) {
    if (auto metadata = crmd::fetchAgentMetadata(ocf_root, agent); metadata.ok()) {
      known.push_back(KnownAgent{agent.standard, agent.provider, agent.type, std::move(*metadata)});
    } else if (problem != nullptr) {
      *problem = metadata.error().message;
    }
  }
  return known;
}

// Where `id` runs according to the CIB's status section, as crm_resource --move/--ban judge
// it: `node` "" when stopped or unknown.
struct Placement {
  std::vector<std::string> nodes;     // where it (any instance) is active
  std::vector<std::string> promoted;  // where its instances are promoted
  bool clone = false, promotable = false;
};

Placement placementOf(const std::string& cib, const std::string& id) {
  Placement out;
  auto transition = pe::schedule(cib);
  if (!transition.ok()) return out;
  const pe::ResourceView* view = findView(transition->current.resources, id);
  if (view == nullptr) return out;
  out.clone = view->is_clone;
  out.promotable = view->promotable;
  auto add = [](std::vector<std::string>& to, const std::vector<std::string>& nodes) {
    for (const std::string& n : nodes) {
      if (std::find(to.begin(), to.end(), n) == to.end()) to.push_back(n);
    }
  };
  if (view->is_clone) {
    for (const pe::ResourceView& instance : view->members) {
      const pe::ResourceView& first =
          instance.is_group && !instance.members.empty() ? instance.members.front() : instance;
      add(out.nodes, first.nodes);
      if (instance.role == pe::Role::Promoted || first.role == pe::Role::Promoted) {
        add(out.promoted, first.nodes);
      }
    }
    return out;
  }
  const pe::ResourceView* primitive =
      view->is_group && !view->members.empty() ? &view->members.front() : view;
  add(out.nodes, primitive->nodes);
  return out;
}

// The node a move/ban acts on, as crm_resource picks it. Without a node given (ban_or_move):
// the one node it is active on, else a promotable clone's one promoted node. With a
// destination (cli_resource_move, for "already there"): a clone with a promoted instance, or
// any with --promoted, is where it is promoted.
void currentNode(const std::string& cib, const std::string& id, bool node_given, bool promoted,
                 EditContext& context) {
  const Placement p = placementOf(cib, id);
  context.active = static_cast<int>(p.nodes.size());
  context.promoted = static_cast<int>(p.promoted.size());
  context.promotable = p.promotable;
  const bool by_promotion = node_given ? (p.clone && !p.promoted.empty()) || promoted
                                       : p.nodes.size() != 1 && p.promotable;
  const std::vector<std::string>& where = by_promotion ? p.promoted : p.nodes;
  context.current_node = where.size() == 1 ? where.front() : "";
}

}  // namespace

Result<EditContext> contextFor(const Edit& edit, const std::string& cib,
                               const std::string& ocf_root) {
  EditContext context;
  context.now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  if (const auto* create = std::get_if<ResourceCreate>(&edit);
      create && create->agent.starts_with("stonith:")) {
    context.agents = fenceAgentsNamed(create->agent.substr(8));
  } else if (create) {
    context.agents = agentsNamed(ocf_root, create->agent, &context.agent_problem);
  } else if (const auto* update = std::get_if<ResourceUpdate>(&edit)) {
    auto agent = primitiveAgent(cib, update->id);
    if (!agent.ok()) return agent.error();
    if (agent->starts_with("ocf:")) context.agents = agentsNamed(ocf_root, *agent);
  } else if (const auto* op_add = std::get_if<ResourceOpAdd>(&edit)) {
    auto agent = primitiveAgent(cib, op_add->id);
    if (!agent.ok()) return agent.error();
    if (agent->starts_with("ocf:")) context.agents = agentsNamed(ocf_root, *agent);
  } else if (const auto* move = std::get_if<ResourceMove>(&edit);
             move && (move->node.empty() || move->promoted)) {
    // With a destination, only --promoted asks where the resource is now (where it is
    // promoted, to refuse a move of the role to where it already is).
    currentNode(cib, move->id, !move->node.empty(), move->promoted, context);
  } else if (const auto* ban = std::get_if<ResourceBan>(&edit); ban && ban->node.empty()) {
    currentNode(cib, ban->id, false, ban->promoted, context);
  }
  return context;
}

}  // namespace pulse::pcs
