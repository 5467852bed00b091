// Saved engine inputs: the CIB each transition was computed from, kept as
// DIR/pe-input-N.xml.gz so that any decision the DC made can be replayed with
// `pe-simulate -x DIR/pe-input-N.xml.gz -S` (Pacemaker's
// /var/lib/pacemaker/pengine/pe-input-N.bz2).
//
// Invariants:
// - N only grows: open() scans DIR and the next file is one past the highest N found, so a
//   restart never overwrites an input an operator may be looking at. (Pacemaker wraps N at
//   pe-input-series-max; we do not, so "the newest" is always the highest N.)
// - At most `keep` inputs are in DIR after a save: the oldest are removed (Pacemaker's
//   pe-input-series-max, default 4000; 0 keeps none, kUnlimited keeps all).
// - Each file appears whole or not at all (common/atomic_file), gzip-compressed via zlib.
// - Files in DIR that are not named pe-input-<digits>.xml.gz (a .tmp from a crash, an
//   operator's copy) are neither counted, removed nor read.
//
// Thread-safety: none; owned by the resource manager on crmd's cluster worker thread (a save
// compresses and fsyncs, so it never runs on the membership's thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/result.h"

namespace pulse::crmd {

class EngineInputStore {
 public:
  static constexpr std::size_t kDefaultKeep = 4000;  // Pacemaker's pe-input-series-max
  static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

  // Creates DIR (mode 0700) when missing, restricts an existing DIR to 0700 and its inputs to
  // 0600 (they hold the whole CIB, fence device passwords included), and scans it for existing
  // inputs. Fails, naming DIR, when it cannot be created or listed, or is another user's.
  static Result<EngineInputStore> open(std::string dir, std::size_t keep = kDefaultKeep);

  // Writes `cib_xml` as DIR/pe-input-N.xml.gz (mode 0600), removes inputs beyond `keep` and
  // returns the path written. With keep 0 nothing is written and the path is empty. When
  // `cib_xml` is the input this store saved last, nothing is written either and the path of
  // that file is returned (Pacemaker: "input has not changed since last time, not saving to
  // disk"), so a periodic recheck of an unchanged CIB adds no file. On failure (compression,
  // disk) nothing new is left in DIR and the Error names the file.
  Result<std::string> save(const std::string& cib_xml);

  // The number the next save() will use.
  std::uint64_t nextSequence() const { return next_; }
  const std::string& dir() const { return dir_; }

  // DIR/pe-input-N.xml.gz
  std::string pathFor(std::uint64_t sequence) const;

 private:
  EngineInputStore(std::string dir, std::size_t keep) : dir_(std::move(dir)), keep_(keep) {}

  std::string dir_;
  std::size_t keep_;
  std::uint64_t next_ = 0;
  std::set<std::uint64_t> present_;  // N of the pe-input files in dir_, oldest first
  std::optional<std::string> last_;  // the text of pe-input-(next_ - 1), once this store wrote it
};

// `cib_xml` as the DC's engine saw it, for saving: its root element also carries
// have-quorum="1" and dc-uuid="DC_ID" (unless it already names them), as Pacemaker's saved
// inputs do. Pulse's DC runs the engine only in a quorate partition and the engine reads a
// missing have-quorum as quorate, but crm_simulate reads it as not quorate: without it,
// replaying the input with Pacemaker stops everything "due to no quorum". Text without a <cib
// root element is returned unchanged.
std::string asDcEngineInput(std::string_view cib_xml, std::string_view dc_id);

// The gzip encoding of `data` (RFC 1952, zlib's deflate at the default level).
Result<std::string> gzipCompress(std::string_view data);

// The sequence number in a name "pe-input-N.xml.gz", or -1 for any other name.
std::int64_t engineInputSequence(std::string_view file_name);

}  // namespace pulse::crmd
