// unpackCib() over a CibSource: a large CIB is read a piece at a time and never held whole.
//
// The text before <status> (the configuration) is kept; each <node_state> of the status is
// parsed and converted as soon as its closing tag has been read, and its text dropped; the
// <tickets> are kept with the configuration, as unpack_cib.cc's split does. Peak memory is
// then the configuration, one node_state, and the typed history, not the text.
//
// Small inputs (the status shorter than split_status_bytes) are read whole and go through the
// text overload unchanged. Anything the stream reader does not expect in the status (other
// elements, a piece that does not parse) makes it start again and read the whole document
// through that overload too, whose parser names the real problem at the right line.
#include <algorithm>
#include <cstring>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "policy-engine/cib_model.h"
#include "policy-engine/cib_source.h"
#include "unpacker.h"

namespace pulse::pe {
namespace {

using xmlread::countNewlines;

constexpr std::size_t kChunkBytes = 1u << 20;

// Why the stream reader gave up on a piece-by-piece read.
enum class Outcome { Done, Fallback, ReadFailed };

class StreamReader {
 public:
  StreamReader(CibSource& source, std::size_t split_status_bytes)
      : source_(source), split_(split_status_bytes) {}

  Result<Cib> run() {
    Outcome o = readHead();
    if (o == Outcome::Done) o = readStatus();
    if (o == Outcome::Done) o = readTail();
    if (o == Outcome::ReadFailed) return Error{"cannot read the CIB"};
    if (o == Outcome::Fallback || whole_) return readWhole();
    return finish();
  }

 private:
  // Appends the next chunk; false at the end or on a read failure (failed_).
  bool fill() {
    if (at_end_) return false;
    const std::size_t old = buf_.size();
    buf_.resize(old + kChunkBytes);
    const std::ptrdiff_t n = source_.read(buf_.data() + old, kChunkBytes);
    buf_.resize(old + static_cast<std::size_t>(n > 0 ? n : 0));
    if (n <= 0) {
      at_end_ = true;
      failed_ = n < 0;
      return false;
    }
    return true;
  }
  Outcome endOfInput() const { return failed_ ? Outcome::ReadFailed : Outcome::Fallback; }

