#include "crmd/cib/cib_validate.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <pugixml.hpp>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "crmd/cib/cib_version.h"
#include "crmd/cib/cib_xml.h"
#include "policy-engine/cib_model.h"

namespace pulse::cib {
namespace {

// Pacemaker's resource standards (crm_resource --list-standards).
constexpr std::array<std::string_view, 8> kClasses = {"ocf",     "lsb",     "heartbeat", "stonith",
                                                      "systemd", "service", "upstart",   "nagios"};

// Resource elements whose id a constraint may name.
constexpr std::array<std::string_view, 6> kResourceTags = {"primitive", "group",  "clone",
                                                           "master",    "bundle", "template"};

class Checker {
 public:
  explicit Checker(std::string_view text) : text_(text) {}

  std::string where(const pugi::xml_node& node) {
    std::string out = "<" + std::string(node.name());
    if (const char* id = node.attribute("id").as_string(nullptr)) {
      out += " id=\"" + std::string(id) + "\"";
    }
    return out + "> (line " + std::to_string(lineOf(node)) + ")";
  }
  Error fail(const pugi::xml_node& node, const std::string& why) {
    return Error{where(node) + ": " + why};
  }
  int lineOf(const pugi::xml_node& node) {
    auto offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(node.offset_debug(), 0));
    return lineAt(offset);
  }
  int lineAt(std::size_t offset) {
    offset = std::min(offset, text_.size());
    return 1 + static_cast<int>(std::count(text_.begin(), text_.begin() + offset, '\n'));
  }

  Status uniqueIds(const pugi::xml_node& configuration) {
    std::unordered_map<std::string, pugi::xml_node> seen;
    for (pugi::xpath_node x : configuration.select_nodes(".//*[@id]")) {
      pugi::xml_node n = x.node();
      if (isIdReference(n)) continue;  // names a resource, does not claim an id
      auto [it, inserted] = seen.emplace(n.attribute("id").value(), n);
      if (!inserted) {
        return fail(n, "duplicate id '" + std::string(n.attribute("id").value()) +
                           "' (first used by " + where(it->second) + ")");
      }
    }
    return {};
  }

  Status resourceClasses(const pugi::xml_node& resources) {
    for (pugi::xpath_node x : resources.select_nodes(".//primitive")) {
      pugi::xml_node p = x.node();
      std::string_view cls = p.attribute("class").value();
      if (cls.empty()) continue;  // the engine names the missing attribute
      if (std::find(kClasses.begin(), kClasses.end(), cls) == kClasses.end()) {
        return fail(p, "unknown resource class '" + std::string(cls) +
                           "' (known: ocf, lsb, heartbeat, stonith, systemd, service, upstart, "
                           "nagios)");
      }
    }
    return {};
  }

  Status constraintReferences(const pugi::xml_node& resources, const pugi::xml_node& constraints) {
    std::unordered_set<std::string> ids;
    for (pugi::xpath_node x : resources.select_nodes(".//*[@id]")) {
      std::string_view tag = x.node().name();
      if (std::find(kResourceTags.begin(), kResourceTags.end(), tag) != kResourceTags.end()) {
        ids.insert(x.node().attribute("id").value());
      }
    }
    constexpr std::array<const char*, 4> kRefs = {"rsc", "with-rsc", "first", "then"};
    for (pugi::xml_node c = constraints.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      for (const char* attribute : kRefs) {
        pugi::xml_attribute a = c.attribute(attribute);
        if (a && !ids.count(a.value())) {
          return fail(c, std::string(attribute) + " '" + a.value() + "' names no resource");
        }
      }
      for (pugi::xpath_node x : c.select_nodes(".//resource_ref")) {
        pugi::xml_attribute a = x.node().attribute("id");
        if (!ids.count(a.value())) {
          return fail(x.node(), "resource_ref '" + std::string(a.value()) + "' names no resource");
        }
      }
    }
    return {};
  }

 private:
  std::string_view text_;
};

}  // namespace

Status validateCib(std::string_view cib_xml) {
  Checker check(cib_xml);
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(cib_xml.data(), cib_xml.size());
  if (!parsed) {
    return Error{"malformed XML at line " +
                 std::to_string(check.lineAt(static_cast<std::size_t>(parsed.offset))) + ": " +
                 parsed.description()};
  }
  pugi::xml_node root = doc.document_element();
  if (std::strcmp(root.name(), "cib") != 0) {
    return Error{"the root element is <" + std::string(root.name()) + ">, not <cib>"};
  }
  // Pacemaker defaults a missing counter to 0; one that is present must be a counter.
  for (const char* counter : {"admin_epoch", "epoch", "num_updates"}) {
    std::string_view value = root.attribute(counter).value();
    if (root.attribute(counter) &&
        (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos)) {
      return check.fail(root, "version attribute '" + std::string(counter) +
                                  "' is not a counter: '" + std::string(value) + "'");
    }
  }
  pugi::xml_node configuration = root.child("configuration");
  if (!configuration) return check.fail(root, "no <configuration> section");
  for (const char* section : {"crm_config", "nodes", "resources", "constraints"}) {
    if (!configuration.child(section)) {
      return check.fail(configuration, "no <" + std::string(section) + "> section");
    }
  }
  if (Status s = check.uniqueIds(configuration); !s) return s;
  if (Status s = check.resourceClasses(configuration.child("resources")); !s) return s;
  if (Status s = check.constraintReferences(configuration.child("resources"),
                                            configuration.child("constraints"));
      !s) {
    return s;
  }
  if (auto unpacked = pe::unpackCib(cib_xml); !unpacked) {
    return Error{"the policy engine refuses it: " + unpacked.error().message};
  }
  return {};
}

}  // namespace pulse::cib
