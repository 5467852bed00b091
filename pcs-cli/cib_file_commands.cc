#include "pcs-cli/cib_file_commands.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <iterator>
#include <optional>
#include <variant>

#include "crmd/client/secure_file.h"
#include "pcs-cli/acl_commands.h"
#include "pcs-cli/agent_commands.h"
#include "pcs-cli/cib_edit.h"
#include "pcs-cli/cluster_commands.h"
#include "pcs-cli/edit_context.h"
#include "pcs-cli/event_log.h"
#include "pcs-cli/live_cib.h"
#include "pcs-cli/local_status.h"
#include "pcs-cli/node_client.h"
#include "pcs-cli/resource_cleanup.h"
#include "pcs-cli/resource_delete.h"
#include "pcs-cli/resource_move.h"
#include "pcs-cli/resource_promote.h"
#include "pcs-cli/resource_restart.h"
#include "pcs-cli/resource_why.h"
#include "pcs-cli/status_commands.h"
#include "pcs-cli/status_failures.h"
#include "pcs-cli/status_output.h"
#include "pcs-cli/status_source.h"
#include "pcs-cli/status_watch.h"
#include "pcs-cli/stonith_commands.h"
#include "pcs-cli/stonith_history.h"
#include "pcs-cli/wait_idle.h"
#include "policy-engine/cib_config.h"
#include "policy-engine/policy_engine.h"

namespace pulse::pcs {
namespace {

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

// Replaces the file, keeping its permission bits (a CIB file may be private).
Status writeBack(const std::string& path, const std::string& content) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Error{"Unable to stat " + path};
  return crmd::writeFileAtomic(path, content, st.st_mode & 07777);
}

int printResult(const Result<std::string>& text) {
  if (!text.ok()) return fail(text.error().message);
  std::cout << *text;
  return 0;
}

// What pcs status prints for `input` (text, or JSON with --output-format=json).
Result<std::string> statusText(const CibCommandOptions& options, const StatusInput& input) {
  // One parse serves the engine, the cluster name, the failures and the history.
  pugi::xml_document doc;
  doc.load_buffer(input.cib_xml.data(), input.cib_xml.size());
  auto built = buildStatus(doc, input);
  if (!built.ok()) return built.error();
  if (options.json) return statusJson(*built);
  std::string text = formatStatus(*built);
  if (options.full) {
    // crm_mon --show-detail: the history goes before "Daemon Status", after the failures.
    const std::string history = operationHistory(doc.child("cib"));
    const std::size_t daemon = text.find("\nDaemon Status:");
    text.insert(daemon == std::string::npos ? text.size() : daemon, history);
  }
  // crm_mon's fencing sections come last (pcs --full: --fence-history=3).
  const std::size_t daemon = text.find("\nDaemon Status:");
  text.insert(daemon == std::string::npos ? text.size() : daemon,
              fencingStatusSections(doc.child("cib"), options.full));
  return text;
}

int status(const CibCommandOptions& options, const std::string& cib,
           const std::optional<LiveFacts>& live = std::nullopt) {
  return printResult(statusText(options, StatusInput{cib, live, options.file}));
}

// `pcs status --watch`: crm_mon's default mode, the status redrawn whenever it changes.
int watchStatusCommand(const CibCommandOptions& options) {
  const auto read = [&]() -> Result<StatusInput> {
    if (!options.file.empty()) return readFileInput(options.file);
    return readLiveInput(options.state_dir, std::chrono::seconds(5));
  };
  return watchStatus(
      read, [&](const StatusInput& input) { return statusText(options, input); },
      options.file.empty() ? kLivePoll : kFilePoll);
}

// `pcs stonith status`: the stonith primitives as crm_mon shows them, then (`levels`: no
// argument given) the fencing levels.
int stonithStatus(const std::string& cib, bool levels) {
  auto transition = pe::schedule(cib);
  if (!transition.ok()) return fail(transition.error().message);
  bool any = false;
  for (const pe::ResourceView& r : transition->current.resources) {
    if (!r.agent.starts_with("stonith:")) continue;
    any = true;
    std::cout << "  * " << r.id << "\t(" << r.agent << "):\t ";
    if (r.nodes.empty()) {
      std::cout << "Stopped" << (r.disabled ? " (disabled)" : "");
    } else {
      std::cout << (r.failed ? "FAILED " : "Started ") << r.nodes.front();
    }
    std::cout << "\n";
  }
  if (!any) std::cout << "NO stonith devices configured\n";
  if (levels) std::cout << fencingLevelsSection(cib);
  return 0;
}

// pcs's deprecation warnings for the command's spelling, before it runs.
void printWarnings(const Edit& edit) {
  for (const std::string& warning : editWarnings(edit)) std::cerr << warning << "\n";
}

constexpr char kResourceWhyHelp[] = R"(Usage: pcs [-f FILE] resource why <resource id> [<node>]
    Say why the resource runs where it does, or does not run (on <node>): Pacemaker's line
    ("Resource X is not running"), where this transition places it, then one line per reason
    the policy engine recorded: location constraints (id and score), colocations (id, score
    and where the other resource is), resource-stickiness, the fail count against
    migration-threshold (and failure-timeout), the node's state (offline, unclean, standby,
    maintenance, health), tickets not granted (rsc_ticket id, loss-policy), utilization
    short of capacity, no quorum (no-quorum-policy), target-role=Stopped, is-managed=false,
    a mandatory colocation or order with a resource that cannot run, a missing promotion
    score; and each node's final score. Works on the live CIB, or on FILE with -f.
    crm_resource --why -r <resource id> [-N <node>] prints the same.
)";

