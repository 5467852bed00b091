#include "pcs-cli/acl_commands.h"

#include <sys/stat.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "crmd/client/secure_file.h"
#include "pcs-cli/cib_acl.h"
#include "pcs-cli/cib_edit.h"
#include "pcs-cli/live_cib.h"

namespace pulse::pcs {
namespace {

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

int print(const Result<std::string>& text) {
  if (!text.ok()) return fail(text.error().message);
  std::cout << *text;
  return 0;
}

// pcs 0.11 still takes `acl show`, with a warning.
void warnDeprecated(const std::vector<std::string>& words) {
  if (!words.empty() && words[0] == "show") {
    std::cerr << "Deprecation Warning: This command is deprecated and will be removed. Please use "
                 "'pcs acl config' instead.\n";
  }
}

int fileCommand(const std::string& path, const std::vector<std::string>& words) {
  auto cib = crmd::readFile(path);
  if (!cib.ok()) return fail("Unable to read " + path + ": " + cib.error().message);
  if (aclIsView(words)) {
    if (words.size() > 1) return fail("invalid usage of 'pcs acl config', see pcs acl --help");
    warnDeprecated(words);
    return print(aclConfig(*cib));
  }
  auto edited = applyAcl(*cib, words);
  if (!edited.ok()) return fail(edited.error().message);
  auto bumped = bumpEpoch(*edited);
  if (!bumped.ok()) return fail(bumped.error().message);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail("Unable to stat " + path);
  if (Status s = crmd::writeFileAtomic(path, *bumped, st.st_mode & 07777); !s) {
    return fail(s.error().message);
  }
  return 0;
}

int liveCommand(const std::string& state_dir, const std::vector<std::string>& words) {
  PcsOptions pcs;
  pcs.state_dir = state_dir;
  if (aclIsView(words) && words.size() > 1) {
    return fail("invalid usage of 'pcs acl config', see pcs acl --help");
  }
  warnDeprecated(words);
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto cib = LiveCib::read(pcs);
    if (!cib.ok()) return fail(cib.error().message);
    if (aclIsView(words)) return print(aclConfig(cib->xml()));
    auto edited = applyAcl(cib->xml(), words);
    if (!edited.ok()) return fail(edited.error().message);
    auto written = cib->write(*edited);
    if (!written.ok()) return fail(written.error().message);
    if (!written->stale) return 0;
  }
  return fail("the CIB kept changing while pcs was editing it (3 attempts); try again");
}

}  // namespace

int aclCommand(const CibCommandOptions& options) {
  std::vector<std::string> words = options.words;
  const auto acl = std::find(words.begin(), words.end(), "acl");
  if (acl != words.end()) words.erase(acl);
  if (options.file.empty()) return liveCommand(options.state_dir, words);
  return fileCommand(options.file, words);
}

}  // namespace pulse::pcs
