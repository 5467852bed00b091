// pcs: the Pulse command line, with pcs's spelling: host, cluster, status corosync, quorum,
// and resource/constraint/property/node/status on a CIB file (-f).
// Exit codes: 0 success, 1 error (as pcs).
#include <algorithm>
#include <boost/program_options.hpp>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmd/client/secret_input.h"
#include "crmd/client/tls_identity.h"
#include "pcs-cli/cib_file_commands.h"
#include "pcs-cli/cluster_commands.h"
#include "pcs-cli/host_commands.h"

namespace po = boost::program_options;
using namespace pulse::pcs;

namespace {

constexpr char kUsage[] = R"(Usage: pcs [--state-dir DIR] COMMAND ...

Commands:
  host auth (<host name> [addr=<address>[:<port>]] [fingerprint=SHA256:<base64>])...
          [-u <username>] [-p <password>] [--fingerprint SHA256:<base64>]
      Authenticate the local pcs to crmd on the specified hosts. Each host is contacted at
      its addr= (default: the host name) on port 2224 unless a port is given. The username
      must be hacluster; without -u and -p, pcs asks for it ("Username: ", one line of
      standard input). Without -p the password is read from standard input when that is not a
      terminal, else prompted for (preferable: -p is visible to other users in ps).
      The password is sent only to a host whose TLS certificate is trusted: it must match
      the host's pin in the known-hosts file of the state directory and the fingerprint=
      given for it (pinned ahead; --fingerprint does the same for a single host), when there
      are; with neither, on a terminal, pcs shows the
      fingerprint and asks, as ssh does ('crmd fingerprint' on the node prints it); else
      (no terminal) the certificate is trusted on first use, with a warning naming it. The
      certificate is then pinned and checked on every later connection; if it changes, run
      'pcs host deauth <host name>' and authenticate again. Prints
      '<host name>: Authorized (certificate SHA256:...)' per host.
  host deauth [<host name>]...
      Revoke the tokens on the specified hosts (all hosts when none is given) and remove them
      and the certificate pins from the local pcs. A host that cannot be reached is only
      removed locally, with a warning.
  host deauth (<host name> [addr=<address>] [fingerprint=SHA256:<base64>])... -u hacluster
          [-p <password>]
      For a caller without a token (lost, or from another machine): authenticate with the
      password (trusting the host as host auth does) and revoke every token obtained with
      'pcs host auth' on the hosts, the caller's included. Tokens the cluster nodes hold
      (from cluster setup) stay.