// The read-only commands: the CIB shown, nothing written.
enum class View {
  kNone,  // an edit
  kStatus,
  kConstraints,
  kConstraintRef,
  kProperties,
  kResourceConfig,
  kStonithConfig,
  kStonithStatus,
  kStonithLevels,
  kStonithLevelVerify,
  kAlertConfig,
  kResourceWhy
};

// `json`: --output-format=json, where resource/stonith config take any number of ids (text
// output takes at most one).
View viewOf(const std::vector<std::string>& a, bool json) {
  const std::string sub = a.size() > 1 ? a[1] : "";
  if (a[0] == "status") return View::kStatus;
  if (a[0] == "constraint" && (sub.empty() || sub == "list" || sub == "config")) {
    return View::kConstraints;
  }
  if (a[0] == "constraint" && sub == "ref" && a.size() > 2) return View::kConstraintRef;
  if (a[0] == "property" && (sub.empty() || sub == "config" || sub == "list")) {
    return View::kProperties;
  }
  if (a[0] == "resource" && sub == "config" && (json || a.size() <= 3)) {
    return View::kResourceConfig;
  }
  if (a[0] == "resource" && sub == "why") return View::kResourceWhy;
  if (a[0] == "stonith" && (sub.empty() || sub == "config") && (json || a.size() <= 3)) {
    return View::kStonithConfig;
  }
  if (a[0] == "stonith" && sub == "status") return View::kStonithStatus;
  if (a[0] == "stonith" && sub == "level" && (a.size() == 2 || (a.size() == 3 && a[2] == "config")))
    return View::kStonithLevels;
  if (a[0] == "stonith" && sub == "level" && a.size() == 3 && a[2] == "verify")
    return View::kStonithLevelVerify;
  if (a[0] == "alert" && (sub.empty() || sub == "config" || sub == "show") && a.size() <= 2) {
    return View::kAlertConfig;
  }
  return View::kNone;
}

// resource/stonith config in JSON or as commands: the warnings for unknown ids go to stderr,
// as pcs's do.
int configJson(const std::string& cib, bool stonith, const std::vector<std::string>& ids,
               bool cmd = false) {
  std::vector<std::string> warnings;
  auto json = cmd ? resourcesConfigCmd(cib, stonith, ids, warnings)
                  : resourcesConfigJson(cib, stonith, ids, warnings);
  for (const std::string& w : warnings) std::cerr << "Warning: " << w << "\n";
  return printResult(json);
}

