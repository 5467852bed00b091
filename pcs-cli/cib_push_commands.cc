// pcs cluster cib / cluster cib-push: the cluster's CIB as a whole, through the DC
// (live_cib.h), validated before it is pushed.
#include <iostream>
#include <optional>
#include <pugixml.hpp>

#include "crmd/cib/cib_diff.h"
#include "crmd/cib/cib_validate.h"
#include "crmd/cib/cib_version.h"
#include "crmd/client/secure_file.h"
#include "pcs-cli/cluster_commands.h"
#include "pcs-cli/live_cib.h"

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

}  // namespace

int clusterCib(const PcsOptions& options, const std::vector<std::string>& args) {
  if (args.size() > 1) return fail("cluster cib takes at most a file name");
  auto live = LiveCib::read(options);
  if (!live) return fail(live.error().message);
  if (args.empty()) {
    std::cout << live->xml();
    return 0;
  }
  if (Status s = crmd::writeFileAtomic(args[0], live->xml(), 0600); !s) {
    return fail(s.error().message);
  }
  return 0;
}

int clusterCibPush(const PcsOptions& options, const std::vector<std::string>& args) {
  std::string file, original;
  for (const std::string& arg : args) {
    if (arg.starts_with("diff-against=")) {
      original = arg.substr(13);
    } else if (arg == "scope=configuration" || arg == "--config") {
      continue;  // a whole CIB or its configuration: both replace the configuration here
    } else if (file.empty()) {
      file = arg;
    } else {
      return fail("cluster cib-push takes one file and optionally diff-against=<file>");
    }
  }
  if (file.empty()) return fail("cluster cib-push needs the file to push");
  auto pushed = crmd::readFile(file);
  if (!pushed) return fail("Unable to read " + file + ": " + pushed.error().message);
  if (Status s = cib::validateCib(*pushed); !s) {
    return fail("Unable to push to the CIB because pushed configuration is invalid: " +
                s.error().message);
  }
  std::optional<cib::CibDiff> diff;
  if (!original.empty()) {
    auto base = crmd::readFile(original);
    if (!base) return fail("Unable to read " + original + ": " + base.error().message);
    auto computed = cib::computeDiff(*base, *pushed);
    if (!computed)
      return fail("Unable to diff " + file + " against " + original + ": " +
                  computed.error().message);
    diff = std::move(*computed);
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto live = LiveCib::read(options);
    if (!live) return fail(live.error().message);
    std::string next = *pushed;
    if (diff) {
      auto applied = cib::applyDiff(live->xml(), *diff);
      if (!applied) return fail("Unable to apply the changes: " + applied.error().message);
      next = std::move(*applied);
    } else {
      // cibadmin --replace's rule: an older CIB does not replace a newer one.
      auto current = versionOf(live->xml(), "the cluster's CIB");
      auto replacement = versionOf(*pushed, file);
      if (!current || !replacement) {
        return fail(!current ? current.error().message : replacement.error().message);
      }
      if (Status s = cib::checkReplacement(*current, *replacement); !s) {
        return fail("Unable to push to the CIB: " + s.error().message +
                    "; run 'pcs cluster cib', edit that copy and push it again, or use "
                    "diff-against=");
      }
    }
    auto written = live->write(next);
    if (!written) return fail(written.error().message);
    if (!written->stale) {
      std::cout << "CIB updated\n";
      return 0;
    }
  }
  return fail("the CIB kept changing while pcs was pushing (3 attempts); try again");
}

}  // namespace pulse::pcs