  cluster setup <cluster name> (<node name> [addr=<node address>])... [transport udp|udpu|knet]
          [totem [token=<ms>] [consensus=<ms>] [join=<ms>]]
          [quorum [auto_tie_breaker=0|1] [last_man_standing=0|1]
                  [last_man_standing_window=<ms>] [wait_for_all=0|1]]
          [--enable] [--start [--wait[=<s>]]] [--force]
      Create a cluster from authenticated hosts: writes the cluster config, a new cluster key
      to every node, and to each node its own credentials: a peer secret, and tokens the nodes
      issue for it (its cluster-hosts file; pcs's own tokens are never copied to the nodes).
      Node ids are given in the order of the nodes. A node address defaults to the address its
      host was authenticated at. A two-node cluster gets two_node (wait_for_all). Refused when
      a node is already in a cluster, unless --force. The default token is 1000 ms, consensus
      1.2 x token.
  cluster setup <cluster name> --inventory <file> [transport ...] [totem ...] [quorum ...]
          [--enable] [--start [--wait[=<s>]]] [--force]
      The nodes, their addresses and roles from an inventory: INI in Ansible's style
      ([group] sections of '<host> addr=<address> [key=value]...' lines, [group:vars]) or
      YAML ('nodes:' a list of name, addr, roles, vars). Every node is checked first: pcs
      has a token for it, it answers, it is in no cluster (unless --force), and every node
      runs the same Pulse version; the table of checks is printed and any failure refuses the
      setup. The cluster is then set up as with the node list. Each node's roles (its groups)
      become node attributes role-<group>=1 and roles=<group,...>, its vars attributes too,
      for rules such as 'pcs constraint location R rule score=INFINITY role-db eq 1'; they
      are written with --start, else the 'pcs node attribute' commands are printed.
  cluster check --inventory <file>
      The checks of cluster setup --inventory and their table, without setting anything up.
  cluster events [--since <duration>|<time>] [--node <node>] [--follow]
      One time-ordered log of the cluster's events from every node, each line tagged with
      its node: membership (joins, losses, ring id), quorum gained and lost, the DC,
      configuration changes with who made them (token and source address), actions and
      their results, fencing, CIB resyncs of returning nodes. --since takes 90s, 10m, 2h,
      1d or a UTC time (2026-12-07 05:40[:00]); --follow keeps polling every second. A node
      that does not answer is named in a '# NODE: no events (...)' header line.
  cluster start [--all | <node>...] [--wait[=<s>]]
      Start the membership on the nodes (the local node when none is given) and wait, up to
      <s> seconds (default 60, 0: do not wait), until every started node is in one view with
      all the others.
  cluster stop [--all | <node>...] [--force]
      Stop the membership on the nodes. Refused when it would cost the cluster its quorum,
      unless --force.
  cluster enable|disable [--all | <node>...]
      Start (or not) the membership whenever crmd starts; crmd itself is started at boot by
      its systemd unit (pulse-crmd.service).
  cluster destroy [--all] [--force]
      Stop the membership and remove the cluster's files and state from the local node (all
      nodes with --all): the cluster config, key and certificate, the cluster hosts and peer
      credentials, the CIB and the saved engine inputs (pengine/), and the tokens the node
      issued to the cluster's nodes; prints what was removed. The node's own identity, its
      password and pcs's host auth stay. Asks for confirmation on a terminal unless --force.
  cluster cib [<file>]
      The cluster's CIB (the DC's copy), printed or written to <file> (mode 0600).
  [-f FILE] cluster cib-push <file> [diff-against=<original> | scope=<scope> | --config]
      Validate <file> and make it the cluster's CIB (an older version is refused), or with
      diff-against= push only the changes from <original> to <file>, or with --config
      (scope=configuration) replace only the configuration (any other scope: that section),
      keeping the status. The write returns once every member of the quorate partition
      holds it; a minority refuses it. With -f: the CIB in FILE instead.
  cluster corosync [<node>]
      Show the cluster config file (corosync.conf syntax) of the node (default: local).
  cluster config [show] [--output-format text|cmd|json] [--corosync_conf <path>]
      Show this node's cluster config (or the file at <path>) as pcs shows corosync.conf:
      text, the `pcs cluster setup` command that recreates it (cmd), or pcs's JSON.
  cluster cmap [<node>] [<key prefix>]
      corosync-cmapctl-style dump of the node's runtime state: runtime.members.<id>.ip,
      .status, .join_count, runtime.votequorum.*, totem.*, nodelist.*, stats.pulse.* packet
      counters (dropped packets by reason) and stats.pulse.cib.parses (CIB copies parsed).
  status corosync [<node>]
      The members of the node's current view: Nodeid, Votes, Name, (local).
  quorum status [<node>]
      Votequorum's view of the node: expected votes, total votes, quorum, flags, members.

  [-f FILE] resource create|delete|update|enable|disable|meta|op add|group add|move|ban|clear|config
  [-f FILE] constraint [list|config] [--full] | location|colocation add|order|delete|remove|ref
  [-f FILE] property set|config
  [-f FILE] node standby|unstandby <node>
  [-f FILE] status
      Without -f: on the cluster's live CIB, read from the DC and written back through it
      (only on the copy that was read; a concurrent change makes pcs read and edit again).
      With -f: perform actions on file instead of active CIB, with pcs's syntax. An edit bumps the
      file's epoch and replaces the file atomically (its mode kept); on error the file is left
      as it was. resource create checks options against the agent's meta-data
      ($OCF_ROOT, default /usr/lib/ocf). Resources are placed and started once the DC runs
      transitions (not yet: the configuration is stored and replicated).
  [-f FILE] status [--full] --watch
      The status redrawn whenever the cluster (or FILE) changes, as crm_mon does, until
      Ctrl-C; when standard output is not a terminal, each new status after a blank line.
  [-f FILE] resource promote <promotable clone | its resource> <node> --allow-data-loss
      When every replica's agent refuses promotion because it may lack commits acknowledged
      to clients (ocf:pulse:pgsql after the primary and its synchronous standby were lost
      together; pcs status shows the refusal under Failed Resource Actions): promote the one
      on <node> anyway, accepting that transactions only the lost nodes held are gone. Sets
      the transient node attribute <resource>-allow-data-loss=true there (the agent removes
      it once promoted) and cleans up the resource's failures there. Refused without
      --allow-data-loss (saying what may be lost), while the resource is promoted anywhere,
      and on a node where it does not run.
  [-f FILE] resource why <resource id> [<node>]
      Why the resource runs where it does or does not run (on <node>), from the policy
      engine's record: constraint ids and scores, fail counts against migration-threshold,
      node state, tickets, utilization, quorum, target-role; then each node's final score
      (crm_resource --why -r <resource id> [-N <node>] prints the same; see --help).
  resource agents [ocf[:<provider>] | lsb | systemd | service]
      List the installed OCF agents, init scripts (/etc/init.d) or systemd's service units.
  resource standards
      The resource classes this node runs: lsb, ocf, service, and systemd where systemd runs.
  resource describe ocf:<provider>:<type> | lsb:<script> | systemd:<unit> | service:<name>
      The agent's options and the operations resource create would add.
  stonith history [show [<node>]] | cleanup [<node>] | update
      The cluster's fencing history, as stonith_admin --history prints it (every node holds
      it; the DC records each operation); cleanup removes the completed operations.
  [-f FILE] alert [config] | create path=<path> [id=<id>] [description=<text>]
            [options <option>=<value>...] [meta <meta-option>=<value>...]
  [-f FILE] alert update <alert> [path=<path>] [description=<text>] [options ...] [meta ...]
  [-f FILE] alert delete|remove <alert>...
  [-f FILE] alert recipient add <alert> value=<value> [id=<id>] [description=<text>]
            [options ...] [meta ...] [--force]
  [-f FILE] alert recipient update <recipient> [value=<value>] [description=<text>]
            [options ...] [meta ...] [--force]
  [-f FILE] alert recipient delete|remove <recipient>...
      Alert agents (Pacemaker's sample agents work unmodified) run on every node for node,
      fencing, resource and attribute events with Pacemaker's CRM_alert_* environment, each
      recipient in turn; meta options timeout (default 30s) and timestamp-format.

Options:
  --state-dir DIR         where tokens, pins and the local node's files are kept (default
                          $PULSE_STATE_DIR, else /var/lib/pulse)
  --all                   all nodes of the local node's cluster
  --force                 override a safety check
  --promoted              resource move|ban|clear of a promotable clone: only its Promoted role
                          (pcs resource move pg-clone n2 --promoted: a planned switchover)
  --request-timeout=<s>   how long to wait for each node's answer (default 5)
  --output-format=text|json|cmd
                          json for status corosync, quorum status, cluster cmap, cluster events,
                          status and constraint list; json and cmd (the pcs commands that
                          create them again) for resource config and stonith config
  -h, --help              show this help

