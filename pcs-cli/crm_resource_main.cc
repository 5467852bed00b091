// crm_resource for Pulse: only Pacemaker 2.1.5's --why (-Y), which says why a resource runs
// where it does or does not run, here with the policy engine's reasons (pcs-cli/resource_why.h,
// the text `pcs resource why` prints):
//   crm_resource --why -r RSC [-N NODE]
// The CIB is $CIB_file when set (as Pacemaker's tools read it), else the live CIB from the DC.
// Errors go to stderr as Pacemaker words them: 64 usage, 105 no such resource or node, 102 the
// cluster cannot be reached, 1 a CIB the engine refuses. Every other crm_resource command is
// refused with a usage error naming the pcs command that does it.
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "crmd/client/secure_file.h"
#include "pcs-cli/crm_tool_args.h"
#include "pcs-cli/live_cib.h"
#include "pcs-cli/node_attribute_client.h"
#include "pcs-cli/resource_why.h"

using namespace pulse;
using namespace pulse::pcs;

namespace {

constexpr char kHelp[] = R"(Usage: crm_resource --why -r <resource> [-N <node>]
Pulse's crm_resource answers --why only (pcs does the rest: pcs resource ...).
  -Y, --why              Show why the resource runs where it does, or does not run: Pacemaker's
                         line, then the policy engine's reasons (constraints and scores, fail
                         counts, node state, tickets, utilization, quorum) and node scores
  -r, --resource=RSC     The resource
  -N, --node=NODE        Only what concerns NODE
  -h, --help             This text
  -$, --version          The Pacemaker release whose crm_resource this follows
The CIB is read from $CIB_file when set, else from the running cluster.
)";

int usage(const std::string& message) {
  std::cerr << "crm_resource: " << message << "\n";
  return kExitUsage;
}

// The value of option `arg` (-rVALUE, -r VALUE, --resource=VALUE, --resource VALUE).
bool takeValue(const std::vector<std::string>& argv, std::size_t& i, const std::string& shortopt,
               const std::string& longopt, std::string& value, bool& missing) {
  const std::string& arg = argv[i];
  if (arg == shortopt || arg == longopt) {
    if (i + 1 >= argv.size()) {
      missing = true;
      return true;
    }
    value = argv[++i];
    return true;
  }
  if (arg.starts_with(longopt + "=")) {
    value = arg.substr(longopt.size() + 1);
    return true;
  }
  if (arg.starts_with(shortopt) && arg.size() > shortopt.size() && !arg.starts_with("--")) {
    value = arg.substr(shortopt.size());
    return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  bool why = false;
  std::string rsc, node;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool missing = false;
    if (a == "-h" || a == "--help" || a == "-?") {
      std::cout << kHelp;
      return kExitOk;
    }
    if (a == "-$" || a == "--version") {
      std::cout << "Pacemaker 2.1.5 (Pulse crm_resource)\n";
      return kExitOk;
    }
    if (a == "-Y" || a == "--why") {
      why = true;
    } else if (takeValue(args, i, "-r", "--resource", rsc, missing) ||
               takeValue(args, i, "-N", "--node", node, missing)) {
      if (missing) return usage("option '" + a + "' needs a value");
    } else {
      return usage("unsupported option '" + a + "': Pulse's crm_resource does --why only " +
                   "(see crm_resource --help; pcs resource ... does the rest)");
    }
  }
  if (!why) return usage("Pulse's crm_resource does --why only (see crm_resource --help)");
  if (rsc.empty()) return usage("--why needs a resource (-r RSC)");

  std::string cib;
  if (const char* file = std::getenv("CIB_file"); file != nullptr && *file != '\0') {
    auto text = crmd::readFile(file);
    if (!text.ok()) {
      std::cerr << "crm_resource: Unable to read " << file << ": " << text.error().message << "\n";
      return kExitNoSuch;
    }
    cib = std::move(*text);
  } else {
    PcsOptions options;
    options.state_dir = toolStateDir();
    auto live = LiveCib::read(options);
    if (!live.ok()) {
      std::cerr << "crm_resource: Could not connect to the CIB: " << live.error().message << "\n";
      return kExitDisconnect;
    }
    cib = live->xml();
  }
  auto text = resourceWhy(cib, rsc, node, std::time(nullptr));
  if (!text.ok()) {
    const std::string& message = text.error().message;
    std::cerr << "crm_resource: " << message << "\n";
    if (message.ends_with("not found")) {
      std::cerr << "Error performing operation: No such object\n";
      return kExitNoSuch;
    }
    return kExitError;
  }
  std::cout << *text;
  return kExitOk;
}
