#include "pcs-cli/agent_commands.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "crmd/executor/agent_process.h"
#include "crmd/executor/service_agents.h"
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

namespace {

// The unit names systemd has for services ("haproxy" for haproxy.service), sorted; empty
// without systemd.
std::vector<std::string> systemdServices() {
  const crmd::ServiceSettings& settings = crmd::serviceSettings();
  if (!crmd::systemdRunning(settings)) return {};
  const crmd::AgentResult r = crmd::runProgram(
      crmd::ProgramCall{settings.systemctl,
                        {"list-unit-files", "--type=service", "--no-legend", "--no-pager"},
                        {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"},
                        "",
                        std::chrono::milliseconds(10000)});
  std::vector<std::string> names;
  std::istringstream lines(r.out.text);
  std::string unit;
  while (lines >> unit) {
    std::string rest;
    std::getline(lines, rest);  // the unit's state columns
    // Templates (name@.service) need an instance name to be a resource.
    if (unit.ends_with(".service") && !unit.ends_with("@.service")) {
      names.push_back(unit.substr(0, unit.size() - 8));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> lsbScripts() {
  return sortedEntries(crmd::serviceSettings().lsb_root, true);
}

}  // namespace

int resourceStandards(const std::vector<std::string>& args) {
  if (!args.empty()) return fail("pcs resource standards takes no arguments");
  // As crm_resource --list-standards on a Linux node: systemd only where it runs.
  std::cout << "lsb\nocf\nservice\n";
  if (crmd::systemdRunning()) std::cout << "systemd\n";
  return 0;
}

int resourceAgents(const std::string& ocf_root, const std::vector<std::string>& args) {
  if (args.size() > 1) return fail("pcs resource agents takes at most one argument");
  const std::string filter = args.empty() ? "" : args[0];
  if (filter == "lsb" || filter == "systemd" || filter == "service") {
    std::vector<std::string> names;
    if (filter != "systemd") names = lsbScripts();
    if (filter != "lsb") {
      for (std::string& unit : systemdServices()) names.push_back(std::move(unit));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (names.empty()) return fail("No agents found for " + filter);
    for (const std::string& name : names) std::cout << name << "\n";
    return 0;
  }
  std::string provider;
  if (filter.starts_with("ocf:")) {
    provider = filter.substr(4);
  } else if (!filter.empty() && filter != "ocf") {
    return fail("Unknown or unsupported standard '" + filter +
                "', Pulse runs ocf, lsb, service and systemd agents");
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
  const KnownAgent agent{name->standard, name->provider, name->type, *metadata};
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
