// crmd: the Pulse node daemon, one process for what corosync, pacemaker's daemons and pcsd do
// on a node: the admin API (TLS on port 2224, behind its own acceptor: admin_server.h) that
// pcs, the other nodes and the local tools call, and, while the node is in a started cluster
// (node_daemon.h), the membership and quorum, the replicated CIB, the executor of resource
// agents and fence agents, and on the DC the controller that runs the policy engine; with
// --watchdog-timeout it also feeds pulse-watchdog (watchdog_process.h).
//   crmd [--state-dir DIR] [--listen ADDR:PORT] [--name NODE] [--metrics-address ADDR:PORT|off]
//        [--check-resource NAME] [--check-address ADDR:PORT|off]  run in the foreground
//   crmd passwd [--revoke-tokens] [--state-dir DIR]             set the hacluster password
//   crmd fingerprint [--state-dir DIR]          the fingerprint pcs host auth shows and pins
//   crmd --version                              the Pulse release (PULSE_VERSION at build)
// Exit codes: 0 clean stop, 1 runtime error (state directory, files, address), 2 usage.
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/log.h"
#include "crmd/admin/admin_server.h"
#include "crmd/admin/auth_store.h"
#include "crmd/admin/status_socket.h"
#include "crmd/cib/parsed_cib.h"
#include "crmd/client/secret_input.h"
#include "crmd/client/secure_file.h"
#include "crmd/client/tls_identity.h"
#include "crmd/console/console.h"
#include "crmd/daemon/node_daemon.h"
#include "crmd/http/cib_view_cache.h"
#include "crmd/http/route_check.h"
#include "crmd/http/route_source.h"
#include "crmd/metrics/metrics_server.h"
#include "crmd/metrics/metrics_text.h"
#include "crmd/watchdog/watchdog_process.h"

namespace po = boost::program_options;
using namespace pulse::crmd;

namespace {

std::string defaultStateDir() {
  const char* env = std::getenv("PULSE_STATE_DIR");
  return env != nullptr && *env != '\0' ? env : "/var/lib/pulse";
}

std::string hostName() {
  char name[256] = "";
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// The node's certificate fingerprint, for an operator to compare with what `pcs host auth`
// shows (or to pin ahead with fingerprint=). Generates the identity when crmd never ran.
int runFingerprint(const std::string& state_dir) {
  if (pulse::Status s = ensureDirectory(state_dir); !s) {
    std::cerr << "crmd fingerprint: " << s.error().message << "\n";
    return 1;
  }
  auto identity = loadOrCreateTlsIdentity(state_dir);
  if (!identity) {
    std::cerr << "crmd fingerprint: " << identity.error().message << "\n";
    return 1;
  }
  std::cout << displayFingerprint(identity->fingerprint) << "\n";
  return 0;
}

// A running crmd sees the new password (and the emptied token list) at its next call.
int runPasswd(const std::string& state_dir, bool revoke_tokens) {
  std::string tightened;
  if (pulse::Status s = ensureDirectory(state_dir, &tightened); !s) {
    std::cerr << "crmd passwd: " << s.error().message << "\n";
    return 1;
  }
  if (!tightened.empty()) std::cerr << "crmd passwd: " << tightened << "\n";
  auto password = readSecret("Password for hacluster: ", /*confirm=*/true);
  if (!password) {
    std::cerr << "crmd passwd: " << password.error().message << "\n";
    return 1;
  }
  if (pulse::Status s = setHaclusterPassword(state_dir, *password); !s) {
    std::cerr << "crmd passwd: " << s.error().message << "\n";
    return 1;
  }
  std::cerr << "crmd passwd: hacluster password stored in " << state_dir << "\n";
  if (revoke_tokens) {
    auto revoked = revokeAllTokens(state_dir);
    if (!revoked) {
      std::cerr << "crmd passwd: " << revoked.error().message << "\n";
      return 1;
    }
    std::cerr << "crmd passwd: " << *revoked
              << " tokens revoked; run pcs host auth again where this node is managed from\n";
  }
  return 0;
}

// --watchdog-timeout / --self-fence-command (self_fence.h). timeout 0: no watchdog.
// --metrics-address: where /metrics listens; `explicit_address` when the operator chose it
// (then failing to listen stops crmd; the default only logs, so that a host where another
// program holds 9664, ha_cluster_exporter say, still runs its cluster).
struct MetricsOptions {
  metrics::ListenAddress address;
  bool explicit_address = false;
};

// --check-address / --check-resource: the route checks HAProxy asks (route_check.h). Off
// unless one of them is given; --check-resource alone listens on *:9201 (cmonHA's port).
struct CheckOptions {
  http::ListenAddress address{.off = true, .host = "", .port = 0};
  std::string resource;
};

// The facts behind /metrics, read on the metrics thread through the same thread-safe calls
// the admin API uses (NodeDaemon's snapshot and CIB read; bounded waits); the engine's view
// comes from the cache the route checks share.
std::string renderNodeMetrics(const NodeDaemon& cluster, http::CibViewCache& views) {
  metrics::MetricsFacts facts;
  facts.cluster = cluster.snapshot();
  if (facts.cluster.running) {
    if (auto cib = cluster.readCib(); cib) {
      facts.view = views.view(cib->cib.xml);
      facts.cib_xml = std::move(cib->cib.xml);
      facts.dc = cib->dc;
    }
  }
  facts.cib_parses = parseCount();
  facts.status_engine_runs = views.engineRuns();
  metrics::addRuntimeStats(metrics::runtimeStats(), facts);
  return metrics::renderMetrics(facts);
}

struct SelfFenceOptions {
  long timeout_ms = 0;
  std::optional<std::string> command;
};

// pulse-watchdog lives next to crmd (build/bin, or the install's sbin).
std::string watchdogPath() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (ec ? std::filesystem::path(".") : self.parent_path()) / "pulse-watchdog";
}

// The soft descriptor limit raised to the hard one (systemd's default soft limit is 1024), then
// the admin port's connection limits fitted to it, so that crmd never runs out of descriptors
// because of admin connections (connection_limits.h).
void fitDescriptorLimit(ConnectionLimits& limits) {
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) != 0) return;
  if (nofile.rlim_cur < nofile.rlim_max) {
    const rlim_t before = nofile.rlim_cur;
    nofile.rlim_cur = nofile.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &nofile) == 0) {
      logEvent("descriptor limit raised from " + std::to_string(before) + " to " +
               std::to_string(nofile.rlim_cur));
    } else {
      nofile.rlim_cur = before;
    }
  }
  const ConnectionLimits fitted = fitToDescriptors(limits, nofile.rlim_cur);
  if (fitted.total != limits.total || fitted.members_total != limits.members_total) {
    logEvent("descriptor limit " + std::to_string(nofile.rlim_cur) +
             " is low: admin port limited to " + std::to_string(fitted.total) +
             " connections from non-members and " + std::to_string(fitted.members_total) +
             " from members (raise LimitNOFILE)");
  }
  limits = fitted;
}

