#include "pcs-cli/stonith_commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "crmd/executor/agent_metadata.h"
#include "crmd/executor/fence_runner.h"
#include "pcs-cli/cluster_commands.h"
#include "pcs-cli/live_cib.h"
#include "pcs-cli/node_client.h"

namespace pulse::pcs {
namespace {

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

bool isExecutable(const std::filesystem::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string shellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The agent's meta-data, asked for as Pacemaker's fencer does (action=metadata on standard
// input, no arguments: every fence agent speaks this), or an Error naming the agent.
Result<crmd::AgentMetadata> fenceMetadata(const std::filesystem::path& agent) {
  const std::string command =
      "printf 'action=metadata\\n' | timeout 5 " + shellQuote(agent.string()) + " 2>/dev/null";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return Error{"cannot run " + agent.string()};
  std::string out;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  if (status != 0) return Error{agent.string() + " action=metadata failed"};
  auto md = crmd::parseAgentMetadata(out);
  if (!md) return Error{agent.string() + ": " + md.error().message};
  // fence-agents put the one-line description in an attribute of <resource-agent>, where OCF
  // agents have a <shortdesc> element.
  if (md->shortdesc.empty()) {
    const std::string marker = "shortdesc=\"";
    const std::size_t root = out.find("<resource-agent");
    const std::size_t at = root == std::string::npos ? root : out.find(marker, root);
    const std::size_t end = at == std::string::npos ? at : out.find('"', at + marker.size());
    if (end != std::string::npos && end < out.find('>', root)) {
      md->shortdesc = out.substr(at + marker.size(), end - at - marker.size());
    }
  }
  return md;
}

}  // namespace

std::vector<std::string> fenceAgentDirs() {
  const char* env = std::getenv("PULSE_FENCE_AGENT_DIRS");
  if (env == nullptr || *env == '\0') return {"/usr/sbin"};
  std::vector<std::string> dirs;
  std::string text = env;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t colon = text.find(':', start);
    if (colon == std::string::npos) colon = text.size();
    if (colon > start) dirs.push_back(text.substr(start, colon - start));
    start = colon + 1;
  }
  return dirs;
}

std::vector<KnownAgent> fenceAgentsNamed(const std::string& type) {
  if (!crmd::isFenceAgentName(type) || type.find('/') != std::string::npos) return {};
  for (const std::string& dir : fenceAgentDirs()) {
    const std::filesystem::path path = std::filesystem::path(dir) / type;
    if (!isExecutable(path)) continue;
    auto md = fenceMetadata(path);
    if (!md) return {};
    return {KnownAgent{"stonith", "", type, std::move(*md)}};
  }
  return {};
}

int stonithList(const std::vector<std::string>& args) {
  const std::string filter = args.empty() ? "" : args.front();
  std::set<std::string> names;
  std::map<std::string, std::filesystem::path> paths;
  for (const std::string& dir : fenceAgentDirs()) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (!crmd::isFenceAgentName(name) || !isExecutable(entry.path())) continue;
      if (!filter.empty() && name.find(filter) == std::string::npos) continue;
      if (paths.emplace(name, entry.path()).second) names.insert(name);
    }
  }
  if (names.empty()) {
    if (!filter.empty()) return fail("No stonith agents available matching '" + filter + "'");
    return fail("No stonith agents available. Do you have fence agents installed?");
  }
  for (const std::string& name : names) {
    auto md = fenceMetadata(paths[name]);
    std::cout << name;
    if (md && !md->shortdesc.empty()) std::cout << " - " << md->shortdesc;
    std::cout << "\n";
  }
  return 0;
}

int stonithFence(const PcsOptions& options, const std::string& node, bool off) {
  auto local = localNodeName(options);
  if (!local) return fail(local.error().message);
  auto session = connectNode(options, *local);
  if (!session) return fail(session.error().message);
  auto here = session->cibGet();
  if (!here) return fail("Unable to reach " + *local + ": " + here.error().message);
  if (here->dc() == 0) {
    return fail("Unable to fence node " + node + ": " + noDcReason(*session));
  }
  // The DC fences; when the DC is the target it dies of it and cannot answer, so this node
  // asks it and waits for the result the member that fenced it sends to every member.
  std::optional<NodeSession> dc_session;
  if (!here->is_dc() && here->dc_name() != node) {
    auto dc = connectNode(options, here->dc_name());
    if (!dc) return fail("Unable to fence node " + node + ": " + dc.error().message);
    dc_session.emplace(std::move(*dc));
  }
  NodeSession& dc = dc_session ? *dc_session : *session;
  auto reply = dc.fence(node, off);
  if (!reply) {
    // An older DC answers an unknown call with an empty UNIMPLEMENTED status.
    const std::string why = reply.error().message.empty()
                                ? "the DC " + here->dc_name() + " did not carry out the request"
                                : reply.error().message;
    return fail("Unable to fence node " + node + ": " + why);
  }
  std::cout << "Node: " << node << " fenced\n";
  return 0;
}

}  // namespace pulse::pcs
