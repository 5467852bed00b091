// What constraints may name instead of a resource: resource templates (and
// the primitives built from them) and tags. After Pacemaker 2.1.5's
// unpack_template() and unpack_tags().
#include <set>

#include "unpacker.h"

namespace pulse::pe::xmlread {
namespace {

// Pacemaker's template_op_key(): a primitive's op replaces the template's op
// of the same name and role (Started and Unpromoted count as no role).
std::string templateOpKey(const OperationConfig& op) {
  std::string role = op.role;
  if (role == "Started" || role == "Unpromoted" || role == "Slave") role.clear();
  return op.name + "-" + role;
}

}  // namespace

std::optional<Error> Unpacker::readTemplates(const pugi::xml_node& resources) {
  for (pugi::xml_node t = resources.child("template"); t; t = t.next_sibling("template")) {
    std::string id;
    if (auto e = requireId(t, id)) return e;
    if (auto e = claimId(t, id)) return e;
    templates_.emplace(id, t);
    template_members_[id];  // known even while no primitive uses it
  }
  return std::nullopt;
}

// A primitive with template="T" is T's definition under the primitive's id,
// with the primitive's own attribute sets and operations taking precedence.
std::optional<Error> Unpacker::applyTemplate(const pugi::xml_node& node, ResourceConfig& out) {
  std::string ref = node.attribute("template").value();
  if (ref == out.id) return fail(node, "a primitive cannot be its own template");
  auto it = templates_.find(ref);
  if (it == templates_.end()) {
    return fail(node, "template '" + ref + "' does not exist (no <template id=\"" + ref +
                          "\"> in <resources>)");
  }
  for (const char* attribute : {"class", "provider", "type"}) {
    if (node.attribute(attribute)) {
      return fail(node, std::string("'") + attribute + "' comes from template '" + ref +
                            "'; a primitive using a template may not set it");
    }
  }
  ResourceConfig own;
  if (auto e = readPrimitiveChildren(node, own)) return e;
  ResourceConfig base;
  if (auto e = readPrimitiveBody(it->second, base)) return e;
  out.cls = base.cls;
  out.provider = base.provider;
  out.type = base.type;
  out.params = std::move(own.params);
  out.params.insert(base.params.begin(), base.params.end());
  out.meta = std::move(own.meta);
  out.meta.insert(base.meta.begin(), base.meta.end());
  std::set<std::string> own_ops;
  for (const OperationConfig& op : own.ops) own_ops.insert(templateOpKey(op));
  out.ops = std::move(own.ops);
  for (OperationConfig& op : base.ops) {
    if (!own_ops.count(templateOpKey(op))) out.ops.push_back(std::move(op));
  }
  template_members_[ref].push_back(out.id);
  return std::nullopt;
}

std::optional<Error> Unpacker::readTags(const pugi::xml_node& tags) {
  for (pugi::xml_node tag = tags.first_child(); tag; tag = tag.next_sibling()) {
    if (tag.type() != pugi::node_element) continue;
    if (std::strcmp(tag.name(), "tag") != 0) return fail(tag, "unknown element in <tags>");
    std::string id;
    if (auto e = requireId(tag, id)) return e;
    if (tags_.count(id)) return fail(tag, "duplicate tag id '" + id + "'");
    std::vector<std::string>& refs = tags_[id];
    for (pugi::xml_node ref = tag.first_child(); ref; ref = ref.next_sibling()) {
      if (ref.type() != pugi::node_element) continue;
      if (std::strcmp(ref.name(), "obj_ref") != 0) return fail(ref, "unknown element in <tag>");
      std::string target;
      if (auto e = requireId(ref, target)) return e;
      if (std::find(refs.begin(), refs.end(), target) == refs.end()) refs.push_back(target);
    }
  }
  return std::nullopt;
}

}  // namespace pulse::pe::xmlread