int show(View kind, const CibCommandOptions& options, const std::vector<std::string>& a,
         const std::string& cib, const std::optional<LiveFacts>& live = std::nullopt) {
  switch (kind) {
    case View::kStatus:
      return status(options, cib, live);
    case View::kConstraints:
      if (options.json) return printResult(constraintListJson(cib));
      return printResult(constraintList(cib, options.full));
    case View::kConstraintRef:
      return printResult(constraintRef(cib, {a.begin() + 2, a.end()}));
    case View::kProperties:
      return printResult(propertyConfig(cib));
    case View::kResourceConfig:
      if (options.json || options.cmd)
        return configJson(cib, false, {a.begin() + 2, a.end()}, options.cmd);
      return printResult(resourceConfig(cib, a.size() == 3 ? a[2] : ""));
    case View::kStonithConfig:
      if (options.json || options.cmd) {
        // pcs 0.11 says so on every stonith config in JSON or cmd, levels or not.
        std::cerr << "Warning: Only 'text' output format is supported for stonith levels\n";
        return configJson(cib, true, {a.begin() + std::min<std::size_t>(a.size(), 2), a.end()},
                          options.cmd);
      }
      return printResult(stonithConfig(cib, a.size() == 3 ? a[2] : ""));
    case View::kAlertConfig:
      return printResult(alertConfig(cib));
    case View::kStonithStatus:
      return stonithStatus(cib, a.size() == 2);
    case View::kStonithLevels:
      return printResult(stonithLevelConfig(cib));
    case View::kStonithLevelVerify:
      return printResult(stonithLevelVerify(cib));
    case View::kResourceWhy:
      if (a.size() < 3 || a.size() > 4) {
        return fail("invalid usage of 'pcs resource why', see pcs resource why --help");
      }
      return printResult(resourceWhy(cib, a[2], a.size() == 4 ? a[3] : "", std::time(nullptr)));
    case View::kNone:
      break;
  }
  return fail("internal error: not a view");
}

Result<LiveFacts> sessionFacts(NodeSession& session, const std::string& dc,
                               const peer::CibVersion& version) {
  auto st = session.clusterStatus();
  if (!st.ok()) return st.error();
  return liveFacts(*st, dc, version);
}

// A copy a read-only command may show without asking the DC: one holding every acknowledged
// write, or any copy when there is no DC (no quorum: the node's copy is all there is).
bool showable(const admin::CibGetReply& copy) { return copy.current() || copy.dc() == 0; }

// A view answered from this node's own copy, as crm_mon reads its local CIB: when the copy holds
// every acknowledged write (so pcs shows what it just wrote), or when the node has no quorum (then
// its copy is all there is). No DC is asked, so a frozen or unreachable DC cannot hold `pcs
// status` up. nullopt: the local node cannot answer that way (the caller asks the DC).
std::optional<int> showLocalCopy(View kind, const CibCommandOptions& options,
                                 const std::vector<std::string>& a, const PcsOptions& pcs) {
  // One read of the status socket answers it all; the admin API below serves a crmd without
  // that socket (an older release) or a pcs that cannot reach it.
  if (auto here = readLocalStatus(pcs.state_dir, pcs.request_timeout)) {
    if (!here->has_cib() || !showable(here->cib())) return std::nullopt;
    const admin::CibGetReply& copy = here->cib();
    std::optional<LiveFacts> facts;
    if (kind == View::kStatus) {
      facts =
          liveFacts(here->status(), copy.dc() != 0 ? copy.dc_name() : "", copy.stamp().version());
    }
    return show(kind, options, a, copy.xml(), facts);
  }
  auto local = localNodeName(pcs);
  if (!local.ok()) return std::nullopt;
  auto session = connectNode(pcs, *local);
  if (!session.ok()) return std::nullopt;
  auto copy = session->cibGet();
  if (!copy.ok() || !showable(*copy)) return std::nullopt;
  std::optional<LiveFacts> facts;
  if (kind == View::kStatus) {
    auto f =
        sessionFacts(*session, copy->dc() != 0 ? copy->dc_name() : "", copy->stamp().version());
    if (!f.ok()) return std::nullopt;
    facts = *f;
  }
  return show(kind, options, a, copy->xml(), facts);
}

bool jsonCapable(const std::vector<std::string>& a) {
  const std::string sub = a.size() > 1 ? a[1] : "";
  return a[0] == "status" || (a[0] == "stonith" && (sub.empty() || sub == "config")) ||
         (a[0] == "resource" && sub == "config") ||
         (a[0] == "constraint" && (sub.empty() || sub == "list" || sub == "config"));
}

}  // namespace

namespace {

// The resource whose placement --wait reports after `edit`; "" for none (node standby).
std::string waitedResource(const Edit& edit) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, GroupAdd>) {
          return e.group;
        } else if constexpr (std::is_same_v<T, ResourceCreate> ||
                             std::is_same_v<T, ResourceDelete> ||
                             std::is_same_v<T, ResourceEnable> || std::is_same_v<T, ResourceMove> ||
                             std::is_same_v<T, ResourceBan> || std::is_same_v<T, ResourceClear>) {
          return e.id;
        } else {
          return "";
        }
      },
      edit);
}

