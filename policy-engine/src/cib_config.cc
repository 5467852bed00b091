#include "policy-engine/cib_config.h"

#include <pugixml.hpp>

#include "common/crm_bool.h"
#include "policy-engine/op_digest.h"

namespace pulse::pe::cibconf {

std::optional<NoQuorumPolicy> parseNoQuorumPolicy(std::string_view value) {
  if (value == "stop") return NoQuorumPolicy::Stop;
  if (value == "freeze") return NoQuorumPolicy::Freeze;
  if (value == "ignore") return NoQuorumPolicy::Ignore;
  if (value == "demote") return NoQuorumPolicy::Demote;
  if (value == "suicide") return NoQuorumPolicy::Suicide;
  return std::nullopt;
}

const char* noQuorumPolicyName(NoQuorumPolicy policy) {
  switch (policy) {
    case NoQuorumPolicy::Stop:
      return "stop";
    case NoQuorumPolicy::Freeze:
      return "freeze";
    case NoQuorumPolicy::Ignore:
      return "ignore";
    case NoQuorumPolicy::Demote:
      return "demote";
    case NoQuorumPolicy::Suicide:
      return "suicide";
  }
  return "stop";
}

std::string clusterOption(const pugi::xml_node& cib, const std::string& name,
                          const std::string& absent) {
  for (pugi::xml_node set : cib.child("configuration").child("crm_config").children())
    for (pugi::xml_node nv : set.children("nvpair"))
      if (name == nv.attribute("name").value()) return nv.attribute("value").value();
  return absent;
}

bool stonithEnabled(const pugi::xml_node& cib) {
  return crmIsTrue(clusterOption(cib, "stonith-enabled", "true"));
}

NoQuorumPolicy noQuorumPolicy(const pugi::xml_node& cib) {
  return parseNoQuorumPolicy(clusterOption(cib, "no-quorum-policy", "stop"))
      .value_or(NoQuorumPolicy::Stop);
}

std::map<std::string, std::string> nvBlocks(const pugi::xml_node& parent, const char* tag) {
  std::map<std::string, std::string> out;
  for (pugi::xml_node set : parent.children(tag))
    for (pugi::xml_node nv : set.children("nvpair"))
      out.emplace(nv.attribute("name").value(), nv.attribute("value").value());
  return out;
}

std::int64_t durationMs(const pugi::xml_attribute& attr, std::int64_t absent) {
  if (!attr) return absent;
  return std::stoll(normalizedTimeoutMs(attr.value()));
}

std::string primitiveId(const std::string& resource) {
  return resource.substr(0, resource.find(':'));
}

pugi::xml_node findPrimitive(const pugi::xml_node& cib, std::string_view id) {
  return cib.child("configuration").child("resources").find_node([&](const pugi::xml_node& n) {
    return std::string_view(n.name()) == "primitive" && id == n.attribute("id").value();
  });
}

bool resourceManaged(const pugi::xml_node& cib, const std::string& resource) {
  if (crmIsTrue(clusterOption(cib, "maintenance-mode", "false"))) return false;
  const pugi::xml_node resources = cib.child("configuration").child("resources");
  // From the primitive outwards, then rsc_defaults: the first level that says decides.
  const auto decided = [](const std::map<std::string, std::string>& meta) -> std::optional<bool> {
    if (auto m = meta.find("maintenance"); m != meta.end() && crmIsTrue(m->second)) return false;
    if (auto m = meta.find("is-managed"); m != meta.end()) return crmIsTrue(m->second);
    return std::nullopt;
  };
  for (pugi::xml_node n = findPrimitive(cib, primitiveId(resource)); n && n != resources;
       n = n.parent()) {
    if (auto managed = decided(nvBlocks(n, "meta_attributes"))) return *managed;
  }
  return decided(nvBlocks(cib.child("configuration").child("rsc_defaults"), "meta_attributes"))
      .value_or(true);
}

pugi::xml_node findOp(const pugi::xml_node& primitive, std::string_view task,
                      std::int64_t interval_ms) {
  for (pugi::xml_node op : primitive.child("operations").children("op")) {
    if (task == op.attribute("name").value() &&
        durationMs(op.attribute("interval"), 0) == interval_ms)
      return op;
  }
  return {};
}

}  // namespace pulse::pe::cibconf
