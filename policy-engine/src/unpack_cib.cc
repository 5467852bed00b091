// unpackCib(): XML text -> typed CIB, splitting a large status section so
// that it is parsed one node_state at a time.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "policy-engine/cib_model.h"
#include "unpacker.h"
#include "xml_layout.h"

namespace pulse::pe {

namespace xmlread {

int countNewlines(std::string_view text) {
  int count = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (hit == nullptr) break;
    ++count;
    p = static_cast<const char*>(hit) + 1;
  }
  return count;
}

}  // namespace xmlread

namespace {

using xmlread::countNewlines;
using xmlread::LineCounter;
using xmlread::Unpacker;

Error malformed(std::string_view text, std::size_t offset, int base_line, const char* what) {
  LineCounter lines(text, base_line);
  return Error{"malformed XML at line " + std::to_string(lines.lineAt(offset)) + ": " + what};
}

Result<Cib> parseWhole(std::string_view xml) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed)
    return malformed(xml, static_cast<std::size_t>(parsed.offset), 0, parsed.description());
  return Unpacker(xml).run(doc);
}

}  // namespace

Result<Cib> unpackCib(const pugi::xml_document& doc, std::string_view source) {
  return Unpacker(source).run(doc);
}

Result<Cib> unpackCib(std::string_view xml, std::size_t split_status_bytes) {
  auto layout = scanCibLayout(xml);
  if (!layout || layout->status.end - layout->status.begin < split_status_bytes) {
    return parseWhole(xml);
  }
  // Large status: the configuration is parsed on its own (the status
  // replaced by an empty element and as many newlines, so lines stay
  // true), then each node_state is parsed and converted in turn. Any piece
  // that does not parse sends us back to the whole document, whose parser
  // then names the real problem.
  std::string_view status =
      xml.substr(layout->status.begin, layout->status.end - layout->status.begin);
  std::string config;
  config.reserve(xml.size() - status.size() + 64);
  config.append(xml.substr(0, layout->status.begin));
  // The ticket states stay with the configuration (line numbers within them
  // may then be off; they are only read, never reported on).
  config.append("<status>");
  int kept_newlines = 0;
  for (const ByteRange& range : layout->tickets) {
    std::string_view text = xml.substr(range.begin, range.end - range.begin);
    config.append(text);
    kept_newlines += countNewlines(text);
  }
  config.append("</status>");
  config.append(static_cast<std::size_t>(countNewlines(status) - kept_newlines), '\n');
  config.append(xml.substr(layout->status.end));
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer_inplace(config.data(), config.size(),
                                                          pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) return parseWhole(xml);
  auto cib = Unpacker(config).run(doc);
  if (!cib) return cib;
  doc.reset();
  LineCounter lines(xml);
  pugi::xml_document chunk;
  for (const ByteRange& range : layout->node_states) {
    std::string_view text = xml.substr(range.begin, range.end - range.begin);
    int base_line = lines.lineAt(range.begin) - 1;
    pugi::xml_parse_result r = chunk.load_buffer(
        text.data(), text.size(), pugi::parse_minimal | pugi::parse_escapes, pugi::encoding_utf8);
    pugi::xml_node ns = chunk.document_element();
    if (!r || std::strcmp(ns.name(), "node_state") != 0 || ns.next_sibling()) {
      return parseWhole(xml);
    }
    if (auto e = Unpacker(text, base_line).readNodeState(ns, *cib)) return *e;
  }
  return cib;
}

}  // namespace pulse::pe