// GLib's command-line syntax, as Pacemaker's tools parse it (crm_attribute, crm_node, crm_mon):
// -n NAME, -nNAME, --name NAME, --name=NAME, bundled flags (-qG, -1rfA); an optional argument
// must be attached or be the next word not starting with '-'. Pure.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pcs-cli/crm_tool_args.h"

namespace pulse::pcs {

enum class Arg { kNone, kRequired, kOptional };

struct OptionSpec {
  char short_name;  // '\0': long only
  const char* long_name;
  Arg arg;
  int id;
};

using OnOption = std::function<std::optional<ToolError>(int id, std::optional<std::string>)>;

// A usage error (exit 64, Pacemaker's CRM_EX_USAGE).
ToolError usage(const std::string& message);

// Calls `on` for each option of `args` in order; the first unknown option, missing argument or
// non-option word ends the scan with a usage error naming it ("Unknown option --bogus").
std::optional<ToolError> scan(const std::vector<std::string>& args,
                              const std::vector<OptionSpec>& specs, const OnOption& on);

}  // namespace pulse::pcs