// The edits pcs 0.11 accepts --wait on.
bool waitable(const Edit& edit) {
  return !std::holds_alternative<ResourceUpdate>(edit) &&
         !std::holds_alternative<ResourceMeta>(edit) &&
         !std::holds_alternative<ResourceOpAdd>(edit) &&
         !std::holds_alternative<LocationPrefers>(edit) &&
         !std::holds_alternative<LocationAdd>(edit) &&
         !std::holds_alternative<ColocationAdd>(edit) && !std::holds_alternative<OrderAdd>(edit) &&
         !std::holds_alternative<ConstraintDelete>(edit) &&
         !std::holds_alternative<PropertySet>(edit) &&
         !std::holds_alternative<DefaultsUpdate>(edit) &&
         !std::holds_alternative<NvSetUpdate>(edit) &&
         !std::holds_alternative<LocationRule>(edit) &&
         !std::holds_alternative<SetConstraint>(edit) && !std::holds_alternative<TicketAdd>(edit) &&
         !std::holds_alternative<TicketDelete>(edit) && !std::holds_alternative<TagCreate>(edit) &&
         !std::holds_alternative<TagDelete>(edit) && !std::holds_alternative<TagUpdate>(edit) &&
         !std::holds_alternative<OpDelete>(edit) && !std::holds_alternative<AlertEdit>(edit) &&
         !std::holds_alternative<AlertDelete>(edit) &&
         !std::holds_alternative<FencingLevelAdd>(edit) &&
         !std::holds_alternative<FencingLevelRemove>(edit);
}

// One read-edit-write on the live CIB, redone (up to 3 times) when another write got there first.
Result<LiveEditResult> liveEdit(const PcsOptions& pcs, const std::string& ocf_root,
                                const Edit& edit) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto cib = LiveCib::read(pcs);
    if (!cib.ok()) return cib.error();
    auto context = contextFor(edit, cib->xml(), ocf_root);
    if (!context.ok()) return context.error();
    auto edited = applyEdit(cib->xml(), edit, *context);
    if (!edited.ok()) return edited.error();
    auto written = cib->write(*edited);
    if (!written.ok()) return written.error();
    if (!written->stale) return LiveEditResult{cib->xml(), *edited, written->written};
  }
  return Error{"the CIB kept changing while pcs was editing it (3 attempts); try again"};
}