Exit codes: 0 success, 1 error.
)";

int usageError(const std::string& message) {
  std::cerr << "Error: " << message << "\nUsage: see pcs --help\n";
  return 1;
}

// Overwrites every spelling of a password in argv with 'x's, so that ps and /proc/PID/cmdline
// never show it: -p X, -pX, -hpX, --password X, --password=X, and the abbreviations --pass X,
// --passw=X (which the parser refuses, but only after the process has been visible).
// Everything pcs parses is read from a copy made before this runs.
void scrubPasswordArguments(int argc, char** argv) {
  const auto blank = [](char* s) { std::memset(s, 'x', std::strlen(s)); };
  for (int i = 1; i < argc; ++i) {
    char* arg = argv[i];
    char* next = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg[0] != '-' || arg[1] == '\0') continue;
    if (arg[1] == '-') {
      char* eq = std::strchr(arg + 2, '=');
      const std::string_view name(
          arg + 2, eq != nullptr ? static_cast<std::size_t>(eq - arg - 2) : std::strlen(arg + 2));
      if (name.empty() || !std::string_view("password").starts_with(name)) continue;
      if (eq != nullptr) {
        blank(eq + 1);
      } else if (next != nullptr) {
        blank(next);
      }
      continue;
    }
    // Short options, possibly bundled: -h is a flag; -u and -f take the rest of the word (or
    // the next) as their value, so a 'p' after them is part of that value.
    for (char* c = arg + 1; *c == 'h' || *c == 'p'; ++c) {
      if (*c != 'p') continue;
      if (c[1] != '\0') {
        blank(c + 1);
      } else if (next != nullptr) {
        blank(next);
      }
      break;
    }
  }
}

