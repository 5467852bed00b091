// One copy of the CIB, parsed once and shared read-only: the document, its stamp and its text.
//
// The CIB service builds one when a copy becomes this node's (persisted after a write, a
// Replace or the DC's sync) and hands the same object to everyone that reads that copy: the
// store, the admin API's reads, the resource manager, and on the DC the controller, the
// policy engine (pe::schedule over the document), fencing and dispatch. So a confirmed copy is
// parsed exactly once on each node, and nothing parses it again per heartbeat or per read.
//
// Invariants:
//  * Immutable after parse(): every holder sees the same document; a writer that wants to
//    change it copies the document (pugi::xml_document::reset(doc)), which is not a parse.
//  * `doc`'s <cib> element carries the version attributes of `stamp.version`, and `text` is
//    exactly that document serialised (two-space indent, comments kept): what is stored on
//    disk, answered to readers and saved as an engine input.
//  * `source` is the text that was parsed: node offsets (pugixml's offset_debug) point into
//    it, so the engine can name the line of a bad element.
//  * Every parse() adds one to parseCount(), whether it succeeds or not: the figure the
//    namespace test reads to prove "one parse per confirmed copy per node".
//
// Thread-safety: a ParsedCib is immutable and may be read from any thread; parseCount() is
// atomic.
#pragma once

#include <cstdint>
#include <memory>
#include <pugixml.hpp>
#include <string>

#include "common/result.h"
#include "crmd/cib/cib_types.h"

namespace pulse::crmd {

class ParsedCib;
using CibRef = std::shared_ptr<const ParsedCib>;

class ParsedCib {
 public:
  // Parses `source` (comments kept), which must have a <cib> root, and writes `stamp`'s
  // version into it. An Error naming the byte offset and pugixml's reason otherwise.
  static Result<CibRef> parse(std::string source, CibStamp stamp);

  const CibStamp& stamp() const { return stamp_; }
  const CibVersion& version() const { return stamp_.version; }
  const pugi::xml_document& doc() const { return doc_; }
  pugi::xml_node cib() const { return doc_.child("cib"); }
  const std::string& text() const { return text_; }
  const std::string& source() const { return source_; }
  // This copy as the replica's value type, with the versioned text.
  StoredCib stored() const { return StoredCib{stamp_.version, stamp_.sealed_in, text_}; }

  ParsedCib(const ParsedCib&) = delete;
  ParsedCib& operator=(const ParsedCib&) = delete;

 private:
  ParsedCib() = default;

  CibStamp stamp_{};
  std::string source_;
  std::string text_;
  pugi::xml_document doc_;
};

// Full CIB parses this process has made through ParsedCib::parse (cmap:
// stats.pulse.cib.parses).
std::uint64_t parseCount();

}  // namespace pulse::crmd
