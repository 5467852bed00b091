// Where a CIB's text comes from when it may be too large to hold whole (100 nodes x 10,000
// resources is a 625 MB file): the reader asks for it a piece at a time. The policy engine
// does no I/O itself; the caller's source does (pe-simulate reads a file, inflating gzip).
//
// Not thread-safe: one reader uses a source at a time.
#pragma once

#include <cstddef>
#include <string_view>

namespace pulse::pe {

class CibSource {
 public:
  virtual ~CibSource() = default;
  // Copies the next bytes, up to `size`, into `buffer`: how many were copied, 0 at the end,
  // -1 when reading failed (the source keeps why; the reader then fails too).
  virtual std::ptrdiff_t read(char* buffer, std::size_t size) = 0;
  // Starts again at the first byte; false when it cannot. The reader starts again at most
  // once, to read the whole text as one document, when the text is not laid out as it
  // expects (so that errors name the right line, and unusual layouts still read).
  virtual bool rewind() = 0;
};

// A source over text already in memory (which must outlive it).
class TextCibSource : public CibSource {
 public:
  explicit TextCibSource(std::string_view text) : text_(text) {}
  std::ptrdiff_t read(char* buffer, std::size_t size) override {
    const std::size_t n = text_.size() - pos_ < size ? text_.size() - pos_ : size;
    text_.copy(buffer, n, pos_);
    pos_ += n;
    return static_cast<std::ptrdiff_t>(n);
  }
  bool rewind() override {
    pos_ = 0;
    return true;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace pulse::pe