int runDaemon(AdminServerOptions options, NodeDaemonOptions cluster_options,
              const SelfFenceOptions& self_fence, const MetricsOptions& metrics_options,
              const CheckOptions& check_options) {
  // gRPC and the peer links run many threads; glibc would give each its own malloc arena, and
  // their partly used heaps add megabytes of RSS per daemon for nothing at this load.
  mallopt(M_ARENA_MAX, 2);
  // Block the stop signals before gRPC and the membership start their threads (they inherit
  // the mask), so that only sigwait below receives them and shutdown runs in ordinary thread
  // context.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::string tightened;
  if (pulse::Status s = ensureDirectory(options.state_dir, &tightened); !s) {
    logEvent("cannot start: " + s.error().message);
    return 1;
  }
  fitDescriptorLimit(options.limits);
  if (!tightened.empty()) logEvent(tightened);
  // Resource agents get it (agent_process.h), so that crm_attribute & co. find this node's
  // local-admin file. Set before any thread starts.
  setenv("PULSE_STATE_DIR", std::filesystem::absolute(options.state_dir).c_str(), 1);
  const std::string ocf_root = cluster_options.ocf_root;
  auto cluster = NodeDaemon::open(std::move(cluster_options));
  if (!cluster) {
    logEvent("cannot start: " + cluster.error().message);
    return 1;
  }
  // pcs on this node finds its own node's name (and so its token) here.
  if (pulse::Status s =
          writeFileAtomic(options.state_dir + "/node-name", options.node_name + "\n", 0644);
      !s) {
    logEvent("cannot start: " + s.error().message);
    return 1;
  }
  options.cluster = cluster->get();
  // The web console: browsers on the admin port (console.h). Declared before the server, so
  // it outlives the front that hands it connections. Not fatal: the admin API and the cluster
  // do not need it.
  auto console =
      console::Console::start({options.state_dir, options.node_name, ocf_root, "", cluster->get()});
  if (console) {
    options.browser = [console = console->get()](int fd, const std::string& peer) {
      console->adopt(fd, peer);
    };
  } else {
    logEvent("web console not served: " + console.error().message);
  }
  auto server = AdminServer::start(options);
  if (!server) {
    logEvent("cannot start: " + server.error().message);
    return 1;
  }
  const std::string listen = options.listen_address;
  const std::string host = listen.substr(0, listen.rfind(':'));
  logEvent("node " + options.node_name + " listening on " + host + ":" +
           std::to_string((*server)->port()) + " (TLS, certificate " +
           displayFingerprint((*server)->fingerprint()) + ")" +
           (console ? "; web console at https://" +
                          (host.empty() || host == "0.0.0.0" ? std::string("HOST") : host) + ":" +
                          std::to_string((*server)->port()) + "/"
                    : std::string()));
  // pcs status on this node reads it there in one call (status_socket.h); without it pcs
  // falls back to the admin API, so a failure here is logged, not fatal.
  auto status_socket = StatusSocket::start(localStatusPath(options.state_dir), options.node_name,
                                           options.version, *cluster->get());
  if (!status_socket) logEvent("status socket not served: " + status_socket.error().message);
  // The engine's view of this node's CIB, once per copy, for /metrics and the route checks.
  auto views = std::make_shared<http::CibViewCache>();
  std::unique_ptr<http::HttpServer> metrics_server;
  if (!metrics_options.address.off) {
    auto started = metrics::startMetricsServer(
        metrics_options.address,
        [cluster = cluster->get(), views] { return renderNodeMetrics(*cluster, *views); });
    if (started) {
      metrics_server = std::move(started).value();
      logEvent("metrics on http://" + metrics_server->endpoint() + "/metrics");
    } else if (metrics_options.explicit_address) {
      logEvent("cannot start: " + started.error().message);
      (*server)->shutdown();
      return 1;
    } else {
      logEvent("metrics not served: " + started.error().message +
               " (--metrics-address chooses another address, or off)");
    }
  }
  std::unique_ptr<http::HttpServer> check_server;
  if (!check_options.address.off) {
    // The source lives in the handler, so on the server's thread only (route_source.h).
    auto source = std::make_shared<http::RouteSource>(*cluster->get(), options.node_name, *views);
    auto started = http::HttpServer::start(
        check_options.address, "route checks",
        [source, resource = check_options.resource](const http::Request& request) {
          return http::routeReply(source->facts(), request.path, resource);
        },
        /*answer_options=*/true);
    if (!started) {
      // Asked for explicitly: HAProxy would route nowhere, so crmd does not run half-done.
      logEvent("cannot start: " + started.error().message);
      if (metrics_server) metrics_server->shutdown();
      (*server)->shutdown();
      return 1;
    }
    check_server = std::move(started).value();
    logEvent("route checks on http://" + check_server->endpoint() +
             (check_options.resource.empty() ? std::string("/resource/NAME")
                                             : "/leader for " + check_options.resource));
  }
  if ((*cluster)->enabled()) {
    // A node that cannot join (say, its address is gone) still serves the admin API, so
    // that an operator can look and repair.
    if (auto started = (*cluster)->start(); !started) {
      logEvent("cluster enabled but not started: " + started.error().message);
    }
  } else if ((*cluster)->configured()) {
    logEvent("cluster configured but not enabled: waiting for pcs cluster start");
  }
  std::unique_ptr<WatchdogProcess> watchdog;
  if (self_fence.timeout_ms > 0) {
    WatchdogOptions watchdog_options;
    watchdog_options.watchdog_path = watchdogPath();
    watchdog_options.timeout = std::chrono::milliseconds(self_fence.timeout_ms);
    watchdog_options.command = self_fence.command;
    watchdog_options.contact = [cluster = cluster->get()] { return cluster->quorumContact(); };
    auto started = WatchdogProcess::start(std::move(watchdog_options));
    if (!started) {
      logEvent("cannot start: " + started.error().message);
      if (check_server) check_server->shutdown();
      if (metrics_server) metrics_server->shutdown();
      (*server)->shutdown();
      (*cluster)->stop();
      return 1;
    }
    watchdog = std::move(started).value();
    logEvent("watchdog self-fencing armed: pulse-watchdog pid " + std::to_string(watchdog->pid()) +
             ", timeout " + std::to_string(self_fence.timeout_ms) + " ms");
  }
  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) != 0) {
  }
  if (watchdog) watchdog->disarm();
  logEvent(std::string("received ") + (signal_number == SIGTERM ? "SIGTERM" : "SIGINT") +
           ", shutting down");
  // The cluster first: leaving gracefully needs the peer port open (the DC's record of this
  // node's shutdown and the moves of its resources reach it there); without it the DC cannot
  // confirm the record, and would fence the node that left "unannounced".
  if (check_server) check_server->shutdown();
  if (metrics_server) metrics_server->shutdown();
  (*cluster)->stop();
  (*server)->shutdown();
  logEvent("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const ConnectionLimits defaults;
  const std::string member_help =
      "admin port: open connections reserved for cluster members and loopback (at most " +
      std::to_string(defaults.per_member) + " per member)";
  po::options_description options("Options");
  options.add_options()("help,h", "show this help")("version", "print the Pulse release")(
      "state-dir", po::value<std::string>(),
      "state directory (default $PULSE_STATE_DIR, else /var/lib/pulse)")(
      "listen", po::value<std::string>()->default_value("0.0.0.0:2224"),
      "admin API address (TLS), ADDR:PORT")("name", po::value<std::string>(),
                                            "this node's name (default: the host name)")(
      "ocf-root", po::value<std::string>(),
      "where OCF resource agents live (default $OCF_ROOT, else /usr/lib/ocf)")(
      "fence-agent-path", po::value<std::string>(),
      "directories searched for fence agents, separated by ':' (default "
      "$PULSE_FENCE_AGENT_DIRS, else /usr/sbin; pcs uses the same variable)")(
      "watchdog-timeout", po::value<long>()->default_value(0),
      "watchdog self-fencing: self-fence MS after losing quorum contact or when crmd dies "
      "(0: off; must exceed the 100 ms pet interval)")(
      "token-lifetime", po::value<long>()->default_value(0),
      "seconds a token from pcs host auth stays valid (0: no expiry); an expired token is "
      "refused with a message to run pcs host auth again")(
      "revoke-tokens", "with passwd: also revoke every token this node issued")(
      "self-fence-command", po::value<std::string>(),
      "what the watchdog runs to self-fence (default: reboot via /proc/sysrq-trigger, refused "
      "in test namespaces and when PULSE_TEST is set)")(
      "max-connections-per-source", po::value<std::size_t>()->default_value(defaults.per_source),
      "admin port: open connections from one address that is not a cluster member")(
      "max-connections", po::value<std::size_t>()->default_value(defaults.total),
      "admin port: open connections from all addresses that are not cluster members")(
      "max-member-connections", po::value<std::size_t>()->default_value(defaults.members_total),
      member_help.c_str())(
      "metrics-address", po::value<std::string>()->default_value("*:9664"),
      "Prometheus /metrics over plain HTTP (ha_cluster_exporter's names): ADDR:PORT, "
      "[IPV6]:PORT, *:PORT for every address, or off")(
      "check-resource", po::value<std::string>(),
      "route checks for HAProxy (option httpchk GET /leader): answer 200 on /, /leader, "
      "/primary where resource NAME is active (a promotable clone: promoted), else 503; also "
      "/replica, /read-only, /health and /resource/NAME[/primary|/replica] for any resource")(
      "check-address", po::value<std::string>(),
      "where the route checks listen: ADDR:PORT, [IPV6]:PORT, *:PORT or off (default: *:9201 "
      "when --check-resource is given, else off)")(
      "handshake-timeout", po::value<long>()->default_value(defaults.handshake_timeout.count()),
      "admin port: milliseconds a client has to finish its TLS handshake");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("command", -1);
  po::variables_map vm;
  try {
    // Options are spelled out: no abbreviations (as pcs; see pcs_main.cc).
    po::store(
        po::command_line_parser(argc, argv)
            .options(all)
            .positional(positional)
            .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
            .run(),
        vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "crmd: " << e.what() << "\nTry crmd --help.\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "Usage: crmd [OPTIONS]          run the node daemon in the foreground\n"
                 "       crmd passwd [--revoke-tokens] [--state-dir DIR]\n"
                 "                               set the hacluster password (read from stdin\n"
                 "                               when it is not a terminal, else prompted);\n"
                 "                               a running crmd uses it from its next call\n"
                 "       crmd fingerprint [--state-dir DIR]\n"
                 "                               print the node's certificate fingerprint\n\n"
              << options << "\nStops cleanly on SIGTERM or SIGINT.\n";
    return 0;
  }
  if (vm.count("version")) {
    std::cout << PULSE_VERSION << "\n";
    return 0;
  }
  const std::vector<std::string> command = vm.count("command")
                                               ? vm["command"].as<std::vector<std::string>>()
                                               : std::vector<std::string>{};
  const std::string state_dir =
      vm.count("state-dir") ? vm["state-dir"].as<std::string>() : defaultStateDir();
  if (command == std::vector<std::string>{"passwd"}) {
    return runPasswd(state_dir, vm.count("revoke-tokens") > 0);
  }
  if (vm.count("revoke-tokens")) {
    std::cerr << "crmd: --revoke-tokens goes with crmd passwd\nTry crmd --help.\n";
    return 2;
  }
  if (command == std::vector<std::string>{"fingerprint"}) return runFingerprint(state_dir);
  if (!command.empty()) {
    std::cerr << "crmd: unknown command '" << command.front() << "'\nTry crmd --help.\n";
    return 2;
  }
  AdminServerOptions server_options{state_dir, vm["listen"].as<std::string>(),
                                    vm.count("name") ? vm["name"].as<std::string>() : hostName()};
  server_options.version = PULSE_VERSION;
  ConnectionLimits& limits = server_options.limits;
  limits.per_source = vm["max-connections-per-source"].as<std::size_t>();
  limits.total = vm["max-connections"].as<std::size_t>();
  limits.members_total = vm["max-member-connections"].as<std::size_t>();
  limits.per_member = std::min(limits.per_member, limits.members_total);
  limits.handshake_timeout = std::chrono::milliseconds(vm["handshake-timeout"].as<long>());
  if (limits.per_source == 0 || limits.total == 0 || limits.members_total == 0 ||
      limits.handshake_timeout.count() <= 0) {
    std::cerr << "crmd: the admin port's connection limits and handshake timeout must be "
                 "positive\n";
    return 2;
  }
  if (vm["token-lifetime"].as<long>() < 0) {
    std::cerr << "crmd: --token-lifetime must be 0 (no expiry) or a number of seconds\n";
    return 2;
  }
  server_options.token_lifetime = std::chrono::seconds(vm["token-lifetime"].as<long>());
  NodeDaemonOptions cluster_options{state_dir, server_options.node_name};
  if (vm.count("ocf-root")) {
    cluster_options.ocf_root = vm["ocf-root"].as<std::string>();
  } else if (const char* env = std::getenv("OCF_ROOT"); env != nullptr && *env != '\0') {
    cluster_options.ocf_root = env;
  }
  cluster_options.fence_agent_dirs.clear();
  const char* env_dirs = std::getenv("PULSE_FENCE_AGENT_DIRS");
  std::stringstream dirs(vm.count("fence-agent-path") ? vm["fence-agent-path"].as<std::string>()
                         : env_dirs != nullptr && *env_dirs != '\0' ? std::string(env_dirs)
                                                                    : std::string("/usr/sbin"));
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty()) cluster_options.fence_agent_dirs.push_back(dir);
  }
  SelfFenceOptions self_fence{vm["watchdog-timeout"].as<long>(), std::nullopt};
  if (self_fence.timeout_ms < 0) {
    std::cerr << "crmd: --watchdog-timeout must be 0 (off) or a number of milliseconds\n";
    return 2;
  }
  if (vm.count("self-fence-command")) {
    self_fence.command = vm["self-fence-command"].as<std::string>();
  }
  cluster_options.watchdog_armed = self_fence.timeout_ms > 0;
  MetricsOptions metrics_options;
  auto metrics_address = metrics::parseListenAddress(vm["metrics-address"].as<std::string>());
  if (!metrics_address) {
    std::cerr << "crmd: " << metrics_address.error().message << "\n";
    return 2;
  }
  metrics_options.address = *metrics_address;
  metrics_options.explicit_address = !vm["metrics-address"].defaulted();
  CheckOptions check_options;
  if (vm.count("check-resource")) {
    check_options.resource = vm["check-resource"].as<std::string>();
    if (!http::plausibleResourceName(check_options.resource)) {
      std::cerr << "crmd: --check-resource '" << check_options.resource
                << "': not a resource id (letters, digits, _ . : -)\n";
      return 2;
    }
    check_options.address = {.off = false, .host = "", .port = http::kCheckPort};
  }
  if (vm.count("check-address")) {
    auto check_address =
        http::parseListenAddress(vm["check-address"].as<std::string>(), "--check-address");
    if (!check_address) {
      std::cerr << "crmd: " << check_address.error().message << "\n";
      return 2;
    }
    check_options.address = *check_address;
  }
  return runDaemon(server_options, cluster_options, self_fence, metrics_options, check_options);
}
