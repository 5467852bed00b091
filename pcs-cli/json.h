// pcs --output-format=json: documents are built as nlohmann::ordered_json, which keeps keys in
// insertion order, so each document's keys come out in the order of pcs's DTOs. jsonText() is
// the one place that turns a document into text, so every command prints the same way.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pulse::pcs {

using Json = nlohmann::ordered_json;

// Compact text (no spaces, as pcs prints it). Non-ASCII UTF-8 is kept as it is; control
// characters are escaped (\n \t \r \b \f, else \u00XX). The strings come from a CIB or a node's
// reply, which may hold bytes that are not UTF-8: those become U+FFFD rather than an exception
// or invalid JSON.
inline std::string jsonText(const Json& document) {
  return document.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace pulse::pcs
