// Internal to the CIB reader: line numbers for error messages and the
// XML-to-model converter shared by unpack_config.cc and unpack_status.cc.
// Nothing outside unpack_*.cc includes this (it is the only pugixml user).
#pragma once

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "policy-engine/cib_model.h"

namespace pulse::pe::xmlread {

// memchr from newline to newline: fast for CIB-like text with long lines.
int countNewlines(std::string_view text);

int toInt(const char* text, int fallback);

// Turns element offsets into line numbers. Elements are visited roughly in
// document order, so counting forward from the last position is O(n) overall.
class LineCounter {
 public:
  explicit LineCounter(std::string_view text, int base_line = 0)
      : text_(text), line_(1 + base_line), base_(base_line) {}
  int lineOf(const pugi::xml_node& node) {
    return lineAt(static_cast<std::size_t>(std::max<std::ptrdiff_t>(node.offset_debug(), 0)));
  }
  // Counts forward from the last position asked for, so visiting offsets in
  // increasing order costs O(n) overall.
  int lineAt(std::size_t offset) {
    if (offset < pos_) {
      pos_ = 0;
      line_ = 1 + base_;
    }
    offset = std::min(offset, text_.size());
    line_ += countNewlines(text_.substr(pos_, offset - pos_));
    pos_ = offset;
    return line_;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int base_ = 0;
};

class Unpacker {
 public:
  explicit Unpacker(std::string_view text, int base_line = 0) : lines_(text, base_line) {}

  Result<Cib> run(const pugi::xml_document& doc);
  std::optional<Error> readNodeState(const pugi::xml_node& ns, Cib& cib);

 private:
  std::string where(const pugi::xml_node& node) {
    std::string text = "<" + std::string(node.name());
    if (const char* id = node.attribute("id").as_string(nullptr)) {
      text += " id=\"" + std::string(id) + "\"";
    }
    return text + "> (line " + std::to_string(lines_.lineOf(node)) + ")";
  }
  std::optional<Error> fail(const pugi::xml_node& node, const std::string& what) {
    return Error{where(node) + ": " + what};
  }
  std::optional<Error> requireId(const pugi::xml_node& node, std::string& out) {
    const char* id = node.attribute("id").as_string(nullptr);
    if (id == nullptr || *id == '\0') return fail(node, "missing required attribute 'id'");
    out = id;
    return std::nullopt;
  }
  std::optional<Error> claimId(const pugi::xml_node& node, const std::string& id) {
    auto [it, inserted] = config_ids_.emplace(id, node);
    if (!inserted) {
      return fail(node, "duplicate id '" + id + "' (first used at line " +
                            std::to_string(lines_.lineOf(it->second)) + ")");
    }
    return std::nullopt;
  }
  void indexIds(const pugi::xml_node& root);
  pugi::xml_node resolve(const pugi::xml_node& node);
  std::optional<Error> readNvSet(const pugi::xml_node& set, Attributes& out);
  std::optional<Error> readNvSets(const pugi::xml_node& parent, const char* tag, Attributes& out);
  std::optional<Error> readNvPairs(const pugi::xml_node& set, Attributes& out);
  std::optional<Error> readNvSetList(const pugi::xml_node& parent, const char* tag,
                                     Attributes& plain, std::vector<NvSet>& sets);
  std::optional<Error> readScore(const pugi::xml_node& node, const char* attribute, Score& out,
                                 bool required);
  std::optional<Error> readRule(const pugi::xml_node& node, Rule& out);
  std::optional<Error> readDateExpression(const pugi::xml_node& node, DateExpression& out);
  std::optional<Error> readPrimitive(const pugi::xml_node& node, ResourceConfig& out);
  std::optional<Error> readPrimitiveBody(const pugi::xml_node& node, ResourceConfig& out);
  std::optional<Error> readPrimitiveChildren(const pugi::xml_node& node, ResourceConfig& out);
  std::optional<Error> readGroup(const pugi::xml_node& node, ResourceConfig& out);
  std::optional<Error> readClone(const pugi::xml_node& node, ResourceConfig& out);
  std::optional<Error> readResources(const pugi::xml_node& node, Cib& cib);
  std::optional<Error> readTemplates(const pugi::xml_node& resources);
  std::optional<Error> applyTemplate(const pugi::xml_node& node, ResourceConfig& out);
  void noteResource(const ResourceConfig& rc);
  std::optional<Error> readTags(const pugi::xml_node& tags);
  // unpack_constraints.cc
  std::optional<Error> readConstraints(const pugi::xml_node& node, Cib& cib);
  std::optional<Error> readLocation(const pugi::xml_node& c, Cib& cib);
  std::optional<Error> readColocation(const pugi::xml_node& c, Cib& cib);
  std::optional<Error> readOrder(const pugi::xml_node& c, Cib& cib);
  std::optional<Error> readTicket(const pugi::xml_node& c, Cib& cib);
  std::optional<Error> readSets(const pugi::xml_node& c, std::vector<ResourceSet>& out);
  std::optional<Error> expandReference(const pugi::xml_node& at, const std::string& name,
                                       std::vector<std::string>& out, bool& expanded);
  // A constraint's two resource references (rsc and with-rsc, first and then): both required,
  // and whether each names a template or tag (which the constraint then expands to sets).
  struct ReferencePair {
    std::string first, second;
    bool first_tagged = false, second_tagged = false;
  };
  std::optional<Error> readReferencePair(const pugi::xml_node& c, const char* first,
                                         const char* second, ReferencePair& out);
  std::optional<Error> referenceToSet(const pugi::xml_node& c, const char* attribute,
                                      bool convert_resource, std::vector<ResourceSet>& sets,
                                      bool& expanded);
  std::optional<Error> readTicketStates(const pugi::xml_node& tickets, Cib& cib);
  std::optional<Error> readNodes(const pugi::xml_node& node, Cib& cib);
  std::optional<Error> readStatus(const pugi::xml_node& node, Cib& cib);

  LineCounter lines_;
  std::unordered_map<std::string, pugi::xml_node> all_ids_;     // every id in <configuration>
  std::unordered_map<std::string, pugi::xml_node> config_ids_;  // resources, nodes, constraints
  // Templates and tags, which constraints may name instead of resources.
  std::unordered_map<std::string, pugi::xml_node> templates_;
  std::map<std::string, std::vector<std::string>> template_members_;  // in resource order
  std::map<std::string, std::vector<std::string>> tags_;              // obj_refs in order
  std::unordered_set<std::string> resource_ids_;  // every resource, however nested
};

}  // namespace pulse::pe::xmlread
