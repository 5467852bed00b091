// The CIB on this node's disk: <state>/cib.xml, mode 0600 (resource parameters may hold
// passwords).
//
// Format: the CIB XML text, then one last line
//     <!-- pulse-cib sha256=<64 hex digits> -->
// whose digest covers every byte before that line. The checksum lives in the file itself, not
// in a sidecar (Pacemaker keeps cib.xml.sig beside cib.xml): one file replaced by one rename is
// the whole update, so a kill -9 at any instant leaves the old or the new CIB, never a mix, and
// there is no window where content and checksum disagree. The trailer is an XML comment, so
// the file is still a CIB that Pacemaker's tools can read.
//
// Invariants: a load returns a CIB only if its checksum matches, it parses, its root is <cib>
// and its versions are readable. Anything else is kCorrupt: the file is renamed aside (so the
// next start does not trip over it again, and an admin can look at it) and never used, so crmd
// takes the cluster's copy instead and never starts resources from a CIB it cannot trust.
//
// Failures: every file operation goes through a FileIo (common/file_io.h). A save that fails at
// any step (write, fsync, rename: EIO, ENOSPC...) returns an Error naming the step, the file and
// the errno text, and leaves the old file in force: the new text is only ever in cib.xml.tmp,
// which is removed. (Only a failed directory fsync comes after the rename: then the new file
// is in place but its durability is unknown, and the Error says so.)
//
// Thread-safety: one CibStore per state directory, used from one thread at a time (writes
// block on fsync; crmd runs them on its cluster worker thread, not the membership's).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/file_io.h"
#include "common/result.h"
#include "crmd/cib/cib_version.h"
#include "crmd/cib/parsed_cib.h"

namespace pulse::cib {

// The file text for `cib_xml`: the XML, a newline if it lacked one, and the checksum line.
std::string sealCib(std::string_view cib_xml);

// The CIB text inside a sealed file, or an Error saying what is wrong (no checksum line,
// checksum mismatch). Does not parse the XML.
Result<std::string> unsealCib(std::string_view file_text);

struct LoadedCib {
  enum class Outcome {
    kNoCib,    // no file: a fresh node, it gets the CIB from the cluster
    kLoaded,   // `xml` and `version` hold the CIB
    kCorrupt,  // truncated, altered or not a CIB: `reason` says why, `kept_aside` where it went
  };
  Outcome outcome = Outcome::kNoCib;
  std::string xml;
  CibVersion version;
  std::string reason;
  std::string kept_aside;
};

class CibStore {
 public:
  using Logger = std::function<void(const std::string&)>;
  using Clock = std::function<std::int64_t()>;  // seconds since the epoch

  // `state_dir` must exist. `log` receives one line per notable event (a corrupt file);
  // `now` names corrupt files (tests pass a fixed clock); `io` does the file operations (tests
  // pass a FaultyFileIo; it must outlive the store). Defaults: no log, the wall clock, POSIX.
  explicit CibStore(std::string state_dir, Logger log = {}, Clock now = {},
                    FileIo& io = posixFileIo());

  const std::string& path() const { return path_; }

  // Reads the CIB file. An Error only for an I/O failure other than "missing" (permission,
  // EIO) or when a corrupt file cannot be renamed aside; a bad file is a kCorrupt value.
  Result<LoadedCib> load();

  // Replaces the file with `cib_xml` (sealed), atomically and durably. Refuses text that does
  // not parse or has no readable <cib> version: the store never writes what load() rejects.
  Status save(std::string_view cib_xml);
  // The same for a copy already parsed (a <cib> root with its version written in), without
  // parsing it again: its text followed by `trailer` (a comment, or nothing).
  Status save(const crmd::ParsedCib& cib, std::string_view trailer);

 private:
  Result<LoadedCib> quarantine(const std::string& reason);

  std::string path_;
  Logger log_;
  Clock now_;
  FileIo* io_;
};

}  // namespace pulse::cib
