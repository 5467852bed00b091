// pe-simulate's CIB source: a file read a piece at a time, inflated on the way when it is
// gzip data (magic 1f 8b, as the DC saves pe-input-N.xml.gz), so that a large CIB is never
// held whole (the engine's stream reader, policy-engine/cib_source.h).
#pragma once

#include <zlib.h>

#include <cstdio>
#include <string>

#include "policy-engine/cib_source.h"

namespace pulse::pe {

class FileCibSource : public CibSource {
 public:
  FileCibSource() = default;
  ~FileCibSource() override;
  FileCibSource(const FileCibSource&) = delete;
  FileCibSource& operator=(const FileCibSource&) = delete;

  // False when the file cannot be opened.
  bool open(const std::string& path);
  std::ptrdiff_t read(char* buffer, std::size_t size) override;
  bool rewind() override;

  // After a failed read: whether the file could not be read (an I/O error) or its gzip data
  // is damaged, and how (for the message).
  bool ioFailed() const { return io_failed_; }
  const std::string& gzipError() const { return gzip_error_; }

 private:
  std::ptrdiff_t inflateInto(char* buffer, std::size_t size);

  std::FILE* file_ = nullptr;
  bool started_ = false;  // the first bytes were looked at (gzip or not)
  bool gzip_ = false;
  bool stream_end_ = false;
  bool io_failed_ = false;
  std::string gzip_error_;
  z_stream zs_{};
  bool zs_open_ = false;
  std::string in_;  // compressed bytes read ahead
};

}  // namespace pulse::pe
