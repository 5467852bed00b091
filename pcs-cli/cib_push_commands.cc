// pcs cluster cib / cluster cib-push: the cluster's CIB as a whole, through the DC
// (live_cib.h), or a CIB file with -f (cibadmin's CIB_file), validated before it is pushed.
#include <sys/stat.h>

#include <chrono>
#include <iostream>
#include <optional>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "crmd/cib/cib_diff.h"
#include "crmd/cib/cib_validate.h"
#include "crmd/cib/cib_version.h"
#include "crmd/client/secure_file.h"
#include "pcs-cli/cib_edit.h"
#include "pcs-cli/cluster_commands.h"
#include "pcs-cli/live_cib.h"
#include "pcs-cli/wait_idle.h"

namespace pulse::pcs {
namespace {

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

// The <cib> version of `xml`, for messages and the replacement rule.
Result<cib::CibVersion> versionOf(const std::string& xml, const std::string& what) {
  pugi::xml_document doc;
  if (!doc.load_string(xml.c_str())) return Error{what + " is not XML"};
  auto version = cib::readCibVersion(doc.child("cib"));
  if (!version) return Error{what + ": " + version.error().message};
  return version;
}

// pcs's valid CIB scopes (utils.is_valid_cib_scope).
const std::set<std::string> kScopes = {
    "configuration", "nodes", "resources", "constraints",      "crm_config", "rsc_defaults",
    "op_defaults",   "acls",  "alerts",    "fencing-topology", "tags",       "status"};

pugi::xml_node firstNamed(pugi::xml_node root, const std::string& name) {
  return root.find_node([&](pugi::xml_node n) { return name == n.name(); });
}

// `current` with its section `scope` replaced by the first element of that name in `pushed`
// (cibadmin --replace --scope): everything else, the status and the version included, stays.
Result<std::string> replaceSection(const std::string& current, const std::string& pushed,
                                   const std::string& scope) {
  pugi::xml_document now, from;
  if (!now.load_buffer(current.data(), current.size()) || !now.child("cib"))
    return Error{"the current CIB is not XML"};
  if (!from.load_buffer(pushed.data(), pushed.size())) return Error{"unable to parse new cib"};
  const pugi::xml_node section = std::string_view(from.document_element().name()) == scope
                                     ? from.document_element()
                                     : firstNamed(from, scope);
  if (!section) return Error{"unable to push cib, scope '" + scope + "' not present in new cib"};
  pugi::xml_node cib = now.child("cib");
  pugi::xml_node parent = scope == "configuration" || scope == "status"
                              ? cib
                              : (cib.child("configuration") ? cib.child("configuration")
                                                            : cib.append_child("configuration"));
  pugi::xml_node old = parent.child(scope.c_str());
  pugi::xml_node copy = old ? parent.insert_copy_before(section, old) : parent.append_copy(section);
  if (!copy) return Error{"unable to push cib: cannot place the section '" + scope + "'"};
  if (old) parent.remove_child(old);
  std::ostringstream text;
  now.save(text, "  ");
  return text.str();
}

struct PushArgs {
  std::string file, original, scope;
  std::optional<std::chrono::seconds> wait;  // --wait[=N]: then wait for the cluster to settle
};

// pcs's cluster_push argument rules, and its messages.
Result<PushArgs> parsePush(const std::vector<std::string>& args) {
  PushArgs p;
  bool config = false;
  std::vector<std::string> words = args;
  auto wait = takeWaitFlag(words);
  if (!wait) return wait.error();
  p.wait = *wait;
  for (const std::string& arg : words) {
    if (arg == "--config") {
      config = true;
    } else if (arg.starts_with("-")) {
      return Error{"Specified option '" + arg + "' is not supported in this command"};
    }
  }
  for (const std::string& arg : words) {
    if (arg.starts_with("-")) continue;
    const std::size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      p.file = arg;
    } else if (arg.substr(0, eq) == "scope") {
      if (config) return Error{"Cannot use both scope and --config"};
      if (!kScopes.contains(arg.substr(eq + 1)))
        return Error{"invalid CIB scope '" + arg.substr(eq + 1) + "'"};
      p.scope = arg.substr(eq + 1);
    } else if (arg.substr(0, eq) == "diff-against") {
      p.original = arg.substr(eq + 1);
    } else {
      return Error{"invalid usage of 'pcs cluster cib-push', see pcs cluster cib-push --help"};
    }
  }
  if (config) p.scope = "configuration";
  if (!p.original.empty() && !p.scope.empty())
    return Error{"Cannot use both scope and diff-against"};
  if (p.file.empty() || args.size() > 3)
    return Error{"invalid usage of 'pcs cluster cib-push', see pcs cluster cib-push --help"};
  return p;
}

// What the push makes of `current`: the pushed CIB (no older than `current`), the changes from
// the original applied to `current`, or `current` with one section replaced.
Result<std::string> pushedCib(const PushArgs& p, const std::string& current,
                              const std::string& pushed, const std::optional<cib::CibDiff>& diff,
                              const std::string& what) {
  if (diff) {
    auto applied = cib::applyDiff(current, *diff);
    if (!applied) return Error{"Unable to apply the changes: " + applied.error().message};
    return applied;
  }
  if (!p.scope.empty()) return replaceSection(current, pushed, p.scope);
  // cibadmin --replace's rule: an older CIB does not replace a newer one.
  auto now = versionOf(current, what);
  auto replacement = versionOf(pushed, p.file);
  if (!now || !replacement) return !now ? now.error() : replacement.error();
  if (Status s = cib::checkReplacement(*now, *replacement); !s) {
    return Error{
        "Unable to push to the CIB because pushed configuration is older than existing one (" +
        s.error().message +
        "). If you are sure you want to push this configuration, try to use --config to "
        "replace only configuration part instead of whole CIB. Otherwise get current "
        "configuration by running command 'pcs cluster cib' and update that."};
  }
  return pushed;
}

}  // namespace

