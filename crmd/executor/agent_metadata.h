// An agent's self-description: the XML its `meta-data` action prints (OCF resource-agent API
// 1.0/1.1), turned into a typed value. `pcs resource create` uses it to check parameters
// (required, unique, unknown names) and to fill in default operations (timeouts, intervals).
// Pure: no I/O; the only place in crmd that reads agent XML.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace pulse::crmd {

struct AgentParameter {
  std::string name;
  bool required = false;
  bool unique = false;  // OCF 1.0 "unique"; 1.1 agents may say "unique-group" instead
  bool deprecated = false;
  std::string type = "string";  // <content type=…>: string, integer, boolean, select, …
  std::optional<std::string> default_value;
  std::string shortdesc;  // in English (lang="en" or no lang), trimmed
};

struct AgentActionSpec {
  std::string name;
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<std::chrono::milliseconds> interval;
  std::optional<std::string> role;   // e.g. "Promoted" for the promoted monitor
  std::optional<std::string> depth;  // OCF_CHECK_LEVEL, kept as text
};

struct AgentMetadata {
  std::string name;     // <resource-agent name=…>
  std::string version;  // <version> (the OCF API version it speaks), may be empty
  std::string shortdesc;
  std::string longdesc;  // in English, trimmed; its line breaks kept (paragraphs: blank lines)
  std::vector<AgentParameter> parameters;  // in document order
  std::vector<AgentActionSpec> actions;    // in document order; a name may repeat (roles)

  const AgentParameter* parameter(std::string_view name) const;
  // The first action of that name (with that role, if one is given).
  const AgentActionSpec* action(std::string_view name,
                                std::optional<std::string_view> role = std::nullopt) const;
};

// Parses meta-data output. Error (with pugixml's description and offset) for text that is not
// XML, a root that is not <resource-agent>, a parameter without a name, or a timeout/interval
// that is not a duration.
Result<AgentMetadata> parseAgentMetadata(std::string_view xml);

// Pacemaker's durations: a number with an optional unit, ms/msec, us/usec (rounded down to
// ms), s/sec (the default), m/min, h/hr. "20s" -> 20000 ms, "10" -> 10000 ms.
Result<std::chrono::milliseconds> parseDuration(std::string_view text);

}  // namespace pulse::crmd