// The command on the live CIB (see the header).
int liveCommand(const CibCommandOptions& options, const std::vector<std::string>& a,
                std::optional<std::chrono::seconds> wait) {
  PcsOptions pcs;
  pcs.state_dir = options.state_dir;
  if (a[0] == "resource" && a.size() > 1 && a[1] == "move") {
    auto edit = parseEdit(options.words);
    if (!edit.ok()) return fail(edit.error().message);
    return moveResource(
        pcs, std::get<ResourceMove>(*edit),
        [&](const Edit& e) { return liveEdit(pcs, options.ocf_root, e); },
        wait.value_or(kDefaultWait));
  }
  if (a[0] == "resource" && a.size() == 3 && (a[1] == "delete" || a[1] == "remove")) {
    const bool force =
        std::find(options.words.begin(), options.words.end(), "--force") != options.words.end();
    return deleteResource(
        pcs, a[2], force, [&](const Edit& e) { return liveEdit(pcs, options.ocf_root, e); },
        wait.value_or(kDefaultWait));
  }
  if (a[0] == "resource" && a.size() > 1 && a[1] == "restart") {
    if (a.size() < 3 || a.size() > 4) {
      return fail("invalid usage of 'pcs resource restart', see pcs resource restart --help");
    }
    return restartResource(
        pcs, a[2], a.size() == 4 ? a[3] : "",
        [&](const Edit& e) { return liveEdit(pcs, options.ocf_root, e); },
        wait.value_or(kDefaultWait));
  }
  if (const View kind = viewOf(a, options.json || options.cmd); kind != View::kNone) {
    if (auto shown = showLocalCopy(kind, options, a, pcs)) return *shown;
  }
  std::optional<Result<Edit>> edit;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto cib = LiveCib::read(pcs);
    if (!cib.ok()) return fail(cib.error().message);
    if (const View kind = viewOf(a, options.json || options.cmd); kind != View::kNone) {
      std::optional<LiveFacts> facts;
      if (kind == View::kStatus) {
        // The local node's view of the membership; the DC's when the local crmd is down. On the
        // DC itself, the session that read the CIB answers (one connection, not two).
        std::optional<NodeSession> here;
        if (auto local = localNodeName(pcs); local.ok() && *local != cib->dcName()) {
          if (auto session = connectNode(pcs, *local); session.ok())
            here.emplace(std::move(*session));
        }
        auto f = here ? sessionFacts(*here, cib->dcName(), cib->version())
                      : Result<LiveFacts>(Error{"no local crmd"});
        if (!f.ok()) f = sessionFacts(cib->dcSession(), cib->dcName(), cib->version());
        if (f.ok()) facts = *f;
      }
      return show(kind, options, a, cib->xml(), facts);
    }
    if (!edit) {
      edit = parseEdit(options.words);
      if (edit->ok()) printWarnings(**edit);
    }
    if (!edit->ok()) return fail(edit->error().message);
    if (wait && !waitable(**edit)) {
      return fail("Specified option '--wait' is not supported in this command");
    }
    auto context = contextFor(**edit, cib->xml(), options.ocf_root);
    if (!context.ok()) return fail(context.error().message);
    auto edited = applyEdit(cib->xml(), **edit, *context);
    if (!edited.ok()) return fail(edited.error().message);
    auto written = cib->write(*edited);
    if (!written.ok()) return fail(written.error().message);
    if (written->stale) continue;
    std::cerr << placementReport(**edit, *context, cib->xml(), *edited);
    if (!wait) return 0;
    auto idle = waitForIdle(pcs, written->written, *wait);
    if (!idle.ok()) return fail(idle.error().message);
    if (const std::string rsc = waitedResource(**edit); !rsc.empty()) {
      std::cout << resourceLocation(*idle, rsc) << "\n";
    }
    return 0;
  }
  return fail("the CIB kept changing while pcs was editing it (3 attempts); try again");
}

}  // namespace

bool isCibCommand(const std::vector<std::string>& positional) {
  if (positional.empty()) return false;
  const std::string& first = positional[0];
  if (first == "status") return positional.size() < 2 || positional[1] != "corosync";
  if (first == "cluster")
    return positional.size() > 1 && (positional[1] == "cib" || positional[1] == "cib-push");
  return first == "resource" || first == "constraint" || first == "property" || first == "node" ||
         first == "stonith" || first == "tag" || first == "alert" || first == "acl";
}

