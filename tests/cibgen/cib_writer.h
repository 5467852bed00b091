// Streams a ClusterModel as Pacemaker CIB XML through a large buffer, so that a 600 MB status
// section is written without ever holding it in memory. Not thread-safe.
#ifndef PULSE_TESTS_CIBGEN_CIB_WRITER_H_
#define PULSE_TESTS_CIBGEN_CIB_WRITER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "cluster_model.h"

namespace pulse::cibgen {

// Appends text to a buffer and hands it to `write` in chunks of about 1 MiB. Once a write
// fails, further output is dropped and ok() stays false.
class Sink {
 public:
  using WriteFn = std::function<bool(const char* data, size_t size)>;
  explicit Sink(WriteFn write);
  ~Sink();
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  Sink& operator<<(std::string_view text) {
    buffer_.append(text);
    if (buffer_.size() >= kChunk) flush();
    return *this;
  }
  Sink& operator<<(int64_t value);
  Sink& operator<<(int value) { return *this << static_cast<int64_t>(value); }
  Sink& operator<<(size_t value) { return *this << static_cast<int64_t>(value); }

  // Returns ok().
  bool flush();
  bool ok() const { return ok_; }

 private:
  static constexpr size_t kChunk = size_t{1} << 20;
  WriteFn write_;
  std::string buffer_;
  bool ok_ = true;
};

// Writes the whole CIB. Returns sink.ok() after the final flush.
bool writeModel(const ClusterModel& model, Sink& sink);

}  // namespace pulse::cibgen

#endif  // PULSE_TESTS_CIBGEN_CIB_WRITER_H_
