// Small pugixml helpers shared by the CIB modules (internal to pulse_cib).
#pragma once

#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace pulse::cib {

// Whether `node`'s id attribute names another element instead of identifying this one
// (<resource_ref id=RSC> in resource sets, <obj_ref> in tags, ACL role references). Such
// elements are not counted among the CIB's ids and are not keyed by them.
bool isIdReference(const pugi::xml_node& node);

// Parses `text` into `doc`; an Error with the byte offset and pugixml's reason otherwise.
Status parseXml(pugi::xml_document& doc, std::string_view text);

// `node` and its subtree as XML text, indented by two spaces, without an XML declaration.
std::string toXml(const pugi::xml_node& node);

// `written` (a whole CIB) with its <status> replaced by the one of `current` (a whole CIB):
// a configuration edit made on a copy whose status has moved on since, rebased on the status
// of now. An Error when either does not parse or has no <cib> root.
Result<std::string> withStatusOf(std::string_view written, std::string_view current);

// The first child <tag> of `parent` whose id is `id`, appended (with that id) when missing.
pugi::xml_node childWithId(pugi::xml_node parent, const char* tag, const std::string& id);

}  // namespace pulse::cib