int cibCommand(const CibCommandOptions& given) {
  CibCommandOptions options = given;
  const auto first_word = std::find_if(options.words.begin(), options.words.end(),
                                       [](const std::string& w) { return !w.starts_with("-"); });
  if (first_word != options.words.end() && *first_word == "cluster") {
    // cluster cib [FILE] / cluster cib-push FILE ...: the other words, flags included.
    PcsOptions pcs;
    pcs.state_dir = options.state_dir;
    if (options.json || options.cmd)
      return fail("Specified option '--output-format' is not supported in this command");
    // isCibCommand: a second word (cib or cib-push) follows.
    const auto second = std::find_if(first_word + 1, options.words.end(),
                                     [](const std::string& w) { return !w.starts_with("-"); });
    const bool push = *second == "cib-push";
    std::vector<std::string> rest;
    for (auto w = options.words.begin(); w != options.words.end(); ++w)
      if (w != first_word && w != second) rest.push_back(*w);
    if (!push) return clusterCib(pcs, options.file, rest);
    return clusterCibPush(pcs, options.file, rest);
  }
  auto wait = takeWaitFlag(options.words);
  if (!wait.ok()) return fail(wait.error().message);
  if (*wait && !options.file.empty()) return fail("Cannot use '-f' together with '--wait'");
  // The command words without flags pick the command; parseEdit() reads the flags itself.
  std::vector<std::string> a;
  std::copy_if(options.words.begin(), options.words.end(), std::back_inserter(a),
               [](const std::string& w) { return !w.starts_with("-"); });
  if (a.empty()) return fail("no command");
  // pcs 0.11 prints the creating commands for resource and stonith config only.
  if (options.cmd && !(a.size() > 1 && a[0] == "resource" && a[1] == "config") &&
      !(a[0] == "stonith" && (a.size() == 1 || a[1] == "config"))) {
    return fail("Specified option '--output-format' is not supported in this command");
  }
  if (a[0] == "resource" && a.size() > 1 &&
      (a[1] == "agents" || a[1] == "describe" || a[1] == "standards")) {
    if (options.json) return fail("Output format 'json' is not supported for this command");
    if (a[1] == "agents") return resourceAgents(options.ocf_root, {a.begin() + 2, a.end()});
    if (a[1] == "standards") return resourceStandards({a.begin() + 2, a.end()});
    return resourceDescribe(options.ocf_root, {a.begin() + 2, a.end()});
  }
  if (a[0] == "stonith" && a.size() > 1 && (a[1] == "list" || a[1] == "fence")) {
    if (options.json) return fail("Output format 'json' is not supported for this command");
    if (a[1] == "list") return stonithList({a.begin() + 2, a.end()});
    if (a.size() != 3)
      return fail("invalid usage of 'pcs stonith fence', see pcs stonith fence --help");
    for (const std::string& w : options.words) {
      if (w.starts_with("-") && w != "--off") return fail("unknown option '" + w + "'");
    }
    if (!options.file.empty()) return fail("pcs stonith fence does not work with -f");
    PcsOptions pcs;
    pcs.state_dir = options.state_dir;
    const bool off =
        std::find(options.words.begin(), options.words.end(), "--off") != options.words.end();
    return stonithFence(pcs, a[2], off);
  }
  if (a[0] == "stonith" && a.size() > 1 && a[1] == "history")
    return stonithHistoryCommand(options, a);
  if (a[0] == "resource" && a.size() > 1 && a[1] == "why") {
    for (const std::string& w : options.words) {
      if (w == "--help" || w == "-h") {
        std::cout << kResourceWhyHelp;
        return 0;
      }
      if (w.starts_with("-")) return fail("unknown option '" + w + "'");
    }
  }
  if (a[0] == "resource" && a.size() > 1 && a[1] == "cleanup") {
    if (options.json) return fail("Output format 'json' is not supported for this command");
    return cleanupCommand(options);
  }
  if (a[0] == "resource" && a.size() > 1 && a[1] == "promote") {
    if (options.json) return fail("Output format 'json' is not supported for this command");
    if (*wait) return fail("Specified option '--wait' is not supported in this command");
    return promoteCommand(options);
  }
  if (a[0] == "status" &&
      std::find(options.words.begin(), options.words.end(), "--watch") != options.words.end()) {
    if (*wait) return fail("Specified option '--wait' is not supported in this command");
    return watchStatusCommand(options);
  }
  if (options.json && !jsonCapable(a)) {
    return fail("Output format 'json' is not supported for this command");
  }
  if (a[0] == "acl") {
    if (*wait) return fail("Specified option '--wait' is not supported in this command");
    return aclCommand(options);
  }
  if (a[0] == "resource" && a.size() > 1 && a[1] == "restart" && !options.file.empty()) {
    return fail("pcs resource restart needs a running cluster; it does not work with -f");
  }
  if (options.file.empty()) return liveCommand(options, a, *wait);
  auto cib = crmd::readFile(options.file);
  if (!cib.ok()) return fail("Unable to read " + options.file + ": " + cib.error().message);
  if (const View kind = viewOf(a, options.json || options.cmd); kind != View::kNone)
    return show(kind, options, a, *cib);

  auto edit = parseEdit(options.words);
  if (!edit.ok()) return fail(edit.error().message);
  printWarnings(*edit);
  auto context = contextFor(*edit, *cib, options.ocf_root);
  if (!context.ok()) return fail(context.error().message);
  context->offline = true;
  if (std::holds_alternative<LocationPrefers>(*edit) ||
      std::holds_alternative<LocationAdd>(*edit)) {
    std::cerr << "Warning: Validation for node existence in the cluster will be skipped\n";
  }
  auto edited = applyEdit(*cib, *edit, *context);
  if (!edited.ok()) return fail(edited.error().message);
  auto bumped = bumpEpoch(*edited);
  if (!bumped.ok()) return fail(bumped.error().message);
  if (Status s = writeBack(options.file, *bumped); !s) return fail(s.error().message);
  std::cerr << placementReport(*edit, *context, *cib, *edited);
  return 0;
}

}  // namespace pulse::pcs
