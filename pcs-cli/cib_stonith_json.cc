// pcs stonith config --output-format=json: pcs 0.11's CibResourcesDto shape, for the stonith
// primitives only ({"primitives": [...], "clones": [], "groups": [], "bundles": []}).
#include "cib_edit.h"
#include "cib_xml.h"
#include "json.h"

namespace pulse::pcs {
namespace {

void nvsets(JsonWriter& w, pugi::xml_node owner, const char* tag) {
  w.beginArray();
  for (pugi::xml_node set : owner.children(tag)) {
    w.beginObject().key("id").value(set.attribute("id").as_string());
    w.key("options").beginObject().endObject();
    w.key("rule").null();
    w.key("nvpairs").beginArray();
    for (pugi::xml_node p : set.children("nvpair")) {
      w.beginObject()
          .key("id")
          .value(p.attribute("id").as_string())
          .key("name")
          .value(p.attribute("name").as_string())
          .key("value")
          .value(p.attribute("value").as_string())
          .endObject();
    }
    w.endArray().endObject();
  }
  w.endArray();
}

// An attribute as a JSON string, or null when absent (pcs's Optional[str]).
void optional(JsonWriter& w, const char* name, pugi::xml_node node) {
  w.key(name);
  if (pugi::xml_attribute a = node.attribute(name)) {
    w.value(a.as_string());
  } else {
    w.null();
  }
}

void primitive(JsonWriter& w, pugi::xml_node p) {
  w.beginObject().key("id").value(p.attribute("id").as_string());
  w.key("agent_name").beginObject();
  w.key("standard").value(p.attribute("class").as_string());
  optional(w, "provider", p);
  w.key("type").value(p.attribute("type").as_string());
  w.endObject();
  optional(w, "description", p);
  w.key("operations").beginArray();
  for (pugi::xml_node op : p.child("operations").children("op")) {
    w.beginObject().key("id").value(op.attribute("id").as_string());
    w.key("name").value(op.attribute("name").as_string());
    w.key("interval").value(op.attribute("interval").as_string());
    optional(w, "timeout", op);
    w.key("instance_attributes");
    nvsets(w, op, "instance_attributes");
    w.endObject();
  }
  w.endArray();
  w.key("instance_attributes");
  nvsets(w, p, "instance_attributes");
  w.key("meta_attributes");
  nvsets(w, p, "meta_attributes");
  w.endObject();
}

}  // namespace

Result<std::string> stonithConfigJson(const std::string& cib_xml) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  JsonWriter w;
  w.beginObject().key("primitives").beginArray();
  for (pugi::xml_node r : cib.configuration.child("resources").children("primitive")) {
    if (std::string_view(r.attribute("class").as_string()) == "stonith") primitive(w, r);
  }
  w.endArray();
  for (const char* empty : {"clones", "groups", "bundles"}) w.key(empty).beginArray().endArray();
  w.endObject();
  return w.text() + "\n";
}

}  // namespace pulse::pcs
