// pcs: the Pulse command line, with pcs's spelling. First commands: `host auth`, `host deauth`.
// Exit codes: 0 success, 1 error (as pcs).
#include <boost/program_options.hpp>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "crmd/secret_input.h"
#include "pcs-cli/host_commands.h"

namespace po = boost::program_options;
using namespace pulse::pcs;

namespace {

constexpr char kUsage[] = R"(Usage: pcs [--state-dir DIR] COMMAND ...

Commands:
  host auth <host name> [addr=<address>[:<port>]]... [-u <username>] [-p <password>]
      Authenticate the local pcs to crmd on the specified hosts. Each host is contacted at
      its addr= (default: the host name) on port 2224 unless a port is given. The username
      must be hacluster. Without -p the password is read from standard input when that is not
      a terminal, else prompted for (preferable: -p is visible to other users in ps).
      Trust on first use: the first time a host is authenticated its TLS certificate is
      accepted and its SHA-256 fingerprint pinned in the known-hosts file of the state
      directory; later connections to that host verify the certificate against the pin and
      fail if it changed (then 'pcs host deauth <host name>' and authenticate again).
  host deauth [<host name>]...
      Remove the authentication tokens (and certificate pins) of the specified hosts from the
      local pcs; with no host names, of all hosts.

Options:
  --state-dir DIR   where tokens and pins are kept (default $PULSE_STATE_DIR, else
                    /var/lib/pulse)
  -h, --help        show this help
)";

int usageError(const std::string& message) {
  std::cerr << "Error: " << message << "\nUsage: see pcs --help\n";
  return 1;
}

// Overwrites a -p/--password value in argv so that it no longer shows in ps once parsed.
void scrubPasswordArgument(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    char* arg = argv[i];
    if ((std::strcmp(arg, "-p") == 0 || std::strcmp(arg, "--password") == 0) && i + 1 < argc) {
      std::memset(argv[i + 1], 'x', std::strlen(argv[i + 1]));
    } else if (std::strncmp(arg, "-p", 2) == 0 && arg[2] != '\0' && arg[1] != '-') {
      std::memset(arg + 2, 'x', std::strlen(arg + 2));
    } else if (std::strncmp(arg, "--password=", 11) == 0) {
      std::memset(arg + 11, 'x', std::strlen(arg + 11));
    }
  }
}

int hostAuth(const std::string& state_dir, const std::vector<std::string>& args,
             const po::variables_map& vm) {
  std::vector<HostAuthTarget> targets;
  for (const std::string& arg : args) {
    if (arg.starts_with("addr=")) {
      if (targets.empty()) return usageError("addr= must follow a host name");
      if (targets.back().address != targets.back().node) {
        return usageError("more than one addr= for host '" + targets.back().node + "'");
      }
      targets.back().address = arg.substr(5);
      continue;
    }
    targets.push_back({arg, arg});
  }
  if (targets.empty()) return usageError("host auth needs at least one host name");
  const std::string username = vm.count("user") ? vm["user"].as<std::string>() : "hacluster";
  if (username != "hacluster") return usageError("the username must be hacluster");
  std::string password;
  if (vm.count("password")) {
    password = vm["password"].as<std::string>();
  } else {
    auto read = pulse::crmd::readSecret("Password: ", /*confirm=*/false);
    if (!read) return usageError(read.error().message);
    password = *read;
  }
  return hostAuthCommand(state_dir, targets, username, password);
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description options;
  options.add_options()("help,h", "")("state-dir", po::value<std::string>(), "")(
      "user,u", po::value<std::string>(), "")("password,p", po::value<std::string>(), "")(
      "args", po::value<std::vector<std::string>>(), "");
  po::positional_options_description positional;
  positional.add("args", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {
    scrubPasswordArgument(argc, argv);
    return usageError(e.what());
  }
  scrubPasswordArgument(argc, argv);
  if (vm.count("help")) {
    std::cout << kUsage;
    return 0;
  }
  std::vector<std::string> args =
      vm.count("args") ? vm["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
  std::string state_dir = "/var/lib/pulse";
  if (vm.count("state-dir")) {
    state_dir = vm["state-dir"].as<std::string>();
  } else if (const char* env = std::getenv("PULSE_STATE_DIR"); env != nullptr && *env != '\0') {
    state_dir = env;
  }
  if (args.size() >= 2 && args[0] == "host" && args[1] == "auth") {
    return hostAuth(state_dir, {args.begin() + 2, args.end()}, vm);
  }
  if (args.size() >= 2 && args[0] == "host" && args[1] == "deauth") {
    return hostDeauthCommand(state_dir, {args.begin() + 2, args.end()});
  }
  if (args.empty()) {
    std::cerr << kUsage;
    return 1;
  }
  std::string command;
  for (const std::string& a : args) command += (command.empty() ? "" : " ") + a;
  return usageError("unknown command '" + command + "'");
}
