// Internal to pulse_cib_edit: the XML chores every command shares (loading, ids as pcs makes
// them, nvsets, finding resources, writing back). Only cib_*.cc include this.
#pragma once

#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cib_edit.h"

namespace pulse::pcs::cibxml {

// A parsed CIB. The handles point into `doc`; load() guarantees cib and configuration exist.
struct Cib {
  pugi::xml_document doc;
  pugi::xml_node cib;
  pugi::xml_node configuration;
};

// Parses and checks the outer shape (<cib><configuration>). Comments are dropped.
Status load(const std::string& xml, Cib& out);

// Serializes, then re-reads with pulse::pe::unpackCib so no edit can hand back a CIB the
// engine refuses as invalid. Valid Pacemaker configuration the engine cannot schedule yet
// (engineLacksFeature) passes: a CIB file may hold it, and crmd refuses it on push.
bool engineLacksFeature(const Error& refusal);
Result<std::string> finish(const Cib& cib);

// configuration/<name>, created (in Pacemaker's section order) when missing.
pugi::xml_node section(Cib& cib, const char* name);

bool idExists(const Cib& cib, std::string_view id);
// pcs's find_unique_id: `candidate`, else candidate-1, candidate-2, ...
std::string uniqueId(const Cib& cib, const std::string& candidate);
// pcs's sanitize_id: drops characters an XML id cannot hold.
std::string sanitizeId(std::string_view candidate);
// pcs's "is a valid id" check; on failure the message names `description`.
Status validateId(std::string_view id, std::string_view description);

// primitive, group, clone, master or bundle with this id under <resources>, or null.
pugi::xml_node findResource(const Cib& cib, std::string_view id);
// Only a primitive (the reader crmd and the engine share, policy-engine/cib_config.h).
pugi::xml_node findPrimitive(const Cib& cib, std::string_view id);

// Sets each pair in owner's first <set_tag> (created as OWNERID-set_tag); an empty value
// removes the pair; a set left empty stays (as in pcs). New sets go at the end of owner.
// `first`: a new set becomes owner's first child instead (pcs's enable/disable does that).
void updateNvSet(Cib& cib, pugi::xml_node owner, const char* set_tag, const NvPairs& pairs,
                 bool first = false);
// Value of name in owner's first <set_tag>, or "".
std::string nvValue(pugi::xml_node owner, const char* set_tag, std::string_view name);

// pcs's format_list: sorted, each quoted, joined by ", ".
std::string formatList(std::vector<std::string> items);

// Pacemaker's score syntax: integer, INFINITY, +INFINITY, -INFINITY.
bool isScore(std::string_view score);

}  // namespace pulse::pcs::cibxml
