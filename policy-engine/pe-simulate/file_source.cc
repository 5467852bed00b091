#include "file_source.h"

namespace pulse::pe {
namespace {

constexpr std::size_t kInputBytes = 1u << 18;

}  // namespace

FileCibSource::~FileCibSource() {
  if (zs_open_) inflateEnd(&zs_);
  if (file_ != nullptr) std::fclose(file_);
}

bool FileCibSource::open(const std::string& path) {
  file_ = std::fopen(path.c_str(), "rb");
  return file_ != nullptr;
}

bool FileCibSource::rewind() {
  if (file_ == nullptr || std::fseek(file_, 0, SEEK_SET) != 0) return false;
  std::clearerr(file_);
  started_ = false;
  stream_end_ = false;
  in_.clear();
  if (zs_open_) {
    inflateEnd(&zs_);
    zs_open_ = false;
  }
  return true;
}

std::ptrdiff_t FileCibSource::read(char* buffer, std::size_t size) {
  if (file_ == nullptr || io_failed_ || !gzip_error_.empty()) return -1;
  if (!started_) {
    started_ = true;
    in_.resize(kInputBytes);
    in_.resize(std::fread(in_.data(), 1, in_.size(), file_));
    if (std::ferror(file_)) {
      io_failed_ = true;
      return -1;
    }
    gzip_ = in_.size() >= 2 && static_cast<unsigned char>(in_[0]) == 0x1f &&
            static_cast<unsigned char>(in_[1]) == 0x8b;
    if (gzip_) {
      zs_ = z_stream{};
      if (inflateInit2(&zs_, 15 + 16) != Z_OK) {
        gzip_error_ = "cannot start gzip decompression";
        return -1;
      }
      zs_open_ = true;
      zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
      zs_.avail_in = static_cast<uInt>(in_.size());
    }
  }
  if (gzip_) return inflateInto(buffer, size);
  // Plain text: what was read ahead first, then straight from the file.
  if (!in_.empty()) {
    const std::size_t n = std::min(size, in_.size());
    in_.copy(buffer, n);
    in_.erase(0, n);
    return static_cast<std::ptrdiff_t>(n);
  }
  const std::size_t n = std::fread(buffer, 1, size, file_);
  if (n == 0 && std::ferror(file_)) {
    io_failed_ = true;
    return -1;
  }
  return static_cast<std::ptrdiff_t>(n);
}

std::ptrdiff_t FileCibSource::inflateInto(char* buffer, std::size_t size) {
  if (stream_end_) return 0;
  zs_.next_out = reinterpret_cast<Bytef*>(buffer);
  zs_.avail_out = static_cast<uInt>(size);
  while (zs_.avail_out == size) {
    if (zs_.avail_in == 0) {
      in_.resize(kInputBytes);
      in_.resize(std::fread(in_.data(), 1, in_.size(), file_));
      if (std::ferror(file_)) {
        io_failed_ = true;
        return -1;
      }
      zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
      zs_.avail_in = static_cast<uInt>(in_.size());
    }
    const bool no_input = zs_.avail_in == 0;
    const int rc = inflate(&zs_, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      stream_end_ = true;
      break;
    }
    if (rc == Z_BUF_ERROR && no_input) {
      gzip_error_ = "damaged gzip data (truncated)";
      return -1;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      gzip_error_ = std::string("damaged gzip data") +
                    (zs_.msg != nullptr ? ": " : " (truncated)") +
                    (zs_.msg != nullptr ? zs_.msg : "");
      return -1;
    }
  }
  return static_cast<std::ptrdiff_t>(size - zs_.avail_out);
}

}  // namespace pulse::pe
