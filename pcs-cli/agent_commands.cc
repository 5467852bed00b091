#include "pcs-cli/agent_commands.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "crmd/executor/agent_process.h"
#include "pcs-cli/cib_edit.h"

namespace pulse::pcs {
namespace {

namespace fs = std::filesystem;

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

std::vector<std::string> sortedEntries(const fs::path& dir, bool executables_only) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::error_code ignored;
    if (executables_only &&
        (!entry.is_regular_file(ignored) || ::access(entry.path().c_str(), X_OK) != 0)) {
      continue;
    }
    if (!executables_only && !entry.is_directory(ignored)) continue;
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

int resourceAgents(const std::string& ocf_root, const std::vector<std::string>& args) {
  if (args.size() > 1) return fail("pcs resource agents takes at most one argument");
  const std::string filter = args.empty() ? "" : args[0];
  std::string provider;
  if (filter.starts_with("ocf:")) {
    provider = filter.substr(4);
  } else if (!filter.empty() && filter != "ocf") {
    return fail("Unknown or unsupported standard '" + filter + "', Pulse runs ocf agents only");
  }
  const fs::path root = fs::path(ocf_root) / "resource.d";
  for (const std::string& p : sortedEntries(root, false)) {
    if (!provider.empty() && p != provider) continue;
    for (const std::string& type : sortedEntries(root / p, true)) {
      std::cout << (provider.empty() ? "ocf:" + p + ":" + type : type) << "\n";
    }
  }
  return 0;
}

namespace {

// An agent's long description as pcs shows it: each paragraph (blank-line separated in the
// meta-data) filled to 80 columns, a blank line after each.
std::string paragraphs(const std::string& text) {
  std::string out, line;
  std::istringstream lines(text + "\n\n");
  std::string source;
  const auto flush = [&] {
    if (line.empty()) return;
    out += line + "\n\n";
    line.clear();
  };
  while (std::getline(lines, source)) {
    std::istringstream words(source);
    std::string word;
    bool any = false;
    while (words >> word) {
      any = true;
      if (!line.empty() && line.size() + 1 + word.size() > 80) {
        out += line + "\n";
        line.clear();
      }
      line += (line.empty() ? "" : " ") + word;
    }
    if (!any) flush();
  }
  flush();
  return out;
}

}  // namespace

int resourceDescribe(const std::string& ocf_root, const std::vector<std::string>& args) {
  if (args.size() != 1) return fail("pcs resource describe needs one agent name");
  auto name = crmd::parseAgentName(args[0]);
  if (!name.ok()) return fail(name.error().message);
  auto metadata = crmd::fetchAgentMetadata(ocf_root, *name);
  if (!metadata.ok()) {
    return fail("Agent '" + args[0] + "' is not installed or does not provide valid metadata: " +
                metadata.error().message);
  }
  const KnownAgent agent{"ocf", name->provider, name->type, *metadata};
  std::cout << agent.fullName() << " - " << metadata->shortdesc << "\n\n";
  std::cout << paragraphs(metadata->longdesc) << "Resource options:\n";
  for (const crmd::AgentParameter& p : metadata->parameters) {
    if (p.deprecated) continue;
    std::cout << "  " << p.name << (p.required ? " (required)" : "")
              << (p.unique ? " (unique)" : "") << ": " << p.shortdesc << "\n";
    if (p.default_value && !p.default_value->empty()) {
      std::cout << "    Default: " << *p.default_value << "\n";
    }
  }
  std::cout << "\nDefault operations:\n";
  for (const OperationSpec& op : defaultOperations(&agent)) {
    std::cout << "  " << op.action << ":\n   ";
    for (const auto& [k, v] : op.options) std::cout << " " << k << "=" << v;
    std::cout << "\n";
  }
  return 0;
}

}  // namespace pulse::pcs
