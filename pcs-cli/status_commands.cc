#include "pcs-cli/status_commands.h"

#include <sys/stat.h>

#include <iostream>

#include "crmd/client/secure_file.h"
#include "pcs-cli/live_cib.h"
#include "pcs-cli/resource_cleanup.h"

namespace pulse::pcs {
namespace {

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

int print(const StatusEdit& done) {
  for (const std::string& line : done.lines) std::cout << line << "\n";
  return 0;
}

}  // namespace

int runStatusEdit(const CibCommandOptions& options,
                  const std::function<Result<StatusEdit>(const std::string& cib_xml)>& edit,
                  const std::string& what) {
  if (!options.file.empty()) {
    auto cib = crmd::readFile(options.file);
    if (!cib.ok()) return fail("Unable to read " + options.file + ": " + cib.error().message);
    auto done = edit(*cib);
    if (!done.ok()) return fail(done.error().message);
    if (done->changed) {
      // Replaces the file, keeping its permission bits (a CIB file may be private).
      struct stat st {};
      if (::stat(options.file.c_str(), &st) != 0) return fail("Unable to stat " + options.file);
      if (Status s = crmd::writeFileAtomic(options.file, done->cib_xml, st.st_mode & 07777); !s) {
        return fail(s.error().message);
      }
    }
    return print(*done);
  }
  PcsOptions pcs;
  pcs.state_dir = options.state_dir;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto cib = LiveCib::read(pcs);
    if (!cib.ok()) return fail(cib.error().message);
    auto done = edit(cib->xml());
    if (!done.ok()) return fail(done.error().message);
    if (!done->changed) return print(*done);
    auto written = cib->write(done->cib_xml, /*status_only=*/true);
    if (!written.ok()) return fail(written.error().message);
    if (!written->stale) return print(*done);
  }
  return fail("the CIB kept changing while pcs was " + what + " (3 attempts); try again");
}

int cleanupCommand(const CibCommandOptions& options) {
  std::string rsc, node;
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < options.words.size(); ++i) {
    const std::string& w = options.words[i];
    if (w == "--node" && i + 1 < options.words.size()) {
      node = options.words[++i];
    } else if (w.starts_with("--node=")) {
      node = w.substr(7);
    } else if (w.starts_with("-")) {
      return fail("unknown option '" + w + "'");
    } else {
      positional.push_back(w);
    }
  }
  if (positional.size() > 3 || (node.empty() && options.words.back() == "--node")) {
    return fail("invalid usage of 'pcs resource cleanup', see pcs resource cleanup --help");
  }
  if (positional.size() == 3) rsc = positional[2];
  return runStatusEdit(
      options,
      [&](const std::string& cib) -> Result<StatusEdit> {
        auto outcome = cleanupResource(cib, rsc, node);
        if (!outcome.ok()) return outcome.error();
        return StatusEdit{std::move(outcome->cib_xml), std::move(outcome->lines), outcome->changed};
      },
      "cleaning up");
}

}  // namespace pulse::pcs
