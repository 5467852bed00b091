#include "xml_layout.h"

#include <cstring>
#include <string>

namespace pulse::pe {
namespace {

// The first "<name" at or after `from` that is followed by a delimiter, so
// "<status" does not match "<statusbar".
std::size_t findTag(std::string_view s, std::string_view open, std::size_t from) {
  while (true) {
    std::size_t at = s.find(open, from);
    if (at == std::string_view::npos) return at;
    std::size_t next = at + open.size();
    if (next < s.size()) {
      char c = s[next];
      if (c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r') return at;
    }
    from = at + 1;
  }
}

// Every <name> element in `body` from `from` on (self-closing or with its closing tag), as
// byte ranges; false when one is cut off.
bool scanElements(std::string_view body, std::string_view name, std::size_t from,
                  std::vector<ByteRange>& out) {
  const std::string open = "<" + std::string(name);
  const std::string closing = "</" + std::string(name) + ">";
  std::size_t at = from;
  while ((at = findTag(body, open, at)) != std::string_view::npos) {
    std::size_t gt = body.find('>', at);
    if (gt == std::string_view::npos) return false;
    std::size_t end;
    if (body[gt - 1] == '/') {
      end = gt + 1;
    } else {
      std::size_t close = body.find(closing, gt);
      if (close == std::string_view::npos) return false;
      end = close + closing.size();
    }
    out.push_back({at, end});
    at = end;
  }
  return true;
}

}  // namespace

std::optional<CibLayout> scanCibLayout(std::string_view s) {
  CibLayout layout;
  std::size_t begin = findTag(s, "<status", 0);
  if (begin == std::string_view::npos) return std::nullopt;
  std::size_t open_end = s.find('>', begin);
  if (open_end == std::string_view::npos) return std::nullopt;
  layout.status.begin = begin;
  if (s[open_end - 1] == '/') {
    layout.status.end = open_end + 1;
    return layout;
  }
  std::size_t close = s.rfind("</status>");
  if (close == std::string_view::npos || close < open_end) return std::nullopt;
  layout.status.end = close + 9;
  std::string_view body = s.substr(0, close);
  // Ticket states sit beside the node states; they are few and small.
  if (!scanElements(body, "node_state", open_end + 1, layout.node_states) ||
      !scanElements(body, "tickets", open_end + 1, layout.tickets)) {
    return std::nullopt;
  }
  return layout;
}

}  // namespace pulse::pe