  // Position of `what` at or after `from`, reading more as needed; npos at the end.
  std::size_t findAhead(std::string_view what, std::size_t from) {
    while (true) {
      std::size_t at = std::string_view(buf_).find(what, from);
      if (at != std::string_view::npos) return at;
      if (buf_.size() >= what.size()) from = std::max(from, buf_.size() - what.size() + 1);
      if (!fill()) return std::string_view::npos;
    }
  }
  // Whether at least `n` bytes follow `at` (reading more as needed).
  bool have(std::size_t at, std::size_t n) {
    while (buf_.size() < at + n) {
      if (!fill()) return false;
    }
    return true;
  }
  // Whether an element named `open` ("<node_state") starts at `at`: not a longer name.
  bool startsTag(std::size_t at, std::string_view open) {
    if (!have(at, open.size() + 1) || std::string_view(buf_).substr(at, open.size()) != open) {
      return false;
    }
    const char c = buf_[at + open.size()];
    return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  // The configuration, up to <status>; then enough of the status to know it is large.
  Outcome readHead() {
    std::size_t from = 0;
    while (true) {
      std::size_t at = std::string_view(buf_).find("<status", from);
      if (at != std::string_view::npos && startsTag(at, "<status")) {
        status_begin_ = at;
        break;
      }
      from = at != std::string_view::npos ? at + 1 : (buf_.size() > 7 ? buf_.size() - 7 : 0);
      if (at == std::string_view::npos && !fill()) return endOfAll();
    }
    while (buf_.size() - status_begin_ < split_) {
      if (!fill()) return endOfAll();
    }
    const std::size_t gt = findAhead(">", status_begin_);
    if (gt == std::string_view::npos) return endOfInput();
    if (buf_[gt - 1] == '/') return Outcome::Fallback;  // an empty status this large: odd
    head_ = buf_.substr(0, status_begin_);
    status_newlines_ =
        countNewlines(std::string_view(buf_).substr(status_begin_, gt + 1 - status_begin_));
    newlines_before_ = countNewlines(head_) + status_newlines_;
    consume(gt + 1);
    return Outcome::Done;
  }
  // The whole input fitted before the status grew large: the text overload reads it.
  Outcome endOfAll() {
    if (failed_) return Outcome::ReadFailed;
    whole_ = true;
    return Outcome::Done;
  }

  // Drops the text before `end` (counted already).
  void consume(std::size_t end) {
    pos_ = end;
    if (pos_ >= kChunkBytes) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
  }
  void countConsumed(std::size_t end) {
    const int n = countNewlines(std::string_view(buf_).substr(pos_, end - pos_));
    status_newlines_ += n;
    newlines_before_ += n;
  }

  // The element at pos_ named `name`: its end, or npos.
  std::size_t elementEnd(std::string_view name) {
    const std::size_t gt = findAhead(">", pos_);
    if (gt == std::string_view::npos) return gt;
    if (buf_[gt - 1] == '/') return gt + 1;
    const std::string closing = "</" + std::string(name) + ">";
    const std::size_t close = findAhead(closing, gt);
    return close == std::string_view::npos ? close : close + closing.size();
  }

  Outcome readStatus() {
    if (whole_) return Outcome::Done;
    while (true) {
      std::size_t p = pos_;
      while (true) {
        if (p == buf_.size() && !fill()) return endOfInput();
        const char c = buf_[p];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') break;
        ++p;
      }
      countConsumed(p);
      pos_ = p;
      if (!have(pos_, 4)) return endOfInput();
      std::size_t end;
      if (std::string_view(buf_).substr(pos_, 4) == "<!--") {
        end = findAhead("-->", pos_ + 4);
        if (end == std::string_view::npos) return endOfInput();
        end += 3;
      } else if (have(pos_, 9) && std::string_view(buf_).substr(pos_, 9) == "</status>") {
        countConsumed(pos_ + 9);
        consume(pos_ + 9);
        return Outcome::Done;
      } else if (startsTag(pos_, "<node_state")) {
        end = elementEnd("node_state");
        if (end == std::string_view::npos) return endOfInput();
        if (!readNodeState(end)) return Outcome::Fallback;
      } else if (startsTag(pos_, "<tickets")) {
        end = elementEnd("tickets");
        if (end == std::string_view::npos) return endOfInput();
        const std::string_view text = std::string_view(buf_).substr(pos_, end - pos_);
        tickets_.append(text);
        ticket_newlines_ += countNewlines(text);
      } else {
        return Outcome::Fallback;
      }
      countConsumed(end);
      consume(end);
    }
  }

  // Parses and converts the node_state from pos_ to `end`; false when it does not parse as
  // one node_state. After a conversion error the rest are only checked for shape.
  bool readNodeState(std::size_t end) {
    if (error_) return true;
    const std::string_view text = std::string_view(buf_).substr(pos_, end - pos_);
    pugi::xml_parse_result r = chunk_.load_buffer(
        text.data(), text.size(), pugi::parse_minimal | pugi::parse_escapes, pugi::encoding_utf8);
    pugi::xml_node ns = chunk_.document_element();
    if (!r || std::strcmp(ns.name(), "node_state") != 0 || ns.next_sibling()) return false;
    if (auto e = xmlread::Unpacker(text, newlines_before_).readNodeState(ns, states_)) {
      error_ = std::move(e);
    }
    chunk_.reset();
    return true;
  }

  Outcome readTail() {
    if (whole_) return Outcome::Done;
    while (fill()) {
    }
    if (failed_) return Outcome::ReadFailed;
    return Outcome::Done;
  }

  // The configuration with an empty status (its ticket states kept, and as many newlines as
  // the status had, so that lines stay true), then the node states read on the way.
  Result<Cib> finish() {
    std::string config = std::move(head_);
    config.append("<status>");
    config.append(tickets_);
    config.append("</status>");
    config.append(static_cast<std::size_t>(status_newlines_ - ticket_newlines_), '\n');
    config.append(std::string_view(buf_).substr(pos_));
    buf_.clear();
    buf_.shrink_to_fit();
    pugi::xml_document doc;
    pugi::xml_parse_result parsed = doc.load_buffer_inplace(
        config.data(), config.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) return readWhole();
    auto cib = xmlread::Unpacker(config).run(doc);
    if (!cib) return cib;
    if (error_) return *error_;
    cib->node_states = std::move(states_.node_states);
    for (std::string& w : states_.warnings) cib->warnings.push_back(std::move(w));
    return cib;
  }

  // Reads everything again and unpacks it as one text.
  Result<Cib> readWhole() {
    if (!whole_) {
      if (!source_.rewind()) return Error{"cannot read the CIB again from its start"};
      buf_.clear();
      at_end_ = false;
      while (fill()) {
      }
      if (failed_) return Error{"cannot read the CIB"};
    }
    return unpackCib(std::string_view(buf_), split_);
  }

  CibSource& source_;
  std::size_t split_;
  std::string buf_;  // text read and not yet dropped; pos_ is where reading continues
  std::size_t pos_ = 0;
  bool at_end_ = false;
  bool failed_ = false;
  bool whole_ = false;  // the input ended early: buf_ holds all of it
  std::size_t status_begin_ = 0;
  std::string head_;         // the text before <status
  std::string tickets_;      // the status's <tickets> elements
  int status_newlines_ = 0;  // in the status read so far
  int ticket_newlines_ = 0;
  int newlines_before_ = 0;  // before pos_ in the whole text
  pugi::xml_document chunk_;
  Cib states_;                  // node states and their warnings, moved into the result at the end
  std::optional<Error> error_;  // the first node_state that did not convert
};

}  // namespace

Result<Cib> unpackCib(CibSource& source, std::size_t split_status_bytes) {
  return StreamReader(source, split_status_bytes).run();
}

}  // namespace pulse::pe