// --NAME=<seconds>: nullopt when absent; --wait without a value means the command's default.
pulse::Result<std::optional<std::chrono::seconds>> secondsOption(const po::variables_map& vm,
                                                                 const char* name) {
  if (!vm.count(name)) return std::optional<std::chrono::seconds>{};
  const std::string text = vm[name].as<std::string>();
  if (text.empty()) return std::optional<std::chrono::seconds>{};
  long value = -1;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) {
    return pulse::Error{"'" + text + "' is not a valid --" + name +
                        " value, use a non-negative integer (seconds)"};
  }
  return std::optional<std::chrono::seconds>(value);
}

// The password of host auth and of host deauth -u: -p, else standard input or a prompt, read
// only when a host is trusted (host_commands.h).
PasswordSource passwordSource(const po::variables_map& vm) {
  if (vm.count("password")) {
    return [password = vm["password"].as<std::string>()]() -> pulse::Result<std::string> {
      return password;
    };
  }
  return [] { return pulse::crmd::readSecret("Password: ", /*confirm=*/false); };
}

// Without -u (and -p), pcs asks "Username: " on standard output and reads a line, on a terminal or
// not, so the transcripts in guides (Username: hacluster, then Password:) work as typed.
pulse::Result<std::string> promptUsername() {
  std::cout << "Username: " << std::flush;
  std::string line;
  if (!std::getline(std::cin, line))
    return pulse::Error{"no username given (end of input); use -u hacluster"};
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// pcs host auth, and pcs host deauth (with -u/-p: by password).
int hostAuth(const std::string& state_dir, const std::vector<std::string>& args,
             const po::variables_map& vm, bool deauth, std::chrono::seconds timeout) {
  auto targets = parseHostTargets(args);
  if (!targets) return usageError(targets.error().message);
  if (vm.count("fingerprint")) {
    // ssh-style pinning ahead for the usual one-host call; several hosts take fingerprint=
    // after each, since one value cannot be every host's certificate.
    if (targets->size() != 1) {
      return usageError(
          "--fingerprint pins one host; with several hosts give fingerprint= "
          "after each host name");
    }
    auto pinned = pulse::crmd::parseFingerprint(vm["fingerprint"].as<std::string>());
    if (!pinned) return usageError("--fingerprint: " + pinned.error().message);
    HostAuthTarget& target = targets->front();
    if (target.fingerprint && *target.fingerprint != *pinned) {
      return usageError("--fingerprint and fingerprint= name different certificates");
    }
    target.fingerprint = *pinned;
  }
  if (deauth && !vm.count("user") && !vm.count("password")) {
    for (const HostAuthTarget& t : *targets) {
      if (t.address != t.node || t.fingerprint) {
        return usageError("addr= and fingerprint= go with host deauth -u hacluster");
      }
    }
    return hostDeauthCommand(state_dir, *targets, timeout, "hacluster", nullptr);
  }
  if (targets->empty()) return usageError("host auth needs at least one host name");
  // Asked only when neither -u nor -p is given: `-p` alone has always meant hacluster here.
  auto username = vm.count("user") ? pulse::Result<std::string>(vm["user"].as<std::string>())
                  : deauth || vm.count("password") ? pulse::Result<std::string>("hacluster")
                                                   : promptUsername();
  if (!username) return usageError(username.error().message);
  if (*username != "hacluster") return usageError("the username must be hacluster");
  const PasswordSource password = passwordSource(vm);
  if (deauth) return hostDeauthCommand(state_dir, *targets, timeout, *username, &password);
  return hostAuthCommand(state_dir, *targets, *username, password);
}

// Runs the command named by the first words of `args` ("cluster start", "quorum status").
int dispatch(const std::vector<std::string>& args, const PcsOptions& options,
             const po::variables_map& vm) {
  const auto rest = [&args](std::size_t from) {
    return std::vector<std::string>(args.begin() + static_cast<long>(std::min(from, args.size())),
                                    args.end());
  };
  const std::string first = args.empty() ? "" : args[0];
  const std::string second = args.size() > 1 ? args[1] : "";
  const bool json_capable =
      (first == "status" && second == "corosync") || (first == "quorum" && second == "status") ||
      (first == "cluster" && second == "cmap") || (first == "cluster" && second == "events") ||
      (first == "cluster" && second == "config");
  if (options.json && !json_capable) {
    return usageError("Output format 'json' is not supported for this command");
  }
  // Options of one command are refused elsewhere rather than silently ignored.
  if (!options.inventory.empty() &&
      !(first == "cluster" && (second == "setup" || second == "check"))) {
    return usageError("--inventory goes with cluster setup and cluster check");
  }
  if (!options.corosync_conf.empty() && !(first == "cluster" && second == "config")) {
    return usageError("Specified option '--corosync_conf' is not supported in this command");
  }
  const bool events = first == "cluster" && second == "events";
  if ((options.since || !options.node.empty() || options.follow) && !events) {
    return usageError("--since, --node and --follow go with cluster events");
  }
  if (first == "host" && (second == "auth" || second == "deauth")) {
    return hostAuth(options.state_dir, rest(2), vm, second == "deauth", options.request_timeout);
  }
  if (first == "cluster") {
    if (second == "setup" && !options.inventory.empty()) {
      return clusterSetupInventory(options, rest(2));
    }
    if (second == "setup") return clusterSetup(options, rest(2));
    if (second == "check") return clusterCheck(options, rest(2));
    if (second == "events") return clusterEvents(options, rest(2));
    if (second == "start") return clusterStart(options, rest(2));
    if (second == "stop") return clusterStop(options, rest(2));
    if (second == "enable") return clusterEnable(options, rest(2), true);
    if (second == "disable") return clusterEnable(options, rest(2), false);
    if (second == "destroy") return clusterDestroy(options, rest(2));
    if (second == "corosync") return clusterCorosync(options, rest(2));
    if (second == "config") return clusterConfig(options, rest(2));
    if (second == "cmap") return clusterCmap(options, rest(2));
  }
  if (first == "status" && second == "corosync") return statusCorosync(options, rest(2));
  if (first == "quorum" && (second == "status" || second.empty())) {
    return quorumStatus(options, rest(2));
  }
  std::string command;
  for (const std::string& a : args) command += (command.empty() ? "" : " ") + a;
  return usageError("unknown command '" + command + "'");
}

// The CIB commands take pcs's flags anywhere (--group, --force, --disabled, ...), which
// parseEdit() reads itself; so they bypass program_options. Only -f FILE, --output-format and
// --full are taken out here. nullopt: not a CIB command. `argv`: without the program name.
std::optional<int> cibCommandLine(const std::vector<std::string>& argv) {
  const std::size_t argc = argv.size();
  CibCommandOptions options;
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_next = i + 1 < argc;
    if (arg == "-f" || arg == "--output-format" || arg == "--state-dir") {
      if (!has_next) return std::nullopt;  // program_options reports the missing value
      const std::string value = argv[++i];
      if (arg == "-f") options.file = value;
      if (arg == "--state-dir") options.state_dir = value;
      if (arg == "--output-format") options.json = value == "json";
      if (arg == "--output-format") options.cmd = value == "cmd";
      if (arg == "--output-format" && value != "json" && value != "text" && value != "cmd")
        return std::nullopt;
    } else if (arg.starts_with("-f") && !arg.starts_with("--")) {
      options.file = arg.substr(2);
    } else if (arg.starts_with("--output-format=")) {
      const std::string value = arg.substr(16);
      if (value != "json" && value != "text" && value != "cmd") return std::nullopt;
      options.json = value == "json";
      options.cmd = value == "cmd";
    } else if (arg.starts_with("--state-dir=")) {
      options.state_dir = arg.substr(12);
    } else if (arg == "--full") {
      options.full = true;
    } else {
      options.words.push_back(arg);
      if (!arg.starts_with("-")) positional.push_back(arg);
    }
  }
  if (!isCibCommand(positional)) return std::nullopt;
  if (options.state_dir.empty()) {
    const char* env = std::getenv("PULSE_STATE_DIR");
    options.state_dir = env != nullptr && *env != '\0' ? env : "/var/lib/pulse";
  }
  const char* root = std::getenv("OCF_ROOT");
  options.ocf_root = root != nullptr && *root != '\0' ? root : "/usr/lib/ocf";
  return cibCommand(options);
}

}  // namespace