int clusterCib(const PcsOptions& options, const std::string& cib_file,
               const std::vector<std::string>& args) {
  if (args.size() > 1) return fail("cluster cib takes at most a file name");
  std::string xml;
  if (!cib_file.empty()) {
    auto text = crmd::readFile(cib_file);
    if (!text) return fail("Unable to read " + cib_file + ": " + text.error().message);
    xml = std::move(*text);
  } else {
    auto live = LiveCib::read(options);
    if (!live) return fail(live.error().message);
    xml = live->xml();
  }
  if (args.empty()) {
    std::cout << xml;
    return 0;
  }
  if (Status s = crmd::writeFileAtomic(args[0], xml, 0600); !s) return fail(s.error().message);
  return 0;
}

int clusterCibPush(const PcsOptions& options, const std::string& cib_file,
                   const std::vector<std::string>& args) {
  auto p = parsePush(args);
  if (!p) return fail(p.error().message);
  if (p->wait && !cib_file.empty()) return fail("Cannot use '-f' together with '--wait'");
  auto pushed = crmd::readFile(p->file);
  if (!pushed) return fail("unable to parse new cib: " + pushed.error().message);
  if (p->scope.empty() || p->scope == "configuration") {
    // A section is validated once it is in place (below); a whole CIB here.
    if (Status s = p->scope.empty() ? cib::validateCib(*pushed) : Status{}; !s) {
      return fail("Unable to push to the CIB because pushed configuration is invalid: " +
                  s.error().message);
    }
  }
  std::optional<cib::CibDiff> diff;
  if (!p->original.empty()) {
    auto base = crmd::readFile(p->original);
    if (!base) return fail("Unable to read " + p->original + ": " + base.error().message);
    auto computed = cib::computeDiff(*base, *pushed);
    if (!computed)
      return fail("Unable to diff " + p->file + " against " + p->original + ": " +
                  computed.error().message);
    if (*base == *pushed) {
      std::cerr << "The new CIB is the same as the original CIB, nothing to push.\n";
      return 0;
    }
    diff = std::move(*computed);
  }
  const auto checked = [&](const std::string& next) -> Status {
    if (Status s = cib::validateCib(next); !s) {
      return Error{"Unable to push to the CIB because pushed configuration is invalid: " +
                   s.error().message};
    }
    return {};
  };
  if (!cib_file.empty()) {
    auto current = crmd::readFile(cib_file);
    if (!current) return fail("Unable to read " + cib_file + ": " + current.error().message);
    auto next = pushedCib(*p, *current, *pushed, diff, cib_file);
    if (!next) return fail(next.error().message);
    if (Status s = checked(*next); !s) return fail(s.error().message);
    // A configuration change on a file: epoch + 1, num_updates 0 (cibadmin on CIB_file).
    auto bumped = bumpEpoch(*next);
    if (!bumped) return fail(bumped.error().message);
    struct stat st {};
    if (::stat(cib_file.c_str(), &st) != 0) return fail("Unable to stat " + cib_file);
    if (Status s = crmd::writeFileAtomic(cib_file, *bumped, st.st_mode & 07777); !s)
      return fail(s.error().message);
    std::cerr << "CIB updated\n";
    return 0;
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto live = LiveCib::read(options);
    if (!live) return fail(live.error().message);
    auto next = pushedCib(*p, live->xml(), *pushed, diff, "the cluster's CIB");
    if (!next) return fail(next.error().message);
    if (Status s = checked(*next); !s) return fail(s.error().message);
    auto written = live->write(*next);
    if (!written) return fail(written.error().message);
    if (written->stale) continue;
    std::cerr << "CIB updated\n";
    // pcs runs `crm_resource --wait` here: silent, and "waiting timeout" when it expires.
    if (p->wait) {
      auto idle = waitForIdle(options, written->written, *p->wait, WaitAnnounce::kSilent);
      if (!idle) return fail("waiting timeout\n\n" + idle.error().message);
    }
    return 0;
  }
  return fail("the CIB kept changing while pcs was pushing (3 attempts); try again");
}

}  // namespace pulse::pcs
