#include "pcs-cli/attribute_edit.h"

#include <cstring>

#include "crmd/cib/cib_status.h"
#include "crmd/cib/cib_version.h"

namespace pulse::pcs {
namespace {

constexpr const char* kBootstrap = "cib-bootstrap-options";

cib::AttributeLifetime lifetimeOf(const std::string& scope) {
  return scope == "status" ? cib::AttributeLifetime::kTransient
                           : cib::AttributeLifetime::kPermanent;
}

bool nodeScope(const std::string& scope) { return scope == "status" || scope == "nodes"; }

// The nvpair sets the scope reads, in document order.
std::vector<pugi::xml_node> attributeSets(const pugi::xml_node& cib, const std::string& scope,
                                          const std::string& node_id) {
  std::vector<pugi::xml_node> sets;
  if (scope == "status") {
    pugi::xml_node ns =
        cib.child("status").find_child_by_attribute("node_state", "id", node_id.c_str());
    for (pugi::xml_node ta : ns.children("transient_attributes")) {
      for (pugi::xml_node set : ta.children("instance_attributes")) sets.push_back(set);
    }
  } else if (scope == "nodes") {
    pugi::xml_node node = cib.child("configuration")
                              .child("nodes")
                              .find_child_by_attribute("node", "id", node_id.c_str());
    for (pugi::xml_node set : node.children("instance_attributes")) sets.push_back(set);
  } else if (scope == "crm_config") {
    for (pugi::xml_node set :
         cib.child("configuration").child("crm_config").children("cluster_property_set")) {
      sets.push_back(set);
    }
  }
  return sets;
}

Result<bool> setClusterOption(pugi::xml_node cib, const std::string& name,
                              const std::string& value) {
  for (pugi::xml_node set : attributeSets(cib, "crm_config", "")) {
    pugi::xml_node nv = set.find_child_by_attribute("nvpair", "name", name.c_str());
    if (!nv) continue;
    if (std::strcmp(nv.attribute("value").value(), value.c_str()) == 0) return false;
    if (!nv.attribute("value")) nv.append_attribute("value");
    nv.attribute("value") = value.c_str();
    if (Status s = cib::bumpVersion(cib, cib::ChangeKind::kConfiguration); !s) return s.error();
    return true;
  }
  pugi::xml_node configuration = cib.child("configuration");
  if (!configuration) return Error{"the CIB has no <configuration>"};
  pugi::xml_node crm_config = configuration.child("crm_config");
  if (!crm_config) crm_config = configuration.prepend_child("crm_config");
  pugi::xml_node set = crm_config.find_child_by_attribute("cluster_property_set", "id", kBootstrap);
  if (!set) {
    set = crm_config.prepend_child("cluster_property_set");
    set.append_attribute("id") = kBootstrap;
  }
  pugi::xml_node nv = set.append_child("nvpair");
  nv.append_attribute("id") = cib::sanitizeId(std::string(kBootstrap) + "-" + name).c_str();
  nv.append_attribute("name") = name.c_str();
  nv.append_attribute("value") = value.c_str();
  if (Status s = cib::bumpVersion(cib, cib::ChangeKind::kConfiguration); !s) return s.error();
  return true;
}

}  // namespace

std::optional<std::string> nodeIdForName(const pugi::xml_node& cib, const std::string& uname) {
  for (pugi::xml_node node : cib.child("configuration").child("nodes").children("node")) {
    if (uname == node.attribute("uname").value()) return std::string(node.attribute("id").value());
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> queryAttributes(
    const pugi::xml_node& cib, const std::string& scope, const std::string& node_id,
    const std::optional<std::string>& name) {
  std::vector<std::pair<std::string, std::string>> found;
  for (pugi::xml_node set : attributeSets(cib, scope, node_id)) {
    for (pugi::xml_node nv : set.children("nvpair")) {
      const std::string n = nv.attribute("name").value();
      if (!name || n == *name) found.emplace_back(n, nv.attribute("value").value());
    }
  }
  return found;
}

Result<bool> setAttribute(pugi::xml_node cib, const std::string& scope, const std::string& node_id,
                          const std::string& name, const std::string& value) {
  if (scope == "crm_config") return setClusterOption(cib, name, value);
  if (!nodeScope(scope)) return Error{"unknown attribute scope '" + scope + "'"};
  const auto lifetime = lifetimeOf(scope);
  if (cib::nodeAttribute(cib, node_id, name, lifetime) == value) return false;
  if (Status s = cib::setNodeAttribute(cib, node_id, name, value, lifetime); !s) return s.error();
  return true;
}

Result<bool> deleteAttribute(pugi::xml_node cib, const std::string& scope,
                             const std::string& node_id, const std::string& name) {
  if (scope == "crm_config") {
    bool removed = false;
    for (pugi::xml_node set : attributeSets(cib, scope, node_id)) {
      while (pugi::xml_node nv = set.find_child_by_attribute("nvpair", "name", name.c_str())) {
        set.remove_child(nv);
        removed = true;
      }
    }
    if (!removed) return false;
    if (Status s = cib::bumpVersion(cib, cib::ChangeKind::kConfiguration); !s) return s.error();
    return true;
  }
  if (!nodeScope(scope)) return Error{"unknown attribute scope '" + scope + "'"};
  const auto lifetime = lifetimeOf(scope);
  if (!cib::nodeAttribute(cib, node_id, name, lifetime)) return false;
  if (Status s = cib::deleteNodeAttribute(cib, node_id, name, lifetime); !s) return s.error();
  return true;
}

}  // namespace pulse::pcs