int main(int argc, char** argv) {
  // A node that closes the connection while pcs writes to it (a crmd refusing a connection, or
  // stopping) is an error to report, not a reason for pcs to die silently with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  scrubPasswordArguments(argc, argv);
  if (auto rc = cibCommandLine(arguments)) return *rc;
  po::options_description options;
  options.add_options()("help,h", "")("version", "")("state-dir", po::value<std::string>(), "")(
      "user,u", po::value<std::string>(), "")("password,p", po::value<std::string>(), "")(
      "all", "")("force", "")("start", "")("enable", "")(
      "wait", po::value<std::string>()->implicit_value(""), "")("request-timeout",
                                                                po::value<std::string>(), "")(
      "output-format", po::value<std::string>(), "")("fingerprint", po::value<std::string>(), "")(
      "inventory", po::value<std::string>(), "")("since", po::value<std::string>(), "")(
      "node", po::value<std::string>(), "")("follow", "")(
      "corosync_conf", po::value<std::string>(), "")("args", po::value<std::vector<std::string>>(),
                                                     "");
  po::positional_options_description positional;
  positional.add("args", -1);
  po::variables_map vm;
  try {
    // No abbreviations (--pass for --password): an option is spelled out or refused, so that
    // what is a password on the command line is never a guess.
    po::store(
        po::command_line_parser(arguments)
            .options(options)
            .positional(positional)
            .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
            .run(),
        vm);
    po::notify(vm);
  } catch (const po::unknown_option& e) {
    // Its message would repeat the whole word, --passw=SECRET included.
    const std::string option = e.get_option_name();
    return usageError("unrecognised option '" + option.substr(0, option.find('=')) + "'");
  } catch (const po::error& e) {
    return usageError(e.what());
  }
  if (vm.count("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (vm.count("version")) {
    // pcs prints its own version; this is the pcs release whose spelling Pulse follows.
    std::cout << "0.11.5 (pulse)\n";
    return 0;
  }
  std::vector<std::string> args =
      vm.count("args") ? vm["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (args.empty()) {
    std::cerr << kUsage;
    return 1;
  }
  PcsOptions pcs;
  pcs.state_dir = "/var/lib/pulse";
  if (vm.count("state-dir")) {
    pcs.state_dir = vm["state-dir"].as<std::string>();
  } else if (const char* env = std::getenv("PULSE_STATE_DIR"); env != nullptr && *env != '\0') {
    pcs.state_dir = env;
  }
  pcs.all = vm.count("all") > 0;
  pcs.force = vm.count("force") > 0;
  pcs.start = vm.count("start") > 0;
  pcs.enable = vm.count("enable") > 0;
  if (vm.count("inventory")) pcs.inventory = vm["inventory"].as<std::string>();
  if (vm.count("since")) pcs.since = vm["since"].as<std::string>();
  if (vm.count("node")) pcs.node = vm["node"].as<std::string>();
  pcs.follow = vm.count("follow") > 0;
  if (vm.count("corosync_conf")) pcs.corosync_conf = vm["corosync_conf"].as<std::string>();
  if (vm.count("output-format")) {
    const std::string format = vm["output-format"].as<std::string>();
    // Only `cluster config` has cmd among the commands that get here (the CIB commands'
    // cmd output is cibCommandLine's).
    const bool cluster_config = args.size() >= 2 && args[0] == "cluster" && args[1] == "config";
    if (format != "text" && format != "json" && !(cluster_config && format == "cmd")) {
      return usageError("Unknown value '" + format + "' for '--output-format' option. " +
                        (cluster_config ? "Supported values are: 'cmd', 'json', 'text'"
                                        : "Supported values are: 'json', 'text'"));
    }
    pcs.json = format == "json";
    pcs.cmd = format == "cmd";
  }
  if (auto seconds = secondsOption(vm, "request-timeout"); !seconds) {
    return usageError(seconds.error().message);
  } else if (*seconds) {
    if (**seconds == std::chrono::seconds(0)) {
      return usageError("'0' is not a valid --request-timeout value, use a positive integer");
    }
    pcs.request_timeout = **seconds;
  }
  if (auto seconds = secondsOption(vm, "wait"); !seconds) {
    return usageError(seconds.error().message);
  } else {
    pcs.wait = *seconds;
  }
  return dispatch(args, pcs, vm);
}
