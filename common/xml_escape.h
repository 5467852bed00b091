// Text and double-quoted attribute values written into XML by hand (a graph file, an agent's
// meta-data): &, <, > and " become entities, nothing else changes (as libxml2 writes them).
#pragma once

#include <string>
#include <string_view>

namespace pulse {

inline std::string xmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace pulse
