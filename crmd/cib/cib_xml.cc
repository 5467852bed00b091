#include "crmd/cib/cib_xml.h"

#include <cstring>
#include <sstream>

namespace pulse::cib {

bool isIdReference(const pugi::xml_node& node) {
  const char* name = node.name();
  if (std::strcmp(name, "resource_ref") == 0 || std::strcmp(name, "obj_ref") == 0 ||
      std::strcmp(name, "role_ref") == 0) {
    return true;
  }
  const char* parent = node.parent().name();
  return std::strcmp(name, "role") == 0 &&
         (std::strcmp(parent, "acl_target") == 0 || std::strcmp(parent, "acl_user") == 0 ||
          std::strcmp(parent, "acl_group") == 0);
}

Status parseXml(pugi::xml_document& doc, std::string_view text) {
  pugi::xml_parse_result parsed = doc.load_buffer(text.data(), text.size());
  if (!parsed) {
    return Error{"malformed XML at byte " + std::to_string(parsed.offset) + ": " +
                 parsed.description()};
  }
  return {};
}

std::string toXml(const pugi::xml_node& node) {
  std::ostringstream out;
  node.print(out, "  ", pugi::format_indent | pugi::format_no_declaration);
  return out.str();
}

Result<std::string> withStatusOf(std::string_view written, std::string_view current) {
  pugi::xml_document edit, now;
  if (Status s = parseXml(edit, written); !s) return Error{"the write: " + s.error().message};
  if (Status s = parseXml(now, current); !s) return Error{"the current CIB: " + s.error().message};
  pugi::xml_node edit_cib = edit.child("cib");
  pugi::xml_node now_cib = now.child("cib");
  if (!edit_cib || !now_cib) return Error{"no <cib> element"};
  while (edit_cib.remove_child("status")) {
  }
  if (pugi::xml_node status = now_cib.child("status")) {
    edit_cib.append_copy(status);
  } else {
    edit_cib.append_child("status");
  }
  return toXml(edit_cib);
}

pugi::xml_node childWithId(pugi::xml_node parent, const char* tag, const std::string& id) {
  pugi::xml_node found = parent.find_child_by_attribute(tag, "id", id.c_str());
  if (found) return found;
  found = parent.append_child(tag);
  found.append_attribute("id").set_value(id.c_str());
  return found;
}

}  // namespace pulse::cib
